import { Hono } from 'hono';
import { InvalidRequestError, TooLargeError } from '../../errors.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { jsonBody } from './reverse.js';

/** Most addresses one POST /v1/geocode may carry. */
export const MAX_GEOCODE_ADDRESSES = 10_000;
/** Longest address accepted: real ones are far shorter, and the limit bounds the work per query. */
export const MAX_ADDRESS_LENGTH = 200;

/** `GET /v1/geocode?q[&limit]` and `POST /v1/geocode {addresses}`: Chinese address → place → codes. */
export function geocodeRoutes(geocoders: Geocoders): Hono {
  const app = new Hono();

  app.get('/v1/geocode', function geocodeGet(c) {
    const q = addressText(c.req.query('q'), 'q');
    const limit = limitParam(c.req.query('limit'));
    return c.json({ query: q, results: geocoders.forward.geocode(q, { limit }) }, 200, { 'Cache-Control': 'no-cache' });
  });

  app.post('/v1/geocode', async function geocodePost(c) {
    const body = await jsonBody(c);
    const addresses = body.addresses;
    if (!Array.isArray(addresses)) throw new InvalidRequestError('addresses must be an array of strings');
    if (addresses.length > MAX_GEOCODE_ADDRESSES) {
      throw new TooLargeError(`addresses has ${addresses.length} entries; at most ${MAX_GEOCODE_ADDRESSES.toLocaleString('en')} per request — split the batch`);
    }
    const texts = addresses.map((a, k) => addressText(a, `addresses[${k}]`));
    const results = texts.map((q) => geocoders.forward.geocode(q, { limit: 1 })[0] ?? null);
    return c.json({ results }, 200, { 'Cache-Control': 'no-cache' });
  });

  return app;
}

function addressText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidRequestError(`${name} must be a non-empty address string`);
  if (value.length > MAX_ADDRESS_LENGTH) throw new InvalidRequestError(`${name} is ${value.length} characters; at most ${MAX_ADDRESS_LENGTH}`);
  return value;
}

function limitParam(text: string | undefined): number {
  if (text === undefined) return 5;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 20) throw new InvalidRequestError(`limit must be a whole number 1–20, got "${text.slice(0, 20)}"`);
  return n;
}
