/**
 * What `wangge tiles inspect` reports about an MBTiles or PMTiles archive: its metadata and how
 * many tiles of which stored size each zoom holds. Reads the tile index only (MBTiles: `length()`
 * in SQL; PMTiles: the directories), never the tiles themselves.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Compression, PMTiles, TileType, type Entry } from 'pmtiles';
import { InvalidRequestError, StoreError } from '../errors.js';
import type { ArchiveMetadata } from './archive.js';
import { metadataFromRows } from './mbtiles.js';
import { PmtilesFileSource } from './pmtiles-file-source.js';
import type { Tilestats } from './tilestats.js';

/** Stored tile sizes in bytes (as in the archive, so gzip for wangge's): nearest-rank percentiles. */
export interface TileSizes {
  tiles: number;
  bytes: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface InspectedLayer {
  id: string;
  minzoom?: number;
  maxzoom?: number;
  /** attribute → type (MBTiles 1.3) or description, as the archive lists it */
  fields: Record<string, string>;
  /** from tilestats, when the archive has them */
  features?: number;
  geometry?: string;
}

export interface ArchiveInspection {
  file: string;
  format: 'mbtiles' | 'pmtiles';
  name: string;
  description: string;
  attribution: string;
  /** tile format: `pbf` (MBTiles) or the PMTiles tile type, e.g. `mvt` */
  tileFormat: string;
  /** how tiles are compressed, where the archive says (PMTiles header) */
  tileCompression?: string;
  minzoom: number;
  maxzoom: number;
  bounds: ArchiveMetadata['bounds'];
  center: ArchiveMetadata['center'];
  layers: InspectedLayer[];
  zooms: (TileSizes & { zoom: number })[];
  total: TileSizes;
}

/** Reads an archive's metadata and tile size statistics; the format is told by the file's first bytes, not its name. */
export async function inspectArchive(path: string): Promise<ArchiveInspection> {
  const magic = readMagic(path);
  if (magic.startsWith('SQLite format 3\0')) return inspectMbtiles(path);
  if (magic.startsWith('PMTiles')) return inspectPmtiles(path);
  throw new StoreError(`${path} is neither an MBTiles (SQLite) nor a PMTiles archive`);
}

function readMagic(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const bytes = Buffer.alloc(16);
    const read = readSync(fd, bytes, 0, 16, 0);
    return bytes.subarray(0, read).toString('latin1');
  } catch (error) {
    // a folder opens on Linux and fails only on reading
    const { code, message } = error as NodeJS.ErrnoException;
    throw new InvalidRequestError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : message}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function inspectMbtiles(path: string): Promise<ArchiveInspection> {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").pluck().all() as string[];
    for (const needed of ['metadata', 'tiles']) if (!tables.includes(needed)) throw new Error(`it has no ${needed} table`);
    const rows = Object.fromEntries((db.prepare('SELECT name, value FROM metadata').all() as { name: string; value: string }[]).map((r) => [r.name, r.value]));
    const { format, metadata } = metadataFromRows(rows, '');
    const sizes = new SizeTally();
    const counts = db.prepare('SELECT zoom_level AS zoom, length(tile_data) AS bytes, count(*) AS tiles FROM tiles GROUP BY zoom_level, length(tile_data)');
    for (const { zoom, bytes, tiles } of counts.all() as { zoom: number; bytes: number; tiles: number }[]) sizes.add(zoom, bytes, tiles);
    return {
      file: path,
      format: 'mbtiles',
      name: metadata.name,
      description: metadata.description,
      attribution: metadata.attribution,
      tileFormat: format,
      minzoom: metadata.minzoom,
      maxzoom: metadata.maxzoom,
      bounds: metadata.bounds,
      center: metadata.center,
      layers: layersOf(rows.json ? JSON.parse(rows.json) : {}),
      ...sizes.result(),
    };
  } catch (error) {
    throw new StoreError(`${path} is not a usable MBTiles file: ${(error as Error).message}`, { cause: error });
  } finally {
    db?.close();
  }
}

async function inspectPmtiles(path: string): Promise<ArchiveInspection> {
  const source = await PmtilesFileSource.open(path);
  try {
    const reader = new PMTiles(source);
    const header = await reader.getHeader();
    const json = (await reader.getMetadata()) as Record<string, unknown> | null;
    const sizes = new SizeTally();
    // directories hold tile entries and, with a run length of 0, pointers to leaf directories
    const pending = [{ offset: header.rootDirectoryOffset, length: header.rootDirectoryLength }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const entries: Entry[] = await reader.cache.getDirectory(source, next.offset, next.length, header);
      for (const entry of entries) {
        if (entry.runLength === 0) pending.push({ offset: header.leafDirectoryOffset + entry.offset, length: entry.length });
        else addRun(sizes, entry);
      }
    }
    const text = (key: string): string => (typeof json?.[key] === 'string' ? (json[key] as string) : '');
    return {
      file: path,
      format: 'pmtiles',
      name: text('name'),
      description: text('description'),
      attribution: text('attribution'),
      tileFormat: (TileType[header.tileType] ?? String(header.tileType)).toLowerCase(),
      tileCompression: (Compression[header.tileCompression] ?? String(header.tileCompression)).toLowerCase(),
      minzoom: header.minZoom,
      maxzoom: header.maxZoom,
      bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
      center: [header.centerLon, header.centerLat, header.centerZoom],
      layers: layersOf(json ?? {}),
      ...sizes.result(),
    };
  } catch (error) {
    throw new StoreError(`${path} is not a usable PMTiles archive: ${(error as Error).message}`, { cause: error });
  } finally {
    await source.close();
  }
}

/** Adds a directory entry's run of tiles; a run may carry on from one zoom into the next. */
function addRun(sizes: SizeTally, { tileId, length, runLength }: Entry): void {
  let id = tileId;
  let left = runLength;
  while (left > 0) {
    const zoom = zoomOfTileId(id);
    const inZoom = Math.min(left, firstTileId(zoom + 1) - id);
    sizes.add(zoom, length, inZoom);
    id += inZoom;
    left -= inZoom;
  }
}

/** The first PMTiles tile id of a zoom: all tiles of the zooms above it come first. */
function firstTileId(zoom: number): number {
  return (4 ** zoom - 1) / 3;
}

function zoomOfTileId(tileId: number): number {
  let zoom = 0;
  while (firstTileId(zoom + 1) <= tileId) zoom++;
  return zoom;
}

/** Layers as `vector_layers` lists them, with feature count and geometry from `tilestats` where present. */
function layersOf(json: { vector_layers?: unknown; tilestats?: unknown }): InspectedLayer[] {
  const stats = (json.tilestats as Tilestats | undefined)?.layers ?? [];
  const listed = Array.isArray(json.vector_layers) ? (json.vector_layers as InspectedLayer[]) : [];
  return listed.map(({ id, minzoom, maxzoom, fields }) => {
    const layer: InspectedLayer = { id, minzoom, maxzoom, fields: { ...fields } };
    const stat = stats.find((s) => s.layer === id);
    if (stat) Object.assign(layer, { features: stat.count, geometry: stat.geometry });
    return layer;
  });
}

/** Tile sizes with how many tiles have each, per zoom (a run of 10⁶ equal ocean tiles is one entry). */
class SizeTally {
  private readonly byZoom = new Map<number, Map<number, number>>();

  add(zoom: number, bytes: number, tiles: number): void {
    let counts = this.byZoom.get(zoom);
    if (!counts) this.byZoom.set(zoom, (counts = new Map()));
    counts.set(bytes, (counts.get(bytes) ?? 0) + tiles);
  }

  result(): { zooms: ArchiveInspection['zooms']; total: TileSizes } {
    const all = new Map<number, number>();
    const zooms = [...this.byZoom.keys()]
      .sort((a, b) => a - b)
      .map((zoom) => {
        const counts = this.byZoom.get(zoom)!;
        for (const [bytes, tiles] of counts) all.set(bytes, (all.get(bytes) ?? 0) + tiles);
        return { zoom, ...sizesOf(counts) };
      });
    return { zooms, total: sizesOf(all) };
  }
}

/** Count, sum and nearest-rank percentiles (the smallest size at least p% of tiles do not exceed) of size → tiles. */
export function sizesOf(counts: ReadonlyMap<number, number>): TileSizes {
  const sorted = [...counts].sort(([a], [b]) => a - b);
  const tiles = sorted.reduce((sum, [, n]) => sum + n, 0);
  const bytes = sorted.reduce((sum, [size, n]) => sum + size * n, 0);
  const percentile = (p: number): number => {
    const rank = Math.ceil((p / 100) * tiles);
    let seen = 0;
    for (const [size, n] of sorted) if ((seen += n) >= rank) return size;
    return 0;
  };
  return { tiles, bytes, p50: percentile(50), p95: percentile(95), p99: percentile(99), max: sorted.at(-1)?.[0] ?? 0 };
}
