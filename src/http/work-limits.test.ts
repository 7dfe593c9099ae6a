import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Position } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { serveChild, type ServedChild } from '../cli/test-helpers/serve-child.js';
import { geometryBBox } from '../geo/bbox.js';
import { countVertices } from '../geo/vertex-count.js';
import { Store } from '../store/store.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { BATCH_LIMITS } from './batch-limits.js';
import { redrawPairs, redrawRequest, type RedrawRequestOf } from './test-helpers/grid-redraws.js';
import { parsePrometheus } from './test-helpers/parse-prometheus.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

// Issue 12, limits on work per request, against `wangge serve` (dist/) on loopback: batches beyond
// the caller's size, answers beyond --max-response-mb and geometries beyond --max-vertices are
// refused with 413 before the work; the largest allowed requests leave GET /health answering.

const POLLER = fileURLToPath(new URL('./test-helpers/poll-health.mjs', import.meta.url));
const DEFAULT_MAX_VERTICES = 2000;
/** GET /health answers within this while any one allowed request runs */
const HEALTH_BUDGET_MS = 50;
/**
 * Idle /health p99 latency above which this machine cannot show a 50 ms budget (6–8 ms when
 * quiet; 20 ms and more with another test file beside this one): on two shared cores loaded with
 * other work an idle server's /health already takes 100–400 ms now and then (the
 * process waits for a core; a garbage collection, for its helper threads). There the server's own
 * longest event-loop delay is held to BUSY_MACHINE_LAG_MS instead, while a batch takes seconds: the
 * stalls of issue 12 were 1.4–2.3 s on a quiet machine, and are several times that on a busy one.
 */
const QUIET_MACHINE_MS = 10;
const BUSY_MACHINE_LAG_MS = 1000;

let dir: string;
let db: string;
let server: ServedChild;
/** started with --max-response-mb 1 --max-vertices 100 */
let small: ServedChild;
let key: string;
let addresses: string[];
let street: { minX: number; minY: number; maxX: number; maxY: number };
/** a redraw of a social grid whose new boundary has close to the most vertices allowed */
let largeRedraw: RedrawRequestOf;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-limits-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  const store = Store.open(db);
  try {
    key = createApiKey(store, { name: '东城区网格化服务管理中心', scope: '110101' }).secret;
    addresses = store.db.prepare('SELECT address FROM houses WHERE address IS NOT NULL ORDER BY id LIMIT ?').pluck().all(BATCH_LIMITS.addresses.withKey) as string[];
    street = geometryBBox(store.getArea('110101001')!.geometry);
    largeRedraw = largestRedraw(store);
  } finally {
    store.close();
  }
  [server, small] = await Promise.all([serveChild(['--db', db], { timeoutMs: 180_000 }), serveChild(['--db', db, '--max-response-mb', '1', '--max-vertices', '100'], { timeoutMs: 180_000 })]);
}, 400_000);

afterAll(async () => {
  await Promise.all([server?.stop(), small?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const random = seededRandom(20261207);
const points = (count: number): Position[] => Array.from({ length: count }, () => [116.38 + random() * 0.06, 39.87 + random() * 0.09]);

async function post(base: string, path: string, body: unknown, secret?: string): Promise<{ status: number; type: string | null; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(secret ? { Authorization: `Bearer ${secret}` } : {}) };
  const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), json: JSON.parse(text) as Record<string, unknown> };
}

/** A house footprint of `vertices` positions (the ring closed by one more) around a spot in 东华门街道, ~5 m across. */
function house(vertices: number, n: number): unknown {
  const cx = street.minX + (street.maxX - street.minX) * (0.3 + 0.01 * n);
  const cy = (street.minY + street.maxY) / 2;
  const ring = Array.from({ length: vertices - 1 }, (_, k) => [cx + 0.00003 * Math.cos((2 * Math.PI * k) / (vertices - 1)), cy + 0.00003 * Math.sin((2 * Math.PI * k) / (vertices - 1))]);
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] }, properties: { floors: 2, use: '住宅' } };
}

/** The first redraw of a pair of grids with a wavy piece, as many vertices as the limit allows (the piece's ring is cut by the grids). */
function largestRedraw(store: Store): RedrawRequestOf {
  for (let pieceVertices = 2 * DEFAULT_MAX_VERTICES; pieceVertices > 100; pieceVertices = Math.floor(pieceVertices * 0.9)) {
    const request = redrawRequest(redrawPairs(store, 1, '', { pieceVertices })[0]!, 0, '2027-06-01');
    if (countVertices(request.body.geometry) <= DEFAULT_MAX_VERTICES) return request;
  }
  throw new Error('no redraw within the vertex limit');
}

interface HealthDuring<T> {
  result: T;
  /** /health latencies seen meanwhile, ms */
  latenciesMs: number[];
  /** the server's longest event-loop delay meanwhile (nodejs_eventloop_lag_max_seconds), ms */
  lagMaxMs: number;
}

/** The server's longest event-loop delay since the last scrape, ms; each scrape starts a new span. */
async function lagMaxMs(base: string): Promise<number> {
  const metrics = parsePrometheus(await (await fetch(`${base}/metrics`)).text());
  return metrics.get('nodejs_eventloop_lag_max_seconds')!.samples[0]!.value * 1000;
}

/** Runs `work` while another process polls GET /health every 10 ms. */
async function whilePollingHealth<T>(base: string, work: () => Promise<T>): Promise<HealthDuring<T>> {
  await lagMaxMs(base);
  const poller = spawn(process.execPath, [POLLER, base], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  poller.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => poller.once('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = await work();
  poller.stdin.end();
  await exited;
  const { latenciesMs, statuses } = JSON.parse(out) as { latenciesMs: number[]; statuses: number[] };
  expect(statuses.every((s) => s === 200), 'every /health answered 200').toBe(true);
  return { result, latenciesMs, lagMaxMs: await lagMaxMs(base) };
}

const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

describe('batch sizes: ten times more with an API key', () => {
  it('refuses 10,001 (and 100,000) points or 1,001 addresses without a key with 413 naming both limits', async () => {
    const reverse = await post(server.url, '/v1/reverse', { points: points(BATCH_LIMITS.points.withoutKey + 1) });
    expect(reverse.status).toBe(413);
    expect(reverse.type).toBe('application/problem+json');
    expect(reverse.json.detail).toBe(
      'body points has 10,001 items; at most 10,000 per request without an API key (100,000 with one: Authorization: Bearer <key>) — split the batch',
    );
    // the request of the issue: 100,000 points with address=1 and no key were answered (45 MB, /health stalled 1.4 s)
    const issue = await post(server.url, '/v1/reverse', { points: points(100_000), address: true });
    expect(issue.status).toBe(413);
    expect(issue.json.detail).toMatch(/^body points has 100,000 items; at most 10,000 per request without an API key/);
    const geocode = await post(server.url, '/v1/geocode', { addresses: addresses.slice(0, BATCH_LIMITS.addresses.withoutKey + 1) });
    expect(geocode.status).toBe(413);
    expect(geocode.json.detail).toMatch(/^body addresses has 1,001 items; at most 1,000 per request without an API key \(10,000 with one/);
  }, 120_000);

  it('takes the larger batch with a key, refuses one over the keyed limit, and answers an unknown key with 401', async () => {
    const keyed = await post(server.url, '/v1/reverse', { points: points(BATCH_LIMITS.points.withoutKey + 1) }, key);
    expect(keyed.status).toBe(200);
    expect(keyed.json.results).toHaveLength(BATCH_LIMITS.points.withoutKey + 1);
    const over = await post(server.url, '/v1/reverse', { points: points(BATCH_LIMITS.points.withKey + 1) }, key);
    expect(over.status).toBe(413);
    expect(over.json.detail).toMatch(/at most 100,000 per request/);
    const unknown = await post(server.url, '/v1/geocode', { addresses: addresses.slice(0, 2) }, 'wg_not_a_key');
    expect(unknown.status).toBe(401);
    expect(unknown.json.detail).toBe('the API key is unknown or revoked');
  }, 120_000);
});

describe('--max-response-mb: answers are refused before the work when they would be too large', () => {
  it('answers 10,000 points with 413 naming the projected size and the limit (1 MiB), and 1,000 with their answers', async () => {
    expect((await post(small.url, '/v1/reverse', { points: points(1000) })).status).toBe(200);
    const refused = await post(small.url, '/v1/reverse', { points: points(10_000), address: true });
    expect(refused.status).toBe(413);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.json.detail).toMatch(
      /^the answer to 10,000 points would be about [0-9.]+ MiB \(projected from the first 200\), more than this server's limit of 1\.0 MiB per answer: split the batch$/,
    );
  }, 120_000);
});

describe('--max-vertices: geometries of writes', () => {
  it('refuses a house over the limit with 413 naming its vertices and the limit, and writes one at the limit', async () => {
    const over = await post(server.url, '/v1/houses', house(DEFAULT_MAX_VERTICES + 1, 0), key);
    expect(over.status).toBe(413);
    expect(over.type).toBe('application/problem+json');
    expect(over.json.detail).toBe('body geometry has 2,001 vertices; this server takes at most 2,000 per feature — simplify it');
    expect((await post(server.url, '/v1/houses', house(DEFAULT_MAX_VERTICES, 1), key)).status).toBe(201);
    const configured = await post(small.url, '/v1/houses', house(101, 2), key);
    expect(configured.status).toBe(413);
    expect(configured.json.detail).toMatch(/has 101 vertices; this server takes at most 100 per feature/);
  }, 120_000);

  it('refuses the 300,000-vertex house of the issue by its body size, before parsing it', async () => {
    const refused = await post(server.url, '/v1/houses', house(300_000, 3), key);
    expect(refused.status).toBe(413);
    expect(refused.json.detail).toMatch(/^the body is larger than \d+ KiB, which a write of geometries of at most 2,000 vertices never needs$/);
  }, 120_000);
});

describe(`GET /health answers within ${HEALTH_BUDGET_MS} ms during the largest allowed requests`, () => {
  it('POST /v1/reverse of 100,000 points with address=1, POST /v1/geocode of 10,000 addresses, a house of 2,000 vertices, a grid redraw of nearly 2,000', async () => {
    const idle = await whilePollingHealth(server.url, () => new Promise((resolve) => setTimeout(resolve, 3000)));
    const idleMaxMs = Math.max(...idle.latenciesMs);
    // judged by the idle p99: another test file running beside this one keeps it at 20 ms and more
    const quiet = quantile(idle.latenciesMs, 0.99) < QUIET_MACHINE_MS;
    const largest: [string, () => Promise<unknown>][] = [
      [
        'POST /v1/reverse 100,000 points, address=1',
        async () => {
          const answer = await post(server.url, '/v1/reverse', { points: points(BATCH_LIMITS.points.withKey), address: true }, key);
          expect(answer.status).toBe(200);
          expect(answer.json.results).toHaveLength(BATCH_LIMITS.points.withKey);
        },
      ],
      [
        'POST /v1/geocode 10,000 addresses',
        async () => {
          const answer = await post(server.url, '/v1/geocode', { addresses }, key);
          expect(answer.status).toBe(200);
          expect((answer.json.results as unknown[]).filter((r) => r !== null).length).toBeGreaterThan(addresses.length * 0.95);
        },
      ],
      ['POST /v1/houses, 2,000 vertices', async () => expect((await post(server.url, '/v1/houses', house(DEFAULT_MAX_VERTICES, 4), key)).status).toBe(201)],
      [
        `POST /v1/grids/…/versions, ${countVertices(largeRedraw.body.geometry).toLocaleString('en')} vertices`,
        async () => expect((await post(server.url, `/v1/grids/${largeRedraw.staticCode}/versions`, largeRedraw.body, key)).status).toBe(201),
      ],
    ];
    const rows: string[] = [`  idle                                          /health max ${idleMaxMs.toFixed(1)} ms, p99 ${quantile(idle.latenciesMs, 0.99).toFixed(1)} ms, server loop delay max ${idle.lagMaxMs.toFixed(0)} ms`];
    const seen: { what: string; maxMs: number; lagMaxMs: number }[] = [];
    for (const [what, request] of largest) {
      const started = performance.now();
      const during = await whilePollingHealth(server.url, request);
      const maxMs = Math.max(...during.latenciesMs);
      seen.push({ what, maxMs, lagMaxMs: during.lagMaxMs });
      rows.push(
        `  ${what.padEnd(45)} /health max ${maxMs.toFixed(1)} ms, p99 ${quantile(during.latenciesMs, 0.99).toFixed(1)} ms over ${during.latenciesMs.length} polls, ` +
          `server loop delay max ${during.lagMaxMs.toFixed(0)} ms; request ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    console.log(`GET /health during the largest allowed requests (${quiet ? 'quiet machine: 50 ms asserted' : `busy machine (idle /health max ${idleMaxMs.toFixed(0)} ms): the server's loop delay is held to ${BUSY_MACHINE_LAG_MS} ms`}):\n${rows.join('\n')}`);
    for (const { what, maxMs, lagMaxMs } of seen) {
      if (quiet) expect(maxMs, `${what}: longest /health latency`).toBeLessThan(HEALTH_BUDGET_MS);
      else expect(lagMaxMs, `${what}: the server's longest event-loop delay`).toBeLessThan(BUSY_MACHINE_LAG_MS);
    }
  }, 600_000);
});
