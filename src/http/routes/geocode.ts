import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { valid, validated } from '../validation.js';

/**
 * `GET /v1/geocode?q[&limit]` and `POST /v1/geocode {addresses}`: Chinese address → place → codes.
 * An address without an answer says why (`reason`: outside the loaded area, nothing known).
 * The schema bounds the address length (200), the limit (1–20) and the batch (10,000).
 */
export function geocodeRoutes(geocoders: Geocoders): Hono {
  const app = new Hono();

  app.get('/v1/geocode', validated('geocodeGet'), function geocodeGet(c) {
    const { q, limit } = valid<{ query: { q: string; limit: number } }>(c).query;
    requireText(q, 'q');
    const { results, reason } = geocoders.forward.lookup(q, { limit });
    return c.json({ query: q, results, reason }, 200, { 'Cache-Control': 'no-cache' });
  });

  app.post('/v1/geocode', validated('geocodePost'), function geocodePost(c) {
    const { addresses } = valid<{ body: { addresses: string[] } }>(c).body;
    addresses.forEach((a, k) => requireText(a, `body addresses[${k}]`));
    const answers = addresses.map((q) => geocoders.forward.lookup(q, { limit: 1 }));
    return c.json({ results: answers.map((a) => a.results[0] ?? null), reasons: answers.map((a) => a.reason) }, 200, { 'Cache-Control': 'no-cache' });
  });

  return app;
}

// the schema asks for a non-empty string; blanks alone are no address either
function requireText(value: string, name: string): void {
  if (value.trim() === '') throw new InvalidRequestError(`${name} must be a non-empty address string, got ${JSON.stringify(value)}`);
}
