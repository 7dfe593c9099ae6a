import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { ioFailureOf } from '../store/io-failure.js';
import { commitPart, partPathOf, removeStaleParts } from '../store/part-file.js';
import { typedVectorLayers, type ArchiveMetadata, type ArchiveTile, type ArchiveWriter, type VectorLayerInfo } from './archive.js';
import { tmsRow, type TileCoord } from './tile-coords.js';
import { TileCache, type ServedTile } from './tile-cache.js';
import type { Tilestats } from './tilestats.js';
import type { TileProvider } from './tile-provider.js';

/**
 * MBTiles 1.3 (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): tiles in TMS row
 * order, gzip MVT data, deduplicated through `map` + `images` behind the `tiles` view the spec
 * names. The whole file is written in one transaction into a temporary file (part-file.ts), indexes
 * are built after the rows, and the file is moved into place only when complete.
 */
export function createMbtilesWriter(path: string): ArchiveWriter {
  const temporary = partPathOf(path);
  removeStaleParts(path);
  rmSync(temporary, { force: true });
  let db: Database.Database;
  try {
    db = new Database(temporary);
  } catch (error) {
    throw new StoreError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE metadata (name TEXT, value TEXT);
    CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);
    CREATE TABLE images (tile_id TEXT, tile_data BLOB);
    CREATE VIEW tiles AS
      SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
      FROM map JOIN images ON images.tile_id = map.tile_id;
  `);
  db.exec('BEGIN');
  const insertMap = db.prepare('INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?, ?, ?, ?)');
  const insertImage = db.prepare('INSERT INTO images (tile_id, tile_data) VALUES (?, ?)');
  const stored = new Set<string>();
  let state: 'open' | 'finished' | 'aborted' = 'open';

  const close = (): void => {
    if (db.open) db.close();
  };

  return {
    add(tile: ArchiveTile) {
      if (state !== 'open') throw new Error(`the MBTiles writer is ${state}`);
      const id = createHash('sha256').update(tile.data).digest('base64url');
      try {
        if (!stored.has(id)) {
          insertImage.run(id, tile.data);
          stored.add(id);
        }
        insertMap.run(tile.z, tile.x, tmsRow(tile.z, tile.y), id);
      } catch (error) {
        throw ioFailureOf(error, path) ?? error;
      }
    },
    async finish(metadata: ArchiveMetadata, tilestats: Tilestats) {
      if (state !== 'open') throw new Error(`the MBTiles writer is ${state}`);
      try {
        const insertMeta = db.prepare('INSERT INTO metadata (name, value) VALUES (?, ?)');
        for (const [name, value] of Object.entries(metadataRows(metadata, tilestats))) insertMeta.run(name, value);
        db.exec('COMMIT');
        db.exec(`
          CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
          CREATE UNIQUE INDEX images_id ON images (tile_id);
          CREATE UNIQUE INDEX name ON metadata (name);
          ANALYZE;
        `);
        close();
        commitPart(temporary, path);
        state = 'finished';
      } catch (error) {
        this.abort();
        throw ioFailureOf(error, path) ?? error;
      }
    },
    abort() {
      if (state === 'finished') return;
      state = 'aborted';
      close();
      rmSync(temporary, { force: true });
    },
  };
}

/**
 * The metadata table's rows (MBTiles 1.3 §Content: metadata): `json` holds `vector_layers` with
 * field types, as the spec asks, and tippecanoe's `tilestats`, from which GDAL types fields and
 * layer geometries.
 */
export function metadataRows(m: ArchiveMetadata, tilestats: Tilestats): Record<string, string> {
  return {
    name: m.name,
    format: 'pbf',
    type: 'overlay',
    description: m.description,
    attribution: m.attribution,
    version: m.version,
    bounds: m.bounds.join(','),
    center: m.center.join(','),
    minzoom: String(m.minzoom),
    maxzoom: String(m.maxzoom),
    json: JSON.stringify({ vector_layers: typedVectorLayers(m.vectorLayers, tilestats), tilestats }),
  };
}

/**
 * Serves a pre-generated MBTiles file (`wangge serve --mbtiles FILE`) under the same URLs as
 * live tiles: the source is the file's `name` metadata when it is a usable URL segment, else
 * the file name.
 */
export class MbtilesTileProvider implements TileProvider {
  readonly sources: readonly string[];
  readonly maxAgeSeconds = 3600;
  private readonly db: Database.Database;
  private readonly info: ArchiveMetadata;
  private readonly select: Database.Statement<[number, number, number], { tile_data: Buffer }>;
  private readonly cache: TileCache;

  private constructor(db: Database.Database, source: string, info: ArchiveMetadata, cacheBytes: number) {
    this.db = db;
    this.sources = [source];
    this.info = info;
    this.select = db.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?');
    this.cache = new TileCache(cacheBytes);
  }

  static open(path: string, { cacheBytes = 64 * 2 ** 20 }: { cacheBytes?: number } = {}): MbtilesTileProvider {
    if (!existsSync(path)) throw new StoreError(`no MBTiles file at ${path}`);
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      const rows = db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[];
      const info = metadataFromRows(Object.fromEntries(rows.map((r) => [r.name, r.value])), basename(path, extname(path)));
      if (info.format !== 'pbf') throw new Error(`its tiles are "${info.format}", not vector tiles (pbf)`);
      const source = /^[A-Za-z0-9_-]+$/.test(info.metadata.name) ? info.metadata.name : basename(path, extname(path));
      return new MbtilesTileProvider(db, source, info.metadata, cacheBytes);
    } catch (error) {
      db?.close();
      throw new StoreError(`${path} is not a usable MBTiles file: ${(error as Error).message}`, { cause: error });
    }
  }

  metadata(): ArchiveMetadata {
    return this.info;
  }

  tile(source: string, { z, x, y }: TileCoord): ServedTile | null {
    const key = TileCache.key(source, z, x, y);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const row = this.select.get(z, x, tmsRow(z, y));
    let tile: ServedTile | null = null;
    if (row) {
      // the spec allows uncompressed pbf; clients are always sent gzip (or have it undone)
      const gzip = isGzip(row.tile_data) ? row.tile_data : gzipSync(row.tile_data);
      tile = { gzip, etag: `"${createHash('sha1').update(gzip).digest('base64url').slice(0, 22)}"` };
    }
    this.cache.set(key, tile);
    return tile;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

/** Reads MBTiles metadata rows back into archive metadata; missing values fall back to defaults. */
export function metadataFromRows(rows: Record<string, string>, fallbackName: string): { format: string; metadata: ArchiveMetadata } {
  const numbers = (text: string | undefined, count: number): number[] | null => {
    const parts = text?.split(',').map(Number);
    return parts && parts.length === count && parts.every(Number.isFinite) ? parts : null;
  };
  const bounds = (numbers(rows.bounds, 4) ?? [-180, -85.0511, 180, 85.0511]) as ArchiveMetadata['bounds'];
  const minzoom = Number(rows.minzoom ?? 0);
  const maxzoom = Number(rows.maxzoom ?? 14);
  const center = (numbers(rows.center, 3) ?? [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, minzoom]) as ArchiveMetadata['center'];
  let vectorLayers: VectorLayerInfo[] = [];
  if (rows.json) vectorLayers = (JSON.parse(rows.json) as { vector_layers?: VectorLayerInfo[] }).vector_layers ?? [];
  return {
    format: rows.format ?? 'pbf',
    metadata: {
      name: rows.name ?? fallbackName,
      description: rows.description ?? '',
      attribution: rows.attribution ?? '',
      version: rows.version ?? '1.0.0',
      minzoom,
      maxzoom,
      bounds,
      center,
      vectorLayers,
    },
  };
}
