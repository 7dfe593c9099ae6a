import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { serveChild, type ServedChild } from '../cli/test-helpers/serve-child.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { PointResolver } from '../geocode/reverse.js';
import { Store } from '../store/store.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { tileRange, worldBox, type TileCoord } from '../tiles/tile-coords.js';
import { redrawDay, redrawPairs, redrawRequest, type RedrawPair } from './test-helpers/grid-redraws.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

// Issue 9: one client writing 1.4 houses/s took mixed reads from ~1,800 req/s to 28 req/s (p99
// 2.7–6.9 s), because each house or door-plate write rebuilt the forward index in the request.
// Here one writer sends 10 writes/s — houses, door plates and components created, patched and
// retired, and a grid redraw every 20th — while READERS connections read as fast as they are
// answered: reverse geocoding, geocoding, tiles and features, against `wangge serve` on loopback.
// Reads alone run first for comparison. Read p99 must stay under 50 ms with the writer, with no
// failed request of either kind. A machine already busier than its cores (other jobs) cannot show
// an absolute figure; there the p99 with the writer is held to three times the p99 of reads alone
// (the rebuild-per-write this guards against put it at seconds).

const READ_SECONDS = Number(process.env.WANGGE_STALL_SECONDS ?? 20);
const BASELINE_SECONDS = 8;
const WARMUP_SECONDS = 6;
const READERS = 8;
const WRITES_PER_SECOND = 10;
const REDRAW_EVERY = 20;
const READ_P99_MS = 50;
/** a written house is a square this many degrees on a side */
const HOUSE_SIDE = 0.0001;

const random = seededRandom(Number(process.env.WANGGE_LOAD_SEED ?? 20261207));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

let dir: string;
let server: ServedChild;
let secret: string;
let district: BBox;
let points: [number, number][];
let addresses: string[];
let roads: string[];
let features: string[];
let tiles: TileCoord[];
let pairs: RedrawPair[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-write-stall-'));
  const db = join(dir, 'district.db');
  defaultDistrictAt(db);
  const store = Store.open(db);
  try {
    secret = createApiKey(store, { name: '东城区网格化服务管理中心', scope: '110101' }).secret;
    district = geometryBBox(store.getArea('110101')!.geometry);
    // points inside unit grids, so writes land somewhere a key may write
    const resolver = new PointResolver([], [...store.iterate('grids')], { raster: false });
    points = [];
    while (points.length < 2000) {
      const p: [number, number] = [district.minX + random() * (district.maxX - district.minX), district.minY + random() * (district.maxY - district.minY)];
      // the whole footprint a house write draws north-east of the point, not just its corner
      const corners: [number, number][] = [p, [p[0] + HOUSE_SIDE, p[1]], [p[0], p[1] + HOUSE_SIDE], [p[0] + HOUSE_SIDE, p[1] + HOUSE_SIDE]];
      if (corners.every((c) => resolver.resolve(...c).unitGrid !== null)) points.push(p);
    }
    addresses = store.db.prepare('SELECT address FROM houses WHERE address IS NOT NULL ORDER BY id').pluck().all() as string[];
    roads = store.db.prepare('SELECT DISTINCT road FROM addresses ORDER BY road').pluck().all() as string[];
    const sample = (sql: string, prefix: string): string[] => {
      const all = store.db.prepare(sql).pluck().all() as (string | number)[];
      return Array.from({ length: 500 }, () => `${prefix}/${pick(all)}`);
    };
    features = [
      ...sample('SELECT id FROM houses ORDER BY id', '/v1/houses'),
      ...sample('SELECT code FROM components ORDER BY code', '/v1/components'),
      ...sample('SELECT code FROM grids WHERE valid_to IS NULL ORDER BY code', '/v1/grids'),
    ];
    pairs = redrawPairs(store, 8);
  } finally {
    store.close();
  }
  tiles = [];
  for (const z of [14, 15, 16, 17]) {
    const range = tileRange(worldBox(district), z);
    for (let x = range.minX; x <= range.maxX; x++) for (let y = range.minY; y <= range.maxY; y++) if (z < 17 || random() < 0.15) tiles.push({ z, x, y });
  }
  server = await serveChild(['--db', db, '--rate-limit', '0']);
}, 180_000);

afterAll(async () => {
  if (server) await server.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Sample {
  kind: string;
  ms: number;
}

interface Failure {
  request: string;
  status: number | string;
  body: string;
}

/** Sends one request; returns the parsed body when the status is expected, else records a failure. */
async function send(failures: Failure[], samples: Sample[], kind: string, method: string, path: string, ok: number[], body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers.Authorization = `Bearer ${secret}`;
  const started = performance.now();
  try {
    const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const bytes = await res.arrayBuffer();
    samples.push({ kind, ms: performance.now() - started });
    if (ok.includes(res.status)) return res.headers.get('content-type')?.includes('json') ? JSON.parse(new TextDecoder().decode(bytes)) : null;
    failures.push({ request: `${method} ${path}`, status: res.status, body: new TextDecoder().decode(bytes).slice(0, 300) });
  } catch (error) {
    failures.push({ request: `${method} ${path}`, status: 'transport', body: String((error as Error).cause ?? error) });
  }
  return undefined;
}

/** One read of the mix; `cursor` walks the tiles in order during the warm-up, so each is cut once. */
function read(failures: Failure[], samples: Sample[], cursor?: { next: number }): Promise<unknown> {
  const roll = random();
  if (cursor) return send(failures, samples, 'tile', 'GET', tilePath(tiles[cursor.next++ % tiles.length]!), [200, 204]);
  if (roll < 0.3) {
    const [lng, lat] = [district.minX + random() * (district.maxX - district.minX), district.minY + random() * (district.maxY - district.minY)];
    return send(failures, samples, 'reverse', 'GET', `/v1/reverse?lng=${lng.toFixed(6)}&lat=${lat.toFixed(6)}${random() < 0.3 ? '&address=1' : ''}`, [200]);
  }
  if (roll < 0.55) return send(failures, samples, 'geocode', 'GET', `/v1/geocode?q=${encodeURIComponent(pick(addresses))}`, [200]);
  if (roll < 0.85) return send(failures, samples, 'tile', 'GET', tilePath(pick(tiles)), [200, 204]);
  return send(failures, samples, 'feature', 'GET', pick(features), [200]);
}

const tilePath = ({ z, x, y }: TileCoord): string => `/tiles/wangge/${z}/${x}/${y}`;

/** Readers reading for `seconds`, as fast as the server answers. */
async function reading(seconds: number, failures: Failure[], samples: Sample[], warm = false): Promise<number> {
  const until = performance.now() + seconds * 1000;
  const cursor = warm ? { next: 0 } : undefined;
  const started = performance.now();
  await Promise.all(Array.from({ length: READERS }, async () => {
    while (performance.now() < until) await read(failures, samples, cursor);
  }));
  return (performance.now() - started) / 1000;
}

/**
 * One writer at WRITES_PER_SECOND until `stop()` says so: houses, door plates and components in
 * turn, each created, then patched, then retired; every REDRAW_EVERY-th write redraws a grid.
 */
async function writing(stop: () => boolean, failures: Failure[], samples: Sample[]): Promise<number> {
  const live: Record<'houses' | 'addresses' | 'components', (string | number)[]> = { houses: [], addresses: [], components: [] };
  const turns = { houses: 0, addresses: 0, components: 0 };
  const started = performance.now();
  let n = 0;
  let redraws = 0;
  for (; !stop(); n++) {
    const due = started + (n * 1000) / WRITES_PER_SECOND;
    if (due > performance.now()) await sleep(due - performance.now());
    if (n % REDRAW_EVERY === REDRAW_EVERY - 1) {
      const pair = pairs[redraws % pairs.length]!;
      const { staticCode, body } = redrawRequest(pair, Math.floor(redraws / pairs.length), redrawDay(redraws));
      redraws++;
      await send(failures, samples, 'grid redraw', 'POST', `/v1/grids/${staticCode}/versions`, [201], body);
      continue;
    }
    const layer = (['houses', 'addresses', 'components'] as const)[n % 3]!;
    const turn = turns[layer]++ % 3;
    const [x, y] = pick(points);
    const noun = layer === 'houses' ? 'house' : layer === 'addresses' ? 'door plate' : 'component';
    if (turn === 0 || live[layer].length === 0) {
      const d = HOUSE_SIDE;
      const feature =
        layer === 'houses'
          ? { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] }, properties: { floors: 3, use: '住宅' } }
          : layer === 'addresses'
            ? { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { road: pick(roads), number: 800 + n } }
            : { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' } };
      const created = (await send(failures, samples, `${noun} create`, 'POST', `/v1/${layer}`, [201], feature)) as { id: string | number } | undefined;
      if (created) live[layer].push(created.id);
    } else if (turn === 1) {
      const id = live[layer].at(-1)!;
      const patch = layer === 'houses' ? { properties: { floors: 4 } } : layer === 'addresses' ? { geometry: { type: 'Point', coordinates: [x, y] } } : { properties: { status: '破损' } };
      await send(failures, samples, `${noun} patch`, 'PATCH', `/v1/${layer}/${id}`, [200], patch);
    } else {
      await send(failures, samples, `${noun} retire`, 'DELETE', `/v1/${layer}/${live[layer].shift()!}`, [200]);
    }
  }
  return n / ((performance.now() - started) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const summary = (samples: Sample[], seconds: number): string =>
  `${(samples.length / seconds).toFixed(0)} req/s, p50 ${percentile(samples.map((s) => s.ms), 50).toFixed(1)} ms, p99 ${percentile(samples.map((s) => s.ms), 99).toFixed(1)} ms, max ${Math.max(...samples.map((s) => s.ms)).toFixed(0)} ms`;

describe('writes beside reads', () => {
  it(`one writer at ${WRITES_PER_SECOND} writes/s keeps mixed reads from ${READERS} connections under ${READ_P99_MS} ms at p99, with no errors`, async () => {
    const failures: Failure[] = [];
    const load = loadavg()[0]!;
    const busy = load > cpus().length;
    await reading(WARMUP_SECONDS, failures, [], true);
    const alone: Sample[] = [];
    const aloneS = await reading(BASELINE_SECONDS, failures, alone);

    const reads: Sample[] = [];
    const writes: Sample[] = [];
    let done = false;
    const writer = writing(() => done, failures, writes);
    const readS = await reading(READ_SECONDS, failures, reads);
    done = true;
    const writeRate = await writer;

    const kinds = [...new Set(reads.map((s) => s.kind))].sort();
    const byKind = (samples: Sample[], kind: string): number[] => samples.filter((s) => s.kind === kind).map((s) => s.ms);
    const writeKinds = [...new Set(writes.map((s) => s.kind))].sort();
    console.log(
      `write stall: reads alone ${summary(alone, aloneS)}; ` +
        `with one writer at ${writeRate.toFixed(1)} writes/s (${writes.length} writes) ${summary(reads, readS)} ` +
        `[p99 by kind: ${kinds.map((k) => `${k} ${percentile(byKind(reads, k), 99).toFixed(1)} ms`).join(', ')}]; ` +
        `write round trips, median / p99: ${writeKinds.map((k) => `${k} ${percentile(byKind(writes, k), 50).toFixed(1)} / ${percentile(byKind(writes, k), 99).toFixed(1)} ms`).join(', ')}; ` +
        `${failures.length} errors${failures.length > 0 ? ` (first: ${JSON.stringify(failures[0])})` : ''}; ${READERS} read connections, loopback; ` +
        `${cpus()[0]?.model} ×${cpus().length}, load average ${load.toFixed(2)} before the run` +
        (busy ? ` — the machine was busy, so read p99 is held to three times that of reads alone instead of ${READ_P99_MS} ms` : ''),
    );
    expect(failures.slice(0, 10), `${failures.length} failed requests`).toEqual([]);
    expect(writeRate, 'writes per second the writer managed').toBeGreaterThan(WRITES_PER_SECOND * 0.9);
    const p99 = percentile(reads.map((s) => s.ms), 99);
    if (busy) expect(p99, 'read p99 with the writer (ms), against three times that of reads alone').toBeLessThan(Math.max(READ_P99_MS, 3 * percentile(alone.map((s) => s.ms), 99)));
    else expect(p99, 'read p99 with the writer (ms)').toBeLessThan(READ_P99_MS);
  }, (WARMUP_SECONDS + BASELINE_SECONDS + READ_SECONDS + 120) * 1000);
});
