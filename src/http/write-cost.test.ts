import type { Feature } from 'geojson';
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { geometryBBox } from '../geo/bbox.js';
import { startLive, type LiveService } from '../live.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { createApp } from './app.js';
import { redrawDay, redrawPairs, redrawRequest } from './test-helpers/grid-redraws.js';
import { writerFor } from '../write/feature-writer.js';
import { planRedraw } from '../write/redraw-plan.js';

// What one write costs the event loop, in process on the default district: from the request to
// its response, every index (tiles, reverse, forward, nearest door plate, autocomplete) is up to
// date, and nothing else runs meanwhile, so the handler's time is the time every other request
// waits. Each kind is measured over several writes after a warm-up; the assertion is on the
// median CPU time of the process (what the write computes: steadier than the wall clock when other
// processes share the cores), and the wall time is printed beside it. A machine already busier
// than its cores (other jobs) slows every instruction; there the bound is BUSY_FACTOR × looser
// and the output says so.

/** writes measured per kind, after WARM_UP */
const WRITES = 15;
const WARM_UP = 3;
const BUDGET_MS = 5;
/**
 * A grid redraw's budget on the event loop, its plan (the polygon clipping) done on a worker: it
 * still reads the grids its boundary meets, writes two versions and their change-log rows with
 * whole geometries, reassigns the houses on the moved piece and places two grids' label points
 * again (polylabel) — 7–9 ms here on a quiet machine, over issue 9's 5 ms.
 */
const REDRAW_BUDGET_MS = 12;
const BUSY_FACTOR = 3;

let district: TestDistrict;
let live: LiveService;
let app: ReturnType<typeof createApp>;
let key: string;

beforeAll(() => {
  district = openTestDistrict('write-cost');
  live = startLive(district.store);
  app = createApp({ store: district.store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, rateLimit: 0 });
  key = createApiKey(district.store, { name: '东城区网格化服务管理中心', scope: '110101' }).secret;
}, 120_000);

afterAll(() => {
  live?.stop();
  district?.remove();
});

interface Cost {
  wallMs: number;
  cpuMs: number;
}

/** Sends one write and measures it; the body comes back parsed. */
async function timed(method: string, path: string, body?: unknown): Promise<{ cost: Cost; json: { id: string | number } }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  // as a client over HTTP sends it, with its length
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` };
  if (text !== undefined) headers['Content-Length'] = String(Buffer.byteLength(text));
  const init = { method, headers, body: text };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const res = await app.request(path, init);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const answer = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${answer}`);
  return { cost: { wallMs, cpuMs: (used.user + used.system) / 1000 }, json: JSON.parse(answer) as { id: string | number } };
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

describe('event-loop time per write', () => {
  it(`every kind of write costs < ${BUDGET_MS} ms, a grid redraw < ${REDRAW_BUDGET_MS} ms with its plan on a worker (median of ${WRITES}; p95 printed)`, async () => {
    const store = district.store;
    const random = seededRandom(20261207);
    const street = geometryBBox(store.getArea('110101001')!.geometry);
    const spot = (): [number, number] => [street.minX + random() * (street.maxX - street.minX), street.minY + random() * (street.maxY - street.minY)];
    const road = store.getAddress(1)!.road;
    const costs = new Map<string, Cost[]>();
    const pairs = redrawPairs(store, 4, '110101001');
    expect(pairs.length).toBe(4);
    let redraws = 0;
    for (let n = 0; n < WARM_UP + WRITES; n++) {
      const record = (kind: string, cost: Cost): void => {
        if (n >= WARM_UP) costs.set(kind, [...(costs.get(kind) ?? []), cost]);
      };
      const [x, y] = spot();
      const lamp: Feature = { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' } };
      const component = await timed('POST', '/v1/components', lamp);
      record('component create', component.cost);
      record('component patch', (await timed('PATCH', `/v1/components/${component.json.id}`, { properties: { status: '破损' } })).cost);
      record('component retire', (await timed('DELETE', `/v1/components/${component.json.id}`)).cost);

      const d = 0.0001;
      const footprint = { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] };
      const house = await timed('POST', '/v1/houses', { type: 'Feature', geometry: footprint, properties: { floors: 4, use: '住宅', address: `${road}${900 + n}号` } });
      record('house create', house.cost);
      record('house patch', (await timed('PATCH', `/v1/houses/${house.json.id}`, { properties: { floors: 5 } })).cost);
      const plate = await timed('POST', '/v1/addresses', { type: 'Feature', geometry: { type: 'Point', coordinates: [x, y] }, properties: { road, number: 900 + n, house_id: house.json.id } });
      record('door plate create', plate.cost);
      record('door plate patch', (await timed('PATCH', `/v1/addresses/${plate.json.id}`, { geometry: { type: 'Point', coordinates: [x + d / 2, y + d / 2] } })).cost);
      record('door plate retire', (await timed('DELETE', `/v1/addresses/${plate.json.id}`)).cost);
      record('house retire', (await timed('DELETE', `/v1/houses/${house.json.id}`)).cost);

      const pair = pairs[n % pairs.length]!;
      const { staticCode, body } = redrawRequest(pair, Math.floor(n / pairs.length), redrawDay(redraws++));
      // a server plans the shapes on a worker thread (redraw-thread.ts); from sources the request
      // plans them inline, so the plan's CPU, measured on the same input just before, is taken off
      const input = live.writes.grids.prepare(staticCode, body, writerFor({ name: '东城区网格化服务管理中心', scope: '110101' } as never)).input;
      const planCpu = process.cpuUsage();
      planRedraw(input);
      const planUsed = process.cpuUsage(planCpu);
      const redraw = (await timed('POST', `/v1/grids/${staticCode}/versions`, body)).cost;
      record('grid redraw incl. its plan', redraw);
      record('grid redraw', { wallMs: redraw.wallMs, cpuMs: Math.max(0, redraw.cpuMs - (planUsed.user + planUsed.system) / 1000) });
    }

    const load = loadavg()[0]!;
    const busy = load > cpus().length;
    const rows = [...costs].map(([kind, list]) => {
      const cpu = list.map((c) => c.cpuMs);
      const wall = list.map((c) => c.wallMs);
      return { kind, cpuMin: quantile(cpu, 0), cpuMedian: quantile(cpu, 0.5), cpuP95: quantile(cpu, 0.95), wallMedian: quantile(wall, 0.5), wallP95: quantile(wall, 0.95) };
    });
    const limit = busy ? BUDGET_MS * BUSY_FACTOR : BUDGET_MS;
    console.log(
      `event-loop time per write, ${WRITES} writes each (ms; CPU min / median / p95, then wall clock median / p95; ${cpus()[0]?.model} ×${cpus().length}, load average ${load.toFixed(2)}):\n` +
        rows.map((r) => `  ${r.kind.padEnd(18)} CPU ${r.cpuMin.toFixed(2)} / ${r.cpuMedian.toFixed(2)} / ${r.cpuP95.toFixed(2)}   wall ${r.wallMedian.toFixed(2)} / ${r.wallP95.toFixed(2)}`).join('\n') +
        (busy ? `\n  the machine was busy (load above ${cpus().length}): medians are held to ${limit} ms instead of ${BUDGET_MS} ms` : ''),
    );
    for (const r of rows.filter((row) => row.kind !== 'grid redraw incl. its plan')) {
      const budget = r.kind === 'grid redraw' ? (limit / BUDGET_MS) * REDRAW_BUDGET_MS : limit;
      expect(r.cpuMedian, `${r.kind}: median CPU time per write`).toBeLessThan(budget);
    }
  }, 300_000);
});
