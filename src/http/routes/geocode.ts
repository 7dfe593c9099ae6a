import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { valid, validated } from '../validation.js';

/**
 * `GET /v1/geocode?q[&limit]` and `POST /v1/geocode {addresses}`: Chinese address → place → codes.
 * The schema bounds the address length (200), the limit (1–20) and the batch (10,000).
 */
export function geocodeRoutes(geocoders: Geocoders): Hono {
  const app = new Hono();

  app.get('/v1/geocode', validated('geocodeGet'), function geocodeGet(c) {
    const { q, limit } = valid<{ query: { q: string; limit: number } }>(c).query;
    requireText(q, 'q');
    return c.json({ query: q, results: geocoders.forward.geocode(q, { limit }) }, 200, { 'Cache-Control': 'no-cache' });
  });

  app.post('/v1/geocode', validated('geocodePost'), function geocodePost(c) {
    const { addresses } = valid<{ body: { addresses: string[] } }>(c).body;
    addresses.forEach((a, k) => requireText(a, `body addresses[${k}]`));
    const results = addresses.map((q) => geocoders.forward.geocode(q, { limit: 1 })[0] ?? null);
    return c.json({ results }, 200, { 'Cache-Control': 'no-cache' });
  });

  return app;
}

// the schema asks for a non-empty string; blanks alone are no address either
function requireText(value: string, name: string): void {
  if (value.trim() === '') throw new InvalidRequestError(`${name} must be a non-empty address string, got ${JSON.stringify(value)}`);
}
