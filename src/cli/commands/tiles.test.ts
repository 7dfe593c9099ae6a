import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { PMTiles } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../store/store.js';
import { TILE_SOURCES } from '../../tiles/layers.js';
import { decodeTile } from '../../tiles/test-helpers/decode-tile.js';
import { FileSource } from '../../tiles/test-helpers/pmtiles-file-source.js';
import { tmsRow, worldX, worldY } from '../../tiles/tile-coords.js';
import { TileService } from '../../tiles/tile-service.js';
import { runCli } from '../test-helpers/run-cli.js';
import { serveChild } from '../test-helpers/serve-child.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

let dir: string;
let db: string;
let mbtiles: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-tiles-cli-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  mbtiles = join(dir, 'dongcheng.mbtiles');
  const result = await runCli(['tiles', 'export', '-o', mbtiles, '--db', db]);
  expect(result.stderr).toMatch(/wrote \d+ tiles of wangge z10–17/);
  expect(result.code).toBe(0);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface TileRow {
  zoom_level: number;
  tile_column: number;
  tile_row: number;
  tile_data: Buffer;
}

function readMbtiles<T>(path: string, read: (db: Database.Database) => T): T {
  const file = new Database(path, { readonly: true });
  try {
    return read(file);
  } finally {
    file.close();
  }
}

const hasGdal = (() => {
  try {
    execFileSync('ogrinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('wangge tiles export (MBTiles)', () => {
  it('writes MBTiles 1.3 metadata: name, format pbf, bounds, center, zooms and vector_layers', () => {
    const meta = readMbtiles(mbtiles, (file) => Object.fromEntries((file.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value])));
    expect(meta).toMatchObject({ name: 'wangge', format: 'pbf', minzoom: '10', maxzoom: '17' });
    expect(meta.bounds!.split(',').map(Number)).toHaveLength(4);
    const [lng, lat, zoom] = meta.center!.split(',').map(Number);
    expect(lng).toBeGreaterThan(116.3);
    expect(lat).toBeGreaterThan(39.8);
    expect(zoom).toBeGreaterThanOrEqual(10);
    const layers = (JSON.parse(meta.json!) as { vector_layers: { id: string; minzoom: number; maxzoom: number }[] }).vector_layers;
    expect(layers.map((l) => l.id)).toEqual([...TILE_SOURCES.wangge]);
    for (const layer of layers) expect(layer.maxzoom).toBe(17);
  });

  it('stores gzip tiles in TMS rows, equal to the tiles the service cuts, with a unique index', () => {
    const store = Store.open(db, { readonly: true });
    try {
      const service = TileService.fromStore(store);
      const rows = readMbtiles(mbtiles, (file) => file.prepare('SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles').all() as TileRow[]);
      expect(rows.length).toBeGreaterThan(1000);
      for (const row of rows) {
        expect([row.tile_data[0], row.tile_data[1]]).toEqual([0x1f, 0x8b]);
        if (row.tile_column % 7 !== 0) continue;
        const y = tmsRow(row.zoom_level, row.tile_row);
        const expected = service.render('wangge', { z: row.zoom_level, x: row.tile_column, y });
        expect(Buffer.from(gunzipSync(row.tile_data)).equals(Buffer.from(expected!)), `${row.zoom_level}/${row.tile_column}/${y}`).toBe(true);
      }
      const indexes = readMbtiles(mbtiles, (file) => file.prepare("SELECT sql FROM sqlite_master WHERE type = 'index'").pluck().all() as string[]);
      expect(indexes.join('\n')).toMatch(/UNIQUE INDEX map_index ON map \(zoom_level, tile_column, tile_row\)/);
    } finally {
      store.close();
    }
  });

  it.skipIf(!hasGdal && !process.env.CI)('opens in GDAL: ogrinfo lists the layers and reads as many features as we wrote', () => {
    const info = execFileSync('ogrinfo', ['-ro', '-q', mbtiles], { encoding: 'utf8' });
    for (const layer of TILE_SOURCES.wangge) expect(info).toMatch(new RegExp(`\\d+: ${layer}\\b`));
    const summary = execFileSync('ogrinfo', ['-ro', '-so', '-oo', 'ZOOM_LEVEL=16', mbtiles, 'houses'], { encoding: 'utf8' });
    const gdalCount = Number(/Feature Count: (\d+)/.exec(summary)![1]);
    const rows = readMbtiles(mbtiles, (file) => file.prepare('SELECT tile_data FROM tiles WHERE zoom_level = 16').all() as TileRow[]);
    const ours = rows.reduce((sum, row) => sum + (decodeTile(row.tile_data).houses?.features.length ?? 0), 0);
    expect(gdalCount).toBe(ours);
    expect(ours).toBeGreaterThan(28_000);
  });

  it('refuses bad zooms and a missing -o with exit 2, and leaves nothing behind on an unwritable path', async () => {
    expect((await runCli(['tiles', 'export', '--db', db])).code).toBe(2);
    const high = await runCli(['tiles', 'export', '-o', join(dir, 'x.mbtiles'), '--maxzoom', '19', '--db', db]);
    expect(high.code).toBe(2);
    expect(high.stderr).toMatch(/--maxzoom ≤ 18/);
    expect((await runCli(['tiles', 'export', '-o', join(dir, 'x.mbtiles'), '--minzoom', '15', '--maxzoom', '12', '--db', db])).code).toBe(2);
    expect((await runCli(['tiles', 'export', '-o', join(dir, 'x.mbtiles'), '--source', 'roads', '--db', db])).code).toBe(2);
    expect((await runCli(['tiles', 'bake', '--db', db])).code).toBe(2);
    const unwritable = await runCli(['tiles', 'export', '-o', join(dir, 'no-such-dir', 'x.mbtiles'), '--db', db]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/cannot write/);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
  });
});

describe('wangge tiles export --format pmtiles', () => {
  it('writes a PMTiles v3 archive whose every tile equals the MBTiles one', async () => {
    const path = join(dir, 'dongcheng.pmtiles');
    const result = await runCli(['tiles', 'export', '-o', path, '--db', db]);
    expect(result.code).toBe(0);
    const archive = new PMTiles(new FileSource(path));
    const header = await archive.getHeader();
    expect([header.minZoom, header.maxZoom]).toEqual([10, 17]);
    const rows = readMbtiles(mbtiles, (file) => file.prepare('SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles').all() as TileRow[]);
    expect(header.numAddressedTiles).toBe(rows.length);
    for (const row of rows) {
      const y = tmsRow(row.zoom_level, row.tile_row);
      const tile = await archive.getZxy(row.zoom_level, row.tile_column, y);
      expect(tile, `${row.zoom_level}/${row.tile_column}/${y}`).toBeDefined();
      expect(Buffer.from(tile!.data).equals(gunzipSync(row.tile_data))).toBe(true);
    }
    const metadata = (await archive.getMetadata()) as { vector_layers: { id: string }[] };
    expect(metadata.vector_layers.map((l) => l.id)).toEqual([...TILE_SOURCES.wangge]);
  }, 60_000);
});

describe('wangge serve', () => {
  it('--mbtiles serves the file under the same URLs', async () => {
    const server = await serveChild(['--db', db, '--mbtiles', mbtiles]);
    try {
      const tj = (await (await fetch(`${server.url}/tiles/wangge.json`)).json()) as { tiles: string[]; maxzoom: number };
      expect(tj.tiles).toEqual([`${server.url}/tiles/wangge/{z}/{x}/{y}`]);
      expect(tj.maxzoom).toBe(17);
      const row = readMbtiles(mbtiles, (file) => file.prepare('SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles WHERE zoom_level = 16 LIMIT 1').get() as TileRow);
      const res = await fetch(`${server.url}/tiles/wangge/16/${row.tile_column}/${tmsRow(16, row.tile_row)}`);
      expect(res.status).toBe(200);
      // fetch undoes the gzip coding
      expect(Buffer.from(await res.arrayBuffer()).equals(gunzipSync(row.tile_data))).toBe(true);
      expect((await fetch(`${server.url}/tiles/wangge/16/0/0`)).status).toBe(204);
      expect((await fetch(`${server.url}/tiles/wangge/18/0/0`)).status).toBe(400);
      expect((await fetch(`${server.url}/tiles/houses/16/0/0`)).status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  it('shows an import into the running store in the tiles within a second', async () => {
    const server = await serveChild(['--db', db]);
    try {
      const at: [number, number] = [116.4102, 39.9321];
      const url = `${server.url}/tiles/components/17/${Math.floor(worldX(at[0]) * 2 ** 17)}/${Math.floor(worldY(at[1]) * 2 ** 17)}`;
      const before = await fetch(url);
      const etag = before.headers.get('etag');
      const file = join(dir, 'hydrant.geojson');
      writeFileSync(
        file,
        JSON.stringify({
          type: 'FeatureCollection',
          features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { major: '01', minor: '19', dept_main: '区消防救援支队' } }],
        }),
      );
      const imported = await runCli(['import', file, '--layer', 'components', '--db', db]);
      expect(imported.code).toBe(0);
      const started = performance.now();
      let res = await fetch(url);
      while (res.headers.get('etag') === etag && performance.now() - started < 3000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        res = await fetch(url);
      }
      const elapsed = performance.now() - started;
      console.log(`import visible in the served tile after ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(1000);
      const features = decodeTile(new Uint8Array(await res.arrayBuffer())).components!.features;
      const hydrant = features.find((f) => f.properties.minor === '19' && f.properties.code === newestCode());
      expect(hydrant).toBeDefined();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});

function newestCode(): string {
  const store = Store.open(db, { readonly: true });
  try {
    return store.db.prepare("SELECT max(code) FROM components WHERE major = '01' AND minor = '19'").pluck().get() as string;
  } finally {
    store.close();
  }
}
