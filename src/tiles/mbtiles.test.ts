import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import type { ArchiveMetadata } from './archive.js';
import { createMbtilesWriter, MbtilesTileProvider } from './mbtiles.js';
import type { Tilestats } from './tilestats.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-mbtiles-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const METADATA: ArchiveMetadata = {
  name: 'test',
  description: 'a test pyramid',
  attribution: 'tests',
  version: '1.0.0',
  minzoom: 2,
  maxzoom: 3,
  bounds: [116.3, 39.8, 116.5, 40],
  center: [116.4, 39.9, 3],
  vectorLayers: [{ id: 'houses', description: 'houses', minzoom: 2, maxzoom: 3, fields: { height: 'metres', use: 'use' } }],
};

const TILESTATS: Tilestats = {
  layerCount: 1,
  layers: [
    {
      layer: 'houses',
      count: 2,
      geometry: 'Polygon',
      attributeCount: 2,
      attributes: [
        { attribute: 'height', count: 2, type: 'number', values: [3, 12.5], min: 3, max: 12.5 },
        { attribute: 'use', count: 1, type: 'string', values: ['住宅'] },
      ],
    },
  ],
};
/** what the archive stores: fields typed as MBTiles 1.3 asks, not described */
const TYPED_LAYERS = [{ id: 'houses', description: 'houses', minzoom: 2, maxzoom: 3, fields: { height: 'Number', use: 'String' } }];

describe('createMbtilesWriter', () => {
  it('stores identical tiles once, numbers rows TMS-style and reads back through the tiles view', async () => {
    const path = join(dir, 'dedupe.mbtiles');
    const writer = createMbtilesWriter(path);
    const same = gzipSync(Buffer.from('same tile'));
    writer.add({ z: 2, x: 0, y: 0, data: same });
    writer.add({ z: 2, x: 1, y: 0, data: same });
    writer.add({ z: 3, x: 5, y: 1, data: gzipSync(Buffer.from('other tile')) });
    writer.add({ z: 3, x: 6, y: 1, data: same });
    expect(existsSync(path)).toBe(false);
    await writer.finish(METADATA, TILESTATS);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM map').pluck().get()).toBe(4);
      expect(db.prepare('SELECT count(*) FROM images').pluck().get()).toBe(2);
      // y = 0 at z2 is the northmost row: TMS row 3
      const row = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = 2 AND tile_column = 1 AND tile_row = 3').pluck().get() as Buffer;
      expect(gunzipSync(row).toString()).toBe('same tile');
      expect(db.prepare('SELECT value FROM metadata WHERE name = ?').pluck().get('format')).toBe('pbf');
      expect(JSON.parse(db.prepare('SELECT value FROM metadata WHERE name = ?').pluck().get('json') as string)).toEqual({ vector_layers: TYPED_LAYERS, tilestats: TILESTATS });
    } finally {
      db.close();
    }
    const provider = MbtilesTileProvider.open(path);
    try {
      expect(provider.sources).toEqual(['test']);
      // served as the archive holds it: TileJSON over HTTP shows an archive's field types
      expect(provider.metadata()).toEqual({ ...METADATA, vectorLayers: TYPED_LAYERS });
      expect(gunzipSync(provider.tile('test', { z: 3, x: 5, y: 1 })!.gzip).toString()).toBe('other tile');
      expect(provider.tile('test', { z: 3, x: 0, y: 0 })).toBeNull();
    } finally {
      provider.close();
    }
  });

  it('leaves no file behind when aborted', () => {
    const path = join(dir, 'aborted.mbtiles');
    const writer = createMbtilesWriter(path);
    writer.add({ z: 2, x: 0, y: 0, data: gzipSync(Buffer.from('x')) });
    writer.abort();
    expect(readdirSync(dir).filter((f) => f.startsWith('aborted'))).toEqual([]);
    expect(() => writer.add({ z: 2, x: 0, y: 0, data: gzipSync(Buffer.from('x')) })).toThrow(/aborted/);
  });
});

describe('MbtilesTileProvider', () => {
  it('serves uncompressed tile data gzip-compressed and names the source after the file when the name is not URL-safe', () => {
    const path = join(dir, 'foreign.mbtiles');
    const db = new Database(path);
    db.exec(`CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);`);
    db.prepare('INSERT INTO metadata VALUES (?, ?)').run('name', 'Someone else’s tiles');
    db.prepare('INSERT INTO metadata VALUES (?, ?)').run('format', 'pbf');
    db.prepare('INSERT INTO tiles VALUES (1, 0, 1, ?)').run(Buffer.from('raw pbf'));
    db.close();
    const provider = MbtilesTileProvider.open(path);
    try {
      expect(provider.sources).toEqual(['foreign']);
      expect(gunzipSync(provider.tile('foreign', { z: 1, x: 0, y: 0 })!.gzip).toString()).toBe('raw pbf');
    } finally {
      provider.close();
    }
  });

  it('refuses a missing file, a non-SQLite file and raster tiles with a StoreError', () => {
    expect(() => MbtilesTileProvider.open(join(dir, 'missing.mbtiles'))).toThrow(StoreError);
    const junk = join(dir, 'junk.mbtiles');
    writeFileSync(junk, 'not a database');
    expect(() => MbtilesTileProvider.open(junk)).toThrow(/not a usable MBTiles file/);
    const raster = join(dir, 'raster.mbtiles');
    const db = new Database(raster);
    db.exec(`CREATE TABLE metadata (name TEXT, value TEXT); INSERT INTO metadata VALUES ('format', 'png');`);
    db.close();
    expect(() => MbtilesTileProvider.open(raster)).toThrow(/"png", not vector tiles/);
  });
});
