// PostGIS beside SQLite (issue 10), in one run: loading the default district, a server's start-up
// from each, and house tiles cut from a replica's memory beside PostGIS's own ST_AsMVT on the
// same table. Needs a PostgreSQL server with PostGIS: WANGGE_BENCH_POSTGRES or
// WANGGE_TEST_POSTGRES (a role that may create databases); skipped, and said so, without one.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import { LAYERS } from '../src/model.js';
import { recordsOf } from '../src/store/build-district.js';
import { connectPostgis, copyLayer } from '../src/store/postgis/postgis.js';
import { migratePostgis } from '../src/store/postgis/schema.js';
import { Store } from '../src/store/store.js';
import { pyramidTiles } from '../src/tiles/export-pyramid.js';
import { geometryBBox } from '../src/geo/bbox.js';
import { median, type Row } from './lib/stats.js';

const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;
const GROUP = 'postgis';

export async function postgisBench(district: GeneratedDistrict, dbPath: string, dir: string): Promise<Row[]> {
  const server = process.env.WANGGE_BENCH_POSTGRES || process.env.WANGGE_TEST_POSTGRES;
  if (!server) {
    console.log('postgis: skipped (set WANGGE_BENCH_POSTGRES=postgres://… to a server where the user may create databases)');
    return [];
  }
  const database = `wangge_bench_${process.pid}`;
  const admin = connectPostgis(server, { max: 1 });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${database}`);
  await admin.unsafe(`CREATE DATABASE ${database}`);
  const url = Object.assign(new URL(server), { pathname: `/${database}` }).toString();
  const sql = connectPostgis(url);
  try {
    await migratePostgis(sql);
    // loads only, from the same records in memory (generating them is the same work for both), three each in turns
    const sqliteMs: number[] = [];
    const postgisMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const path = join(dir, `load-${round}.db`);
      let started = performance.now();
      const store = Store.open(path, { bulk: true });
      store.transaction(() => {
        for (const layer of LAYERS) store.insert(layer, recordsOf(district, layer));
      });
      store.close();
      sqliteMs.push(performance.now() - started);
      rmSync(path, { force: true });
      started = performance.now();
      await sql.begin(async (tx) => {
        await tx`SELECT set_config('wangge.bulk', 'on', true)`;
        await tx.unsafe('TRUNCATE admin_areas, grids, components, houses, addresses, roads, pois, aliases');
        for (const layer of LAYERS) await copyLayer(tx, layer, recordsOf(district, layer));
      });
      postgisMs.push(performance.now() - started);
    }
    await sql`ANALYZE`;

    // start-up: process start to listening, SQLite file vs PostGIS (copied into a local file first), in turns
    const startSqlite: number[] = [];
    const startPostgis: number[] = [];
    let replica: { child: ChildProcess; url: string } | undefined;
    for (let round = 0; round < 2; round++) {
      const a = await startServe(['--db', dbPath]);
      startSqlite.push(a.ms);
      a.child.kill('SIGTERM');
      const b = await startServe(['--store', url]);
      startPostgis.push(b.ms);
      if (round === 1) replica = b;
      else b.child.kill('SIGTERM');
    }

    // house tiles: each z16 tile of the district's box once, from the replica (cut from memory,
    // first request, so not from its cache) and as PostGIS builds it with ST_AsMVT from the same table
    const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
    const [warmUp, ...tiles] = [...pyramidTiles([box.minX, box.minY, box.maxX, box.maxY], 16, 16)].slice(0, 401);
    // one tile first on each side, outside the figures: the replica's first house tile and PostGIS's first plan
    await (await fetch(`${replica!.url}/tiles/houses/${warmUp!.z}/${warmUp!.x}/${warmUp!.y}`)).arrayBuffer();
    const replicaMs: number[] = [];
    for (const { z, x, y } of tiles) {
      const started = performance.now();
      const res = await fetch(`${replica!.url}/tiles/houses/${z}/${x}/${y}`, { headers: { 'accept-encoding': 'identity' } });
      await res.arrayBuffer();
      replicaMs.push(performance.now() - started);
    }
    replica!.child.kill('SIGTERM');
    const mvtMs: number[] = [];
    for (const { z, x, y } of [warmUp!, ...tiles]) {
      const started = performance.now();
      await sql`
        SELECT ST_AsMVT(t, 'houses', 4096, 'geom') FROM (
          SELECT id, height_m AS height, 0 AS min_height, height_m AS render_height, 0 AS render_min_height, floors, floors_below, use, address,
                 unit_grid_code AS unit_grid, social_static_code AS social_static,
                 ST_AsMVTGeom(ST_Transform(geometry, 3857), ST_TileEnvelope(${z}, ${x}, ${y}), 4096, 64, true) AS geom
          FROM houses WHERE status = '在用' AND geometry && ST_Transform(ST_TileEnvelope(${z}, ${x}, ${y}, margin => 64.0 / 4096), 4326)
        ) t WHERE geom IS NOT NULL`;
      mvtMs.push(performance.now() - started);
    }
    mvtMs.shift();
    const rate = (ms: number[]) => ms.length / (ms.reduce((s, v) => s + v, 0) / 1000);
    const p95 = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length * 0.95)]!;
    const rows: Row[] = [
      { group: GROUP, what: 'load the default district (every layer, records in memory): SQLite', value: median(sqliteMs), unit: 'ms' },
      { group: GROUP, what: 'the same into PostGIS (COPY, one transaction)', value: median(postgisMs), unit: 'ms' },
      { group: GROUP, what: 'wangge serve start-up to listening: --db (SQLite)', value: median(startSqlite), unit: 'ms' },
      { group: GROUP, what: 'the same: --store postgres:// (copy, then the same index build)', value: median(startPostgis), unit: 'ms' },
      { group: GROUP, what: `house tiles z16 (${tiles.length}, each once) from a replica's memory over HTTP, one at a time`, value: rate(replicaMs), unit: 'tiles/s' },
      { group: GROUP, what: '  p95', value: p95(replicaMs), unit: 'ms' },
      { group: GROUP, what: 'the same tiles by PostGIS ST_AsMVT on the houses table, one query at a time', value: rate(mvtMs), unit: 'tiles/s' },
      { group: GROUP, what: '  p95', value: p95(mvtMs), unit: 'ms' },
    ];
    return rows;
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/** `wangge serve ARGS` on a free loopback port; resolves once it listens, with the time that took. */
function startServe(args: string[]): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const serving = /serving .* at (http:\/\/[\d.:]+)/.exec(log);
      if (serving) resolve({ child, url: serving[1]!, ms: performance.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`wangge serve ${args.join(' ')} exited with ${code}:\n${log}`)));
  });
}
