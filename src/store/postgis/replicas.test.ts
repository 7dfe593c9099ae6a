import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveChild, type ServedChild } from '../../cli/test-helpers/serve-child.js';
import { freshDatabase, testPostgres } from '../../test-helpers/postgres.js';
import { seededRandom } from '../../test-helpers/seeded-random.js';
import { buildDistrictPostgis } from './build-district-postgis.js';
import { connectPostgis } from './postgis.js';

// issue 10: replicas on one PostGIS database follow its change log; a write made in the database
// (here by SQL, as a GIS user or another system would) is in both replicas' answers within 1 s
describe.skipIf(!testPostgres)('two replicas following one PostGIS database', () => {
  let url: string;
  let drop: () => Promise<void>;
  let sql: ReturnType<typeof connectPostgis>;
  let replicas: ServedChild[] = [];

  beforeAll(async () => {
    ({ url, drop } = await freshDatabase('replicas'));
    await buildDistrictPostgis(url);
    sql = connectPostgis(url);
    replicas = await Promise.all([serveChild(['--store', url], { timeoutMs: 120_000 }), serveChild(['--store', url], { timeoutMs: 120_000 })]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await sql?.end();
    await drop?.();
  });

  /** Resolves with the ms until `path` answers 200 on every replica (polled every 10 ms), or throws after `limitMs`. */
  async function untilEverywhere(path: string, since: number, limitMs = 5_000, accept = (_body: string) => true): Promise<number> {
    const pending = new Set(replicas);
    while (pending.size > 0) {
      for (const replica of [...pending]) {
        const res = await fetch(replica.url + path);
        const body = await res.text();
        if (res.status === 200 && accept(body)) pending.delete(replica);
      }
      if (performance.now() - since > limitMs) throw new Error(`${path} not on every replica after ${limitMs} ms`);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return performance.now() - since;
  }

  it('a component inserted in PostGIS is in both replicas’ lookups within 1 s (p99 of 100), then in /v1/reverse?components= and the tiles', async () => {
    const templates = await sql<{ code: string; x: number; y: number; unit_grid_code: string }[]>`
      SELECT code, ST_X(geometry) AS x, ST_Y(geometry) AS y, unit_grid_code FROM components WHERE major = '04' AND minor = '02' ORDER BY code LIMIT 100`;
    const random = seededRandom(5);
    const latencies: number[] = [];
    let last = { code: '', x: 0, y: 0 };
    for (const [k, template] of templates.entries()) {
      const code = `${template.code.slice(0, 10)}${String(900_000 + k).padStart(6, '0')}`;
      const x = template.x + (random() - 0.5) * 1e-5;
      const y = template.y + (random() - 0.5) * 1e-5;
      const started = performance.now();
      await sql.begin(async (tx) => {
        await tx`SELECT set_config('wangge.actor', 'replica-test', true)`;
        await tx`
          INSERT INTO components (code, major, minor, name, status, dept_main, initial_date, geometry, unit_grid_code, min_x, min_y, max_x, max_y)
          VALUES (${code}, '04', '02', '测试部件', '完好', '东城区城管委', '2026-12-07', ST_SetSRID(ST_MakePoint(${x}, ${y}), 4326), ${template.unit_grid_code}, ${x}, ${y}, ${x}, ${y})`;
      });
      latencies.push(await untilEverywhere(`/v1/components/${code}`, started));
      last = { code, x, y };
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    console.log(`replicas: a component written in PostGIS reached both replicas in median ${latencies[50]!.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (100 writes)`);
    expect(p99).toBeLessThan(1000);
    // the same write in the reverse answer's nearby components and in the component tiles of both
    await untilEverywhere(`/v1/reverse?lng=${last.x}&lat=${last.y}&components=5`, performance.now(), 1000, (body) => body.includes(last.code));
    const z = 18;
    const tx = Math.floor(((last.x + 180) / 360) * 2 ** z);
    const ty = Math.floor(((1 - Math.asinh(Math.tan((last.y * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
    for (const replica of replicas) {
      const tile = Buffer.from(await (await fetch(`${replica.url}/tiles/components/${z}/${tx}/${ty}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
      expect(tile.includes(Buffer.from(last.code)), replica.url).toBe(true);
    }
    // the change log says who wrote it
    const [logged] = await sql<{ actor: string; op: string }[]>`SELECT actor, op FROM changes WHERE key = ${last.code}`;
    expect(logged).toEqual({ actor: 'replica-test', op: 'create' });
  }, 120_000);

  it('a house retired in PostGIS leaves the house tiles of both replicas; an attribute edit shows in the lookup', async () => {
    const [house] = await sql<{ id: number; floors: number }[]>`SELECT id, floors FROM houses WHERE status = '在用' ORDER BY id LIMIT 1`;
    const started = performance.now();
    await sql`UPDATE houses SET floors = ${house!.floors + 7}, height_m = ${(house!.floors + 7) * 3} WHERE id = ${house!.id}`;
    expect(await untilEverywhere(`/v1/houses/${house!.id}`, started, 1000, (body) => body.includes(`"floors":${house!.floors + 7}`))).toBeLessThan(1000);
    await sql`UPDATE houses SET status = '废弃', retired_on = '2026-12-07' WHERE id = ${house!.id}`;
    await untilEverywhere(`/v1/houses/${house!.id}`, performance.now(), 1000, (body) => body.includes('废弃'));
  });

  it('scripts/replicas.sh --check: its own PostgreSQL, the district, two replicas, a write seen by both', () => {
    const script = new URL('../../../scripts/replicas.sh', import.meta.url).pathname;
    const run = spawnSync('bash', [script, '--check'], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, WANGGE_STORE: '' } });
    expect(run.stdout + run.stderr).toMatch(/check passed: component \d{16} written in PostGIS is on both replicas/);
    expect(run.status).toBe(0);
  }, 200_000);
});
