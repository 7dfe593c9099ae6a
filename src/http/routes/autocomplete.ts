import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { jsonAnswer } from '../json-answer.js';
import { valid, validated } from '../validation.js';

/**
 * `GET /v1/autocomplete?q[&limit]`: suggestions for a search box as the user types
 * (geocode/autocomplete.ts). The schema bounds the text (1–100) and the limit (1–20, default 10).
 */
export function autocompleteRoutes(geocoders: Pick<Geocoders, 'autocomplete'>): Hono {
  const app = new Hono();

  app.get('/v1/autocomplete', validated('autocompleteGet'), function autocompleteGet(c) {
    const { q, limit } = valid<{ query: { q: string; limit: number } }>(c).query;
    if (q.trim() === '') throw new InvalidRequestError(`q must be a non-empty text, got ${JSON.stringify(q)}`);
    return jsonAnswer(c, { query: q, suggestions: geocoders.autocomplete.suggest(q, { limit }) }, 200, { 'Cache-Control': 'no-cache' });
  });

  return app;
}
