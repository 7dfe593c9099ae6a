import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { streamBatchAnswer } from '../batch-answer.js';
import { requireBatchSize } from '../batch-limits.js';
import { valid, validated } from '../validation.js';

/**
 * `GET /v1/geocode?q[&limit]` and `POST /v1/geocode {addresses}`: Chinese address → place → codes.
 * An address without an answer says why (`reason`: outside the loaded area, nothing known).
 * The schema bounds the address length (200), the limit (1–20) and the largest batch; a batch is
 * answered in time slices as the client reads (batch-answer.ts) and refused (413) beyond its size
 * for the caller (batch-limits.ts) or when its answer would pass `maxResponseBytes`.
 */
export function geocodeRoutes(geocoders: Geocoders, { maxResponseBytes }: { maxResponseBytes: number }): Hono {
  const app = new Hono();

  app.get('/v1/geocode', validated('geocodeGet'), function geocodeGet(c) {
    const { q, limit } = valid<{ query: { q: string; limit: number } }>(c).query;
    requireText(q, 'q');
    const { results, reason } = geocoders.forward.lookup(q, { limit });
    return c.json({ query: q, results, reason }, 200, { 'Cache-Control': 'no-cache' });
  });

  app.post('/v1/geocode', validated('geocodePost'), async function geocodePost(c) {
    const { addresses } = valid<{ body: { addresses: string[] } }>(c).body;
    requireBatchSize(c, 'addresses', addresses.length);
    addresses.forEach((a, k) => requireText(a, `body addresses[${k}]`));
    const reasons: (string | null)[] = [];
    const body = await streamBatchAnswer({
      count: addresses.length,
      noun: 'addresses',
      head: '{"results":[',
      writeItem: (out, k) => {
        const { results, reason } = geocoders.forward.lookup(addresses[k]!, { limit: 1 });
        out.text(JSON.stringify(results[0] ?? null));
        reasons.push(reason);
      },
      tail: () => `],"reasons":${JSON.stringify(reasons)}}`,
      maxBytes: maxResponseBytes,
    });
    return c.body(body, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
  });

  return app;
}

// the schema asks for a non-empty string; blanks alone are no address either
function requireText(value: string, name: string): void {
  if (value.trim() === '') throw new InvalidRequestError(`${name} must be a non-empty address string, got ${JSON.stringify(value)}`);
}
