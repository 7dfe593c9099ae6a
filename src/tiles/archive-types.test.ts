import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PMTiles } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store/store.js';
import { exportPyramid } from './export-pyramid.js';
import { createMbtilesWriter } from './mbtiles.js';
import { createPmtilesWriter } from './pmtiles-writer.js';
import { FileSource } from './test-helpers/pmtiles-file-source.js';
import { TileService } from './tile-service.js';
import type { Tilestats } from './tilestats.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

/**
 * The typed metadata of exported archives, as GDAL reads it: without field types and tilestats
 * GDAL's MVT driver reads every attribute as String and every layer's geometry as Unknown.
 */

const hasGdal = (() => {
  try {
    execFileSync('ogrinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasGdal) console.log('GDAL checks skipped: no ogrinfo on PATH (apt-get install gdal-bin)');

// houses are in tiles from z13 and carry every attribute from z15: these zooms hold all of them
const ZOOMS = { minzoom: 13, maxzoom: 15 };

let dir: string;
let db: string;
let mbtiles: string;
let pmtiles: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-archive-types-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  mbtiles = join(dir, 'district.mbtiles');
  pmtiles = join(dir, 'district.pmtiles');
  const store = Store.open(db, { readonly: true });
  try {
    const tiles = TileService.fromStore(store);
    for (const [path, writer] of [
      [mbtiles, createMbtilesWriter(mbtiles)],
      [pmtiles, createPmtilesWriter(pmtiles)],
    ] as const) {
      const report = await exportPyramid((coord) => tiles.render('wangge', coord), tiles.metadata('wangge'), ZOOMS, writer);
      expect(report.tiles, path).toBeGreaterThan(50);
    }
  } finally {
    store.close();
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ArchiveJson {
  vector_layers: { id: string; fields: Record<string, string> }[];
  tilestats: Tilestats;
}

function mbtilesJson(): ArchiveJson {
  const file = new Database(mbtiles, { readonly: true });
  try {
    return JSON.parse(file.prepare("SELECT value FROM metadata WHERE name = 'json'").pluck().get() as string) as ArchiveJson;
  } finally {
    file.close();
  }
}

/** ogrinfo's summary of one layer: geometry type and field name → OGR type. */
function ogrLayer(path: string, layer: string, options: string[] = []): { geometry: string; fields: Record<string, string> } {
  const info = execFileSync('ogrinfo', ['-ro', '-so', ...options, path, layer], { encoding: 'utf8' });
  console.log(info.split('\n').filter((line) => /^(Geometry|Feature Count|\w+: \w+ \()/.test(line)).join('\n'));
  const geometry = /^Geometry: (.+)$/m.exec(info)?.[1] ?? 'none';
  const fields = Object.fromEntries([...info.matchAll(/^(\w+): (\w+) \(/gm)].map((m) => [m[1]!, m[2]!]));
  return { geometry, fields };
}

describe('exported archive metadata', () => {
  it('types every field of the houses layer (MBTiles 1.3) and counts each house once in tilestats', () => {
    const json = mbtilesJson();
    expect(json.vector_layers.find((l) => l.id === 'houses')!.fields).toEqual({
      height: 'Number',
      min_height: 'Number',
      render_height: 'Number',
      render_min_height: 'Number',
      floors: 'Number',
      floors_below: 'Number',
      use: 'String',
      address: 'String',
      unit_grid: 'String',
      social_static: 'String',
    });
    const houses = json.tilestats.layers.find((l) => l.layer === 'houses')!;
    const store = new Database(db, { readonly: true });
    try {
      // a house is in many tiles over three zooms, yet counted once; distinct heights as in the store
      expect(houses.count).toBe(store.prepare("SELECT count(*) FROM houses WHERE status != '废弃'").pluck().get());
      const height = houses.attributes.find((a) => a.attribute === 'height')!;
      expect(height.count).toBe(store.prepare("SELECT count(DISTINCT height_m) FROM houses WHERE status != '废弃'").pluck().get());
      expect([height.min, height.max]).toEqual([
        store.prepare("SELECT min(height_m) FROM houses WHERE status != '废弃'").pluck().get(),
        store.prepare("SELECT max(height_m) FROM houses WHERE status != '废弃'").pluck().get(),
      ]);
    } finally {
      store.close();
    }
    expect(houses).toMatchObject({ geometry: 'Polygon', attributeCount: 10 });
    expect(json.tilestats.layers.find((l) => l.layer === 'components')).toMatchObject({ geometry: 'Point' });
    // every layer the tiles hold is described, in the source's order
    expect(json.tilestats.layers.map((l) => l.layer)).toEqual(json.vector_layers.filter((l) => Object.keys(l.fields).length > 0).map((l) => l.id));
  });

  it('writes the same vector_layers and tilestats into PMTiles as into MBTiles', async () => {
    const metadata = (await new PMTiles(new FileSource(pmtiles)).getMetadata()) as ArchiveJson;
    const json = mbtilesJson();
    expect(metadata.vector_layers).toEqual(json.vector_layers);
    expect(metadata.tilestats).toEqual(json.tilestats);
  });

  it.skipIf(!hasGdal && !process.env.CI)('GDAL reads houses as MultiPolygon with Real heights and String text, and ogr2ogr keeps heights numeric in GeoPackage', () => {
    const houses = ogrLayer(mbtiles, 'houses', ['-oo', 'ZOOM_LEVEL=15']);
    expect(houses.geometry).toBe('Multi Polygon');
    expect(houses.fields).toMatchObject({ height: 'Real', render_height: 'Real', min_height: 'Real', use: 'String', address: 'String' });
    expect(ogrLayer(mbtiles, 'components', ['-oo', 'ZOOM_LEVEL=15']).geometry).toBe('Multi Point');

    const gpkg = join(dir, 'houses.gpkg');
    execFileSync('ogr2ogr', ['-f', 'GPKG', gpkg, mbtiles, 'houses', '-oo', 'ZOOM_LEVEL=14'], { stdio: 'pipe' });
    const file = new Database(gpkg, { readonly: true });
    try {
      const columns = Object.fromEntries((file.prepare('PRAGMA table_info(houses)').all() as { name: string; type: string }[]).map((c) => [c.name, c.type]));
      expect(columns).toMatchObject({ height: 'REAL', render_height: 'REAL', use: 'TEXT' });
      expect(file.prepare('SELECT count(*) FROM houses WHERE typeof(height) = ?').pluck().get('real')).toBeGreaterThan(1000);
    } finally {
      file.close();
    }
  });
});
