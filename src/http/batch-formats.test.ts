import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeocoders } from '../geocode/geocoders.js';
import { parseCsv } from '../ingest/csv.js';
import { Store } from '../store/store.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';
import { batchFormat, GEOCODE_ROW_COLUMNS, REVERSE_ROW_COLUMNS } from './batch-formats.js';
import { startServer } from './serve.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

describe('batchFormat', () => {
  it.each([
    [undefined, 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/x-ndjson', 'ndjson'],
    ['text/csv', 'csv'],
    ['TEXT/CSV; charset=utf-8', 'csv'],
    ['text/csv, application/json;q=0.5', 'csv'],
    ['text/csv;q=0.5, application/x-ndjson', 'ndjson'],
    ['text/csv, application/json', 'json'],
    ['text/html, */*;q=0.8', 'json'],
    ['text/csv;q=0', 'json'],
  ] as const)('%j → %s', (accept, format) => {
    expect(batchFormat(accept)).toBe(format);
  });
});

let dir: string;
let store: Store;
let server: Awaited<ReturnType<typeof startServer>>;
let addresses: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-batch-formats-'));
  const path = join(dir, 'district.db');
  defaultDistrictAt(path);
  store = Store.open(path, { readonly: true });
  // real door plates of the test district, noisy spellings (one read with an edit), and addresses without an answer
  const plates = store.db.prepare('SELECT address FROM houses WHERE address IS NOT NULL ORDER BY id LIMIT 300').pluck().all() as string[];
  addresses = [...plates, '北京市东城区多福巷12号', '東城區多福巷十二號', '东城区东四10条1号', '上海市黄浦区南京东路1号', '火星基地7号', '北京市东城区"引号",逗号胡同1号'];
  server = await startServer(createApp({ store, geocoders: loadGeocoders(store), tiles: TileService.fromStore(store), rateLimit: 0 }), { host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** the bytes as sent (still compressed when Content-Encoding says so) */
  body: Buffer;
}

/** A request over loopback, its answer as sent: fetch would undo the content coding itself. */
function send(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Raw> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

type Row = Record<string, unknown>;

function ndjsonRows(raw: Raw): Row[] {
  const text = raw.body.toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Row);
}

/** CSV rows as objects of strings, and the header */
function csvRows(raw: Raw): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...records] = [...parseCsv(raw.body.toString('utf8'))].map((record) => {
    expect(record.error).toBeUndefined();
    return record.fields;
  });
  return { header: header!, rows: records.map((record) => Object.fromEntries(header!.map((name, k) => [name, record[k]!]))) };
}

/** a JSON value as CSV shows it: null as empty, numbers as JSON writes them */
const csvText = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

function randomPoints(count: number, seed: number): [number, number][] {
  const random = seededRandom(seed);
  // the district and a margin around it, so some points lie outside every area
  return Array.from({ length: count }, () => [Math.round((116.37 + random() * 0.08) * 1e6) / 1e6, Math.round((39.85 + random() * 0.12) * 1e6) / 1e6]);
}

interface ReverseJson {
  lng: number;
  lat: number;
  input?: [number, number];
  district: { code: string } | null;
  street: { code: string } | null;
  community: { code: string } | null;
  unitGrid: { code: string } | null;
  socialGrid: { staticCode: string; dynamicCode: string } | null;
  nearestAddress?: { id: number; label: string; distanceM: number } | null;
}

/** A JSON reverse result as a flat row of REVERSE_ROW_COLUMNS */
function flatReverse(r: ReverseJson): Row {
  return {
    lng: r.lng,
    lat: r.lat,
    ...(r.input ? { input_x: r.input[0], input_y: r.input[1] } : {}),
    district: r.district?.code ?? null,
    street: r.street?.code ?? null,
    community: r.community?.code ?? null,
    unit_grid: r.unitGrid?.code ?? null,
    social_static: r.socialGrid?.staticCode ?? null,
    social_dynamic: r.socialGrid?.dynamicCode ?? null,
    ...(r.nearestAddress === undefined
      ? {}
      : { nearest_address_id: r.nearestAddress?.id ?? null, nearest_address: r.nearestAddress?.label ?? null, nearest_address_distance_m: r.nearestAddress?.distanceM ?? null }),
  };
}

describe('POST /v1/reverse as NDJSON and CSV (real server on loopback)', () => {
  const points = randomPoints(2_000, 7);
  let json: ReverseJson[];

  beforeAll(async () => {
    const raw = await send('/v1/reverse', { points });
    expect(raw.status).toBe(200);
    json = (JSON.parse(raw.body.toString()) as { results: ReverseJson[] }).results;
    // the sample covers both cases
    expect(json.some((r) => r.unitGrid === null)).toBe(true);
    expect(json.filter((r) => r.unitGrid !== null).length).toBeGreaterThan(800);
  });

  it('answers NDJSON with the values of the JSON answer, one line per point, in order', async () => {
    const raw = await send('/v1/reverse', { points }, { Accept: 'application/x-ndjson' });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(raw.headers.vary).toMatch(/\bAccept\b/);
    const rows = ndjsonRows(raw);
    expect(rows).toEqual(json.map(flatReverse));
    expect(Object.keys(rows[0]!)).toEqual([...REVERSE_ROW_COLUMNS.point, ...REVERSE_ROW_COLUMNS.codes]);
  });

  it('answers CSV with a header of the CLI column names and the same values', async () => {
    const raw = await send('/v1/reverse', { points }, { Accept: 'text/csv' });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    const { header, rows } = csvRows(raw);
    expect(header).toEqual(['lng', 'lat', 'district', 'street', 'community', 'unit_grid', 'social_static', 'social_dynamic']);
    expect(rows).toEqual(json.map((r) => Object.fromEntries(Object.entries(flatReverse(r)).map(([name, value]) => [name, csvText(value)]))));
  });

  it('returns only the fields asked for, in the answer’s order', async () => {
    const fields = 'social_dynamic,unit_grid,social_static';
    const csv = csvRows(await send(`/v1/reverse?fields=${fields}`, { points }, { Accept: 'text/csv' }));
    expect(csv.header).toEqual(['unit_grid', 'social_static', 'social_dynamic']);
    const ndjson = ndjsonRows(await send(`/v1/reverse?fields=${fields}`, { points }, { Accept: 'application/x-ndjson' }));
    const expected = json.map((r) => {
      const { unit_grid, social_static, social_dynamic } = flatReverse(r);
      return { unit_grid, social_static, social_dynamic };
    });
    expect(ndjson).toEqual(expected);
    expect(csv.rows).toEqual(expected.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, csvText(value)]))));
  });

  it('carries the point as sent with a crs, and the nearest door plate with address=true', async () => {
    const some = points.slice(0, 300);
    const body = { points: some, crs: 'gcj02', address: true };
    const expected = ((JSON.parse((await send('/v1/reverse', body)).body.toString()) as { results: ReverseJson[] }).results).map(flatReverse);
    expect(expected.some((row) => row.nearest_address !== null)).toBe(true);
    const rows = ndjsonRows(await send('/v1/reverse', body, { Accept: 'application/x-ndjson' }));
    expect(rows).toEqual(expected);
    expect(rows.map((row) => [row.input_x, row.input_y])).toEqual(some);
    const { header } = csvRows(await send('/v1/reverse', body, { Accept: 'text/csv' }));
    expect(header).toEqual(Object.keys(expected[0]!));
  });

  it('refuses an unknown field with a 400 problem naming the allowed ones, and fields with a JSON answer', async () => {
    const raw = await send('/v1/reverse?fields=unit_grid,grid_code', { points }, { Accept: 'text/csv' });
    expect(raw.status).toBe(400);
    expect(raw.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(raw.body.toString()) as { detail: string; code: string };
    expect(problem.code).toBe('invalid_request');
    expect(problem.detail).toContain('"grid_code"');
    expect(problem.detail).toContain('lng, lat, district, street, community, unit_grid, social_static, social_dynamic');

    // input_x belongs to answers with a crs other than wgs84
    const input = JSON.parse((await send('/v1/reverse?fields=input_x', { points }, { Accept: 'application/x-ndjson' })).body.toString()) as { status: number; detail: string };
    expect(input.status).toBe(400);
    expect(input.detail).toContain('"input_x"');

    const asJson = JSON.parse((await send('/v1/reverse?fields=unit_grid', { points })).body.toString()) as { status: number; detail: string };
    expect(asJson.status).toBe(400);
    expect(asJson.detail).toMatch(/NDJSON and CSV/);
  });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('sends JSON, NDJSON and CSV %s-compressed when accepted, decoding to exactly the identity answer', async (coding, decompress) => {
    for (const accept of ['application/json', 'application/x-ndjson', 'text/csv']) {
      const identity = await send('/v1/reverse', { points }, { Accept: accept });
      expect(identity.headers['content-encoding']).toBeUndefined();
      const compressed = await send('/v1/reverse', { points }, { Accept: accept, 'Accept-Encoding': coding === 'br' ? 'gzip, deflate, br' : 'gzip;q=1, br;q=0.5' });
      expect(compressed.status).toBe(200);
      expect(compressed.headers['content-encoding']).toBe(coding);
      expect(compressed.headers['content-type']).toBe(identity.headers['content-type']);
      expect(compressed.headers.vary).toMatch(/Accept-Encoding/);
      expect(compressed.body.length).toBeLessThan(identity.body.length / 4);
      expect(decompress(compressed.body).equals(identity.body)).toBe(true);
    }
  });
});

interface GeocodeJson {
  results: ({
    address: string;
    lng: number;
    lat: number;
    level: string;
    score: number;
    houseId: number | null;
    district: { code: string } | null;
    street: { code: string } | null;
    community: { code: string } | null;
    unitGrid: { code: string } | null;
    socialGrid: { staticCode: string; dynamicCode: string } | null;
    matched: { road: string | null; number: string | null; poi: string | null; alias: string | null; edits: string[] };
  } | null)[];
  reasons: (string | null)[];
}

describe('POST /v1/geocode as NDJSON and CSV (real server on loopback)', () => {
  let expected: Row[];

  beforeAll(async () => {
    const { results, reasons } = JSON.parse((await send('/v1/geocode', { addresses })).body.toString()) as GeocodeJson;
    expected = results.map((r, k) => ({
      query: addresses[k],
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
      matched_road: r?.matched.road ?? null,
      matched_number: r?.matched.number ?? null,
      matched_poi: r?.matched.poi ?? null,
      matched_alias: r?.matched.alias ?? null,
      edits: r ? r.matched.edits.join('|') : null,
      reason: reasons[k],
    }));
    expect(expected.filter((row) => row.level === 'door').length).toBeGreaterThan(250);
    expect(expected.filter((row) => row.reason !== null).length).toBeGreaterThanOrEqual(2);
    expect(expected.some((row) => row.edits !== null && row.edits !== '')).toBe(true);
  });

  it('answers NDJSON and CSV with the values of the JSON answer, one row per address, in order', async () => {
    const ndjson = await send('/v1/geocode', { addresses }, { Accept: 'application/x-ndjson' });
    expect(ndjson.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(ndjsonRows(ndjson)).toEqual(expected);

    const csv = csvRows(await send('/v1/geocode', { addresses }, { Accept: 'text/csv' }));
    expect(csv.header).toEqual([...GEOCODE_ROW_COLUMNS]);
    expect(csv.rows).toEqual(expected.map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, csvText(value)]))));
  });

  it('returns only the fields asked for, and refuses unknown ones naming the allowed ones', async () => {
    const rows = ndjsonRows(await send('/v1/geocode?fields=query,unit_grid,social_static,social_dynamic', { addresses }, { Accept: 'application/x-ndjson' }));
    expect(rows).toEqual(expected.map(({ query, unit_grid, social_static, social_dynamic }) => ({ query, unit_grid, social_static, social_dynamic })));

    const raw = await send('/v1/geocode?fields=unit_grid,geohash', { addresses }, { Accept: 'text/csv' });
    expect(raw.status).toBe(400);
    expect(raw.headers['content-type']).toBe('application/problem+json');
    const { detail } = JSON.parse(raw.body.toString()) as { detail: string };
    expect(detail).toContain('"geohash"');
    expect(detail).toContain(GEOCODE_ROW_COLUMNS.join(', '));
  });

  it('sends the CSV brotli-compressed when accepted, decoding to exactly the identity answer', async () => {
    const identity = await send('/v1/geocode', { addresses }, { Accept: 'text/csv' });
    const compressed = await send('/v1/geocode', { addresses }, { Accept: 'text/csv', 'Accept-Encoding': 'br' });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(compressed.body).equals(identity.body)).toBe(true);
  });
});
