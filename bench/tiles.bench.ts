// vector tiles of the default district: what a cache miss costs per source at z14–18 (beside
// geojson-vt on the same features), cached tiles over HTTP on loopback (a `wangge serve` child
// under a bounded autocannon run), and the full z10–17 MBTiles export (beside GDAL's writer).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import GeoJSONVT from 'geojson-vt';
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { Store } from '../src/store/store.js';
import type { ArchiveMetadata } from '../src/tiles/archive.js';
import { pyramidTiles } from '../src/tiles/export-pyramid.js';
import { BUFFER, EXTENT, MAX_ZOOM, TILE_LAYERS, TILE_SOURCES, type TileLayerName, type TileSourceName } from '../src/tiles/layers.js';
import { latOf, lngOf, type TileCoord } from '../src/tiles/tile-coords.js';
import { readLayerFeatures, type TileFeature } from '../src/tiles/tile-features.js';
import { encodeServedTile, TileService } from '../src/tiles/tile-service.js';
import { median, seededRandom, type Row } from './lib/stats.js';

// autocannon options and figures bench/types/peers.d.ts does not declare
declare module 'autocannon' {
  interface Result {
    throughput: { average: number };
  }
  interface Options {
    workers?: number;
  }
}

const run = promisify(execFile);
const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;
const SOURCES = Object.keys(TILE_SOURCES) as TileSourceName[];
const GROUP = 'tiles';

/** z14–16 are cut whole; z17 and z18 have thousands of tiles each, so a seeded sample of each. */
const COLD_ZOOMS = [14, 15, 16, 17, 18];
const WHOLE_UP_TO_ZOOM = 16;
const DEEP_SAMPLE = 300;
const COLD_TARGET_P95_MS = 10;

const HTTP_ZOOMS = { min: 15, max: 17 };
const HTTP_CONNECTIONS = 48;
const HTTP_TARGET_TILES_PER_S = 10_000;

const EXPORT_ZOOMS = { min: 10, max: 17 };
const GDAL_TIMEOUT_MS = 15 * 60_000;
const GDAL_TARGET_RATIO = 10;

const gc = exposedGc();

export async function tilesBench(dbPath: string, dir: string, httpDurationS = 10): Promise<Row[]> {
  const started = performance.now();
  const rows: Row[] = [];
  const store = Store.open(dbPath, { readonly: true });
  try {
    const cold = coldTiles(store);
    rows.push(...cold.rows);
    rows.push(...(await cachedTilesOverHttp(dbPath, cold.bounds, httpDurationS)));
  } finally {
    store.close();
  }
  const exported = await fullExport(dbPath, dir);
  rows.push(...exported.rows);
  const seconds = (performance.now() - started) / 1000 - exported.gdalSeconds;
  rows.push({ group: GROUP, what: 'this group, wall time without GDAL staging and run (budget ~300)', value: seconds, unit: 's' });
  return rows;
}

/**
 * A cache miss per source: every sampled tile cut and gzipped (as TileService does on a miss), in
 * one shuffled order; then geojson-vt's getTile on the same features and the same tiles.
 */
function coldTiles(store: Store): { bounds: ArchiveMetadata['bounds']; rows: Row[] } {
  gc();
  const heapBefore = heapUsedMb();
  const started = performance.now();
  const tiles = TileService.fromStore(store);
  const indexMs = performance.now() - started;
  const bounds = tiles.metadata('wangge').bounds;
  const sample = sampleTiles(bounds, seededRandom(14));
  const ours = new Map(SOURCES.map((source) => [source, timeOurs(tiles, source, sample)]));
  gc();
  const ourHeapMb = heapUsedMb() - heapBefore;

  const rows: Row[] = [
    {
      group: GROUP,
      what: `cold sample: every z14–16 tile in the district bounds + ${DEEP_SAMPLE} seeded random each at z17, z18, shuffled; only tiles non-empty for us count`,
      value: sample.length,
      unit: 'tiles',
    },
    { group: GROUP, what: 'ours: index build of every layer (TileService.fromStore)', value: indexMs, unit: 'ms' },
    { group: GROUP, what: 'ours: heap growth, indexes + every sampled tile of 4 sources cut', value: ourHeapMb, unit: 'MB' },
  ];
  for (const source of SOURCES) rows.push(...sourceRows(source, sample, ours.get(source)!, timeGeojsonVt(store, source, sample)));
  return { bounds, rows };
}

function sampleTiles(bounds: ArchiveMetadata['bounds'], random: () => number): TileCoord[] {
  const sample: TileCoord[] = [];
  for (const z of COLD_ZOOMS) {
    const all = [...pyramidTiles(bounds, z, z)];
    sample.push(...(z <= WHOLE_UP_TO_ZOOM ? all : shuffled(all, random).slice(0, DEEP_SAMPLE)));
  }
  return shuffled(sample, random);
}

/** Milliseconds to cut and gzip each tile, null where the tile is empty. */
function timeOurs(tiles: TileService, source: TileSourceName, sample: readonly TileCoord[]): (number | null)[] {
  return sample.map((coord) => {
    const start = performance.now();
    const served = encodeServedTile(tiles.render(source, coord));
    const ms = performance.now() - start;
    return served === null ? null : ms;
  });
}

interface PeerRun {
  buildMs: number;
  /** ms per sampled tile, every layer of the source asked */
  times: number[];
  heapMb: number;
  /** tiles geojson-vt holds after the run */
  keptTiles: number;
}

/** geojson-vt, one index per layer of the source (as it takes one GeoJSON each), asked for every sampled tile. */
function timeGeojsonVt(store: Store, source: TileSourceName, sample: readonly TileCoord[]): PeerRun {
  const inputs = TILE_SOURCES[source].map((layer) => ({ minzoom: TILE_LAYERS[layer].minzoom, data: layerGeoJson(store, layer) }));
  gc();
  const heapBefore = heapUsedMb();
  const started = performance.now();
  const indexes = inputs.map(({ minzoom, data }) => ({ minzoom, index: new GeoJSONVT(data, { maxZoom: MAX_ZOOM, buffer: BUFFER, extent: EXTENT }) }));
  const buildMs = performance.now() - started;
  const times = sample.map(({ z, x, y }) => {
    const start = performance.now();
    for (const { minzoom, index } of indexes) if (z >= minzoom) index.getTile(z, x, y);
    return performance.now() - start;
  });
  gc();
  const heapMb = heapUsedMb() - heapBefore;
  // read after the heap figure, so the indexes are live when it is taken
  const keptTiles = indexes.reduce((n, { index }) => n + index.tileCoords.length, 0);
  return { buildMs, times, heapMb, keptTiles };
}

function sourceRows(source: TileSourceName, sample: readonly TileCoord[], ours: readonly (number | null)[], peer: PeerRun): Row[] {
  const counted = sample.flatMap((coord, i) => (ours[i] === null ? [] : [{ z: coord.z, ours: ours[i]!, peer: peer.times[i]! }]));
  const oursMs = counted.map((t) => t.ours);
  const peerMs = counted.map((t) => t.peer);
  const p95 = percentile(oursMs, 0.95);
  const worst = COLD_ZOOMS.map((z) => ({ z, p95: percentile(counted.filter((t) => t.z === z).map((t) => t.ours), 0.95) }))
    .filter((w) => !Number.isNaN(w.p95))
    .reduce((a, b) => (b.p95 > a.p95 ? b : a));
  const met = p95 < COLD_TARGET_P95_MS ? 'met' : 'NOT met';
  return [
    { group: GROUP, what: `${source}: ours cut + gzip + ETag (a cache miss) p50, z14–18 (${counted.length} non-empty tiles)`, value: median(oursMs), unit: 'ms' },
    { group: GROUP, what: `${source}: ours cache miss p95, z14–18 (target < ${COLD_TARGET_P95_MS}: ${met})`, value: p95, unit: 'ms' },
    { group: GROUP, what: `${source}: ours p95 at the worst zoom, z${worst.z}`, value: worst.p95, unit: 'ms' },
    { group: GROUP, what: `${source}: geojson-vt index build (its constructor, before any tile)`, value: peer.buildMs, unit: 'ms' },
    { group: GROUP, what: `${source}: geojson-vt getTile alone p50 (no MVT encoding, no gzip), same tiles`, value: median(peerMs), unit: 'ms' },
    { group: GROUP, what: `${source}: geojson-vt getTile alone p95, same tiles`, value: percentile(peerMs, 0.95), unit: 'ms' },
    { group: GROUP, what: `${source}: geojson-vt heap growth, index + ${peer.keptTiles.toLocaleString('en')} tiles it keeps`, value: peer.heapMb, unit: 'MB' },
  ];
}

/** A tile layer's features as GeoJSON (WGS84), taken from our tiling input so both tilers see the same features. */
function layerGeoJson(store: Store, layer: TileLayerName): FeatureCollection {
  const features: Feature[] = [];
  for (const feature of readLayerFeatures(store, layer)) {
    features.push({ type: 'Feature', id: feature.id, properties: feature.tags, geometry: geometryOf(feature) });
  }
  return { type: 'FeatureCollection', features };
}

function geometryOf(feature: TileFeature): Geometry {
  switch (feature.type) {
    case 1:
      return { type: 'MultiPoint', coordinates: positions(feature.points) };
    case 2:
      return { type: 'MultiLineString', coordinates: feature.lines.map(positions) };
    case 3:
      return { type: 'MultiPolygon', coordinates: feature.polygons.map((rings) => rings.map(positions)) };
  }
}

/** World x,y pairs back to longitude, latitude. */
function positions(world: Float64Array): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < world.length; i += 2) out.push([lngOf(world[i]!), latOf(world[i + 1]!)]);
  return out;
}

/**
 * A real `wangge serve` child on 127.0.0.1 (its own process, as deployed): every z15–17 tile of
 * every source asked once to warm its cache, then autocannon cycles through the non-empty ones.
 */
async function cachedTilesOverHttp(dbPath: string, bounds: ArchiveMetadata['bounds'], durationS: number): Promise<Row[]> {
  const { child, url } = await startServeProcess(dbPath);
  try {
    const paths = await warmTiles(url, bounds);
    const result = await autocannon({
      url,
      connections: HTTP_CONNECTIONS,
      duration: durationS,
      // a worker thread is a fresh isolate: on this process's main thread, after the cold runs'
      // large heaps, the client itself was the limit (7,900 tiles/s there, 12,700 from a worker)
      workers: 1,
      headers: { 'accept-encoding': 'gzip' },
      requests: shuffled(paths, seededRandom(15)).map((path) => ({ method: 'GET', path })),
    });
    const failed = result.non2xx + result.errors + result.timeouts;
    if (failed > 0) {
      throw new Error(`${failed} of ${result.requests.total} cached tile requests failed: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
    }
    const met = result.requests.average >= HTTP_TARGET_TILES_PER_S ? 'met' : 'NOT met';
    return [
      {
        group: GROUP,
        what: `cached GET /tiles gzip, ${paths.length.toLocaleString('en')} warm z15–17 tiles of 4 sources, ${HTTP_CONNECTIONS} connections (target ≥ 10,000: ${met})`,
        value: result.requests.average,
        unit: 'tiles/s',
      },
      { group: GROUP, what: 'cached GET /tiles p99 latency', value: result.latency.p99, unit: 'ms' },
      { group: GROUP, what: 'cached GET /tiles throughput', value: result.throughput.average / 2 ** 20, unit: 'MB/s' },
      { group: GROUP, what: `cached GET /tiles responses not 200 (of ${result.requests.total.toLocaleString('en')})`, value: failed, unit: '' },
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

/** Asks for every z15–17 tile of every source once; returns the paths of those with data (200; 204 is empty). */
async function warmTiles(url: string, bounds: ArchiveMetadata['bounds']): Promise<string[]> {
  const paths: string[] = [];
  for (const source of SOURCES) {
    for (const { z, x, y } of pyramidTiles(bounds, HTTP_ZOOMS.min, HTTP_ZOOMS.max)) {
      const path = `/tiles/${source}/${z}/${x}/${y}`;
      const response = await fetch(url + path, { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
      if (response.status === 200) paths.push(path);
      else if (response.status !== 204) throw new Error(`warming ${path}: expected 200 or 204, got ${response.status}`);
    }
  }
  return paths;
}

/** `wangge serve` on 127.0.0.1 and a free port; resolves with its URL once it logs that it is serving. */
function startServeProcess(dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--db', dbPath, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`wangge serve did not start within 120 s:\n${log}`));
    }, 120_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const serving = /serving .* at (http:\/\/[\d.:]+)/.exec(log);
      if (serving) {
        clearTimeout(timer);
        resolve({ child, url: serving[1]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wangge serve exited with ${code}:\n${log}`));
    });
  });
}

interface Archive {
  seconds: number;
  mb: number;
  tiles: number;
}

/** Ours via the built CLI beside GDAL's MBTiles writer on the same layers; GDAL's staging is not timed. */
async function fullExport(dbPath: string, dir: string): Promise<{ rows: Row[]; gdalSeconds: number }> {
  const zooms = `z${EXPORT_ZOOMS.min}–${EXPORT_ZOOMS.max}`;
  const oursPath = join(dir, 'ours.mbtiles');
  const started = performance.now();
  await run(process.execPath, [BIN, 'tiles', 'export', '-o', oursPath, '--minzoom', `${EXPORT_ZOOMS.min}`, '--maxzoom', `${EXPORT_ZOOMS.max}`, '--db', dbPath]);
  const ours = archive(oursPath, (performance.now() - started) / 1000);
  const rows: Row[] = [
    { group: GROUP, what: `ours: wangge tiles export ${zooms}, source wangge (CLI process, index build included)`, value: ours.seconds, unit: 's' },
    { group: GROUP, what: 'ours: MBTiles file', value: ours.mb, unit: 'MB' },
    { group: GROUP, what: 'ours: tiles in the MBTiles', value: ours.tiles, unit: 'tiles' },
  ];
  const gdalStarted = performance.now();
  const gdal = await gdalExport(dbPath, dir);
  const gdalSeconds = (performance.now() - gdalStarted) / 1000;
  if (gdal === null) {
    rows.push({ group: GROUP, what: 'GDAL ogr2ogr -f MBTILES: skipped (gdal-bin not installed)', value: NaN, unit: '' });
    return { rows, gdalSeconds };
  }
  if (gdal.timedOut) {
    rows.push({ group: GROUP, what: `GDAL ogr2ogr -f MBTILES ${zooms}: hit the ${GDAL_TIMEOUT_MS / 60_000} min timeout, killed`, value: gdal.seconds, unit: 's' });
    return { rows, gdalSeconds };
  }
  const ratio = gdal.seconds / ours.seconds;
  rows.push(
    { group: GROUP, what: `GDAL ogr2ogr -f MBTILES ${zooms}: our 6 layers and fields from a GeoPackage, minzooms via CONF, BUFFER=64, no thinning`, value: gdal.seconds, unit: 's' },
    { group: GROUP, what: 'GDAL: MBTiles file', value: gdal.mb, unit: 'MB' },
    { group: GROUP, what: 'GDAL: tiles in the MBTiles', value: gdal.tiles, unit: 'tiles' },
    { group: GROUP, what: `GDAL: warning lines on stderr`, value: gdal.warnings, unit: '' },
    { group: GROUP, what: `GDAL seconds / ours (target ≥ ${GDAL_TARGET_RATIO}: ${ratio >= GDAL_TARGET_RATIO ? 'met' : 'NOT met'})`, value: ratio, unit: '×' },
    { group: GROUP, what: `our MB / GDAL's (target ≤ 1: ${ours.mb <= gdal.mb ? 'met' : 'NOT met'})`, value: ours.mb / gdal.mb, unit: '×' },
  );
  return { rows, gdalSeconds };
}

function archive(path: string, seconds: number): Archive {
  const db = new Database(path, { readonly: true });
  try {
    const { n } = db.prepare('SELECT count(*) AS n FROM tiles').get() as { n: number };
    return { seconds, mb: statSync(path).size / 2 ** 20, tiles: n };
  } finally {
    db.close();
  }
}

/**
 * How each of our tile layers is selected from the store layer `wangge export` writes, with our field names.
 * Not the label points: GDAL has no pole of inaccessibility, so it is timed without them (in its favour).
 */
const GDAL_LAYERS: Readonly<Record<Exclude<TileLayerName, 'labels'>, { from: 'areas' | 'grids' | 'houses' | 'components'; select: string }>> = {
  streets: { from: 'areas', select: "SELECT code, name, geometry FROM areas WHERE level = 'street'" },
  communities: { from: 'areas', select: "SELECT code, name, parent_code AS street, geometry FROM areas WHERE level = 'community'" },
  social_grids: {
    from: 'grids',
    select: "SELECT code AS static_code, dynamic_code, name, community_code AS community, geometry FROM grids WHERE scheme = 'social'",
  },
  unit_grids: { from: 'grids', select: "SELECT code, community_code AS community, geometry FROM grids WHERE scheme = 'unit'" },
  houses: {
    from: 'houses',
    select:
      'SELECT height_m AS height, 0 AS min_height, height_m AS render_height, 0 AS render_min_height, floors, floors_below, use, ' +
      'address, unit_grid_code AS unit_grid, social_static_code AS social_static, geometry FROM houses',
  },
  components: { from: 'components', select: "SELECT code, major, minor, name AS class, status, geometry FROM components WHERE status <> '废弃'" },
};

/** GDAL's run over a GeoPackage of our six layers; null when ogr2ogr is not installed. */
async function gdalExport(dbPath: string, dir: string): Promise<(Archive & { warnings: number; timedOut: boolean }) | null> {
  if (!(await hasOgr2ogr())) return null;
  const gpkg = await stageGeoPackage(dbPath, join(dir, 'gdal'));
  const output = join(dir, 'gdal.mbtiles');
  const conf = Object.fromEntries(Object.values(TILE_LAYERS).map((layer) => [layer.name, { minzoom: layer.minzoom }]));
  const dsco = [`MINZOOM=${EXPORT_ZOOMS.min}`, `MAXZOOM=${EXPORT_ZOOMS.max}`, `BUFFER=${BUFFER}`, `EXTENT=${EXTENT}`, `CONF=${JSON.stringify(conf)}`];
  const started = performance.now();
  try {
    const { stderr } = await run('ogr2ogr', ['-f', 'MBTILES', output, gpkg, ...dsco.flatMap((option) => ['-dsco', option])], {
      timeout: GDAL_TIMEOUT_MS,
      maxBuffer: 64 * 2 ** 20,
    });
    const warnings = stderr.split('\n').filter((line) => /warning/i.test(line));
    if (warnings.length > 0) console.error(`GDAL warnings (first 5 of ${warnings.length}):\n${warnings.slice(0, 5).join('\n')}`);
    return { ...archive(output, (performance.now() - started) / 1000), warnings: warnings.length, timedOut: false };
  } catch (error) {
    if ((error as { killed?: boolean }).killed) return { seconds: (performance.now() - started) / 1000, mb: NaN, tiles: NaN, warnings: NaN, timedOut: true };
    throw error;
  }
}

async function hasOgr2ogr(): Promise<boolean> {
  try {
    await run('ogr2ogr', ['--version']);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Store layers to GeoJSON with `wangge export`, then one GeoPackage layer per tile layer. */
async function stageGeoPackage(dbPath: string, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const gpkg = join(dir, 'layers.gpkg');
  for (const from of new Set(Object.values(GDAL_LAYERS).map((l) => l.from))) {
    await run(process.execPath, [BIN, 'export', '--layer', from, '-o', join(dir, `${from}.geojson`), '--db', dbPath]);
  }
  for (const [name, { from, select }] of Object.entries(GDAL_LAYERS)) {
    const update = existsSync(gpkg) ? ['-update'] : [];
    await run('ogr2ogr', ['-f', 'GPKG', ...update, gpkg, join(dir, `${from}.geojson`), '-dialect', 'SQLite', '-sql', select, '-nln', name]);
  }
  return gpkg;
}

/** A seeded Fisher–Yates shuffle (a copy). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function heapUsedMb(): number {
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** V8's collector; exposed at run time when node was started without --expose-gc, so heap figures count live objects only. */
function exposedGc(): () => void {
  if (globalThis.gc) return () => globalThis.gc!();
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
