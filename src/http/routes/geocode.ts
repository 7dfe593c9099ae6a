import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { GeocodeResult } from '../../geocode/geocode-result.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { streamBatchAnswer } from '../batch-answer.js';
import { BATCH_CONTENT_TYPES, batchFormat, GEOCODE_ROW_COLUMNS, RowFormat, selectColumns, type RowValue } from '../batch-formats.js';
import { requireBatchSize } from '../batch-limits.js';
import { jsonAnswer } from '../json-answer.js';
import { valid, validated } from '../validation.js';

/**
 * `GET /v1/geocode?q[&limit]` and `POST /v1/geocode {addresses}`: Chinese address → place → codes.
 * An address without an answer says why (`reason`: outside the loaded area, nothing known).
 * The schema bounds the address length (200), the limit (1–20) and the largest batch; a batch is
 * answered in time slices as the client reads (batch-answer.ts) and refused (413) beyond its size
 * for the caller (batch-limits.ts) or when its answer would pass `maxResponseBytes`; as NDJSON or
 * CSV rows when `Accept` asks (batch-formats.ts, GEOCODE_ROW_COLUMNS), restricted to `fields=`.
 */
export function geocodeRoutes(geocoders: Geocoders, { maxResponseBytes }: { maxResponseBytes: number }): Hono {
  const app = new Hono();

  app.get('/v1/geocode', validated('geocodeGet'), function geocodeGet(c) {
    const { q, limit } = valid<{ query: { q: string; limit: number } }>(c).query;
    requireText(q, 'q');
    const { results, reason } = geocoders.forward.lookup(q, { limit });
    return jsonAnswer(c, { query: q, results, reason }, 200, { 'Cache-Control': 'no-cache' });
  });

  app.post('/v1/geocode', validated('geocodePost', { bodyReadOnce: true }), async function geocodePost(c) {
    const { body: { addresses }, query: { fields } } = valid<{ body: { addresses: string[] }; query: { fields?: string } }>(c);
    requireBatchSize(c, 'addresses', addresses.length);
    const format = batchFormat(c.req.header('Accept'));
    const chosen = selectColumns(GEOCODE_ROW_COLUMNS, fields, format);
    addresses.forEach((a, k) => requireText(a, `body addresses[${k}]`));
    const headers = { 'Content-Type': BATCH_CONTENT_TYPES[format], 'Cache-Control': 'no-cache', Vary: 'Accept' };
    if (format !== 'json') {
      const rows = new RowFormat(format, chosen);
      const body = await streamBatchAnswer({
        count: addresses.length,
        noun: 'addresses',
        head: rows.header,
        separator: '',
        writeItem: (out, k) => {
          const { results, reason } = geocoders.forward.lookup(addresses[k]!, { limit: 1 });
          const values = geocodeRowValues(addresses[k]!, results[0] ?? null, reason);
          out.text(rows.row(chosen, chosen.map((name) => values[name as GeocodeRowColumn])));
        },
        tail: () => '',
        maxBytes: maxResponseBytes,
      });
      return c.body(body, 200, headers);
    }
    const reasons: (string | null)[] = [];
    const body = await streamBatchAnswer({
      count: addresses.length,
      noun: 'addresses',
      head: '{"results":[',
      separator: ',',
      writeItem: (out, k) => {
        const { results, reason } = geocoders.forward.lookup(addresses[k]!, { limit: 1 });
        out.text(JSON.stringify(results[0] ?? null));
        reasons.push(reason);
      },
      tail: () => `],"reasons":${JSON.stringify(reasons)}}`,
      maxBytes: maxResponseBytes,
    });
    return c.body(body, 200, headers);
  });

  return app;
}

type GeocodeRowColumn = (typeof GEOCODE_ROW_COLUMNS)[number];

function geocodeRowValues(query: string, r: GeocodeResult | null, reason: string | null): Record<GeocodeRowColumn, RowValue> {
  const m = r?.matched;
  return {
    query,
    address: r?.address ?? null,
    lng: r?.lng ?? null,
    lat: r?.lat ?? null,
    level: r?.level ?? null,
    score: r?.score ?? null,
    unit_grid: r?.unitGrid?.code ?? null,
    social_static: r?.socialGrid?.staticCode ?? null,
    social_dynamic: r?.socialGrid?.dynamicCode ?? null,
    community: r?.community?.code ?? null,
    street: r?.street?.code ?? null,
    district: r?.district?.code ?? null,
    house_id: r?.houseId ?? null,
    matched_road: m?.road ?? null,
    matched_number: m?.number ?? null,
    matched_poi: m?.poi ?? null,
    matched_alias: m?.alias ?? null,
    edits: m === undefined ? null : m.edits.join('|'),
    reason,
  };
}

// the schema asks for a non-empty string; blanks alone are no address either
function requireText(value: string, name: string): void {
  if (value.trim() === '') throw new InvalidRequestError(`${name} must be a non-empty address string, got ${JSON.stringify(value)}`);
}
