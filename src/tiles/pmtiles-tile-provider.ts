import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { gunzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { Compression, PMTiles, SharedPromiseCache, TileType, type DecompressFunc, type Header } from 'pmtiles';
import { StoreError } from '../errors.js';
import type { ArchiveMetadata, VectorLayerInfo } from './archive.js';
import { PmtilesFileSource } from './pmtiles-file-source.js';
import type { TileCoord } from './tile-coords.js';
import { TileCache, type ServedTile } from './tile-cache.js';
import type { TileProvider } from './tile-provider.js';

const gunzipAsync = promisify(gunzip);

/** Undoes the archive's internal compression (directories, metadata); only gzip and none are written by PMTiles tools in practice. */
const decompress: DecompressFunc = async (buf, compression) => {
  if (compression === Compression.None || compression === Compression.Unknown) return buf;
  if (compression === Compression.Gzip) {
    const out = await gunzipAsync(new Uint8Array(buf));
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }
  throw new Error(`compression ${Compression[compression]} is not supported (gzip or none)`);
};

/** Leaves tile data as stored, so a tile is served with the archive's own gzip bytes. */
const asStored: DecompressFunc = async (buf) => buf;

/**
 * Serves a PMTiles v3 archive (`wangge serve --archive FILE.pmtiles`), reading the header,
 * directories and each tile by byte range from the file with the `pmtiles` library. The source
 * is named after the file (its stem), metadata come from the archive's header and JSON metadata.
 */
export class PmtilesTileProvider implements TileProvider {
  readonly sources: readonly string[];
  readonly maxAgeSeconds = 3600;
  private readonly cache: TileCache;

  private constructor(
    source: string,
    private readonly file: PmtilesFileSource,
    private readonly reader: PMTiles,
    private readonly header: Header,
    private readonly info: ArchiveMetadata,
    cacheBytes: number,
  ) {
    this.sources = [source];
    this.cache = new TileCache(cacheBytes);
  }

  static async open(path: string, { cacheBytes = 64 * 2 ** 20 }: { cacheBytes?: number } = {}): Promise<PmtilesTileProvider> {
    let file: PmtilesFileSource | undefined;
    try {
      file = await PmtilesFileSource.open(path);
      // directories and metadata are decompressed through the shared cache; tiles stay as stored
      const cache = new SharedPromiseCache(100, true, decompress);
      const reader = new PMTiles(file, cache, asStored);
      const header = await reader.getHeader();
      if (header.tileType !== TileType.Mvt) throw new Error(`its tiles are ${TileType[header.tileType] ?? header.tileType}, not vector tiles (MVT)`);
      if (header.tileCompression !== Compression.Gzip && header.tileCompression !== Compression.None) {
        throw new Error(`its tiles are ${Compression[header.tileCompression]}-compressed; wangge serves gzip or uncompressed archives`);
      }
      const json = await new PMTiles(file, cache, decompress).getMetadata();
      const name = basename(path, extname(path));
      return new PmtilesTileProvider(name, file, reader, header, metadataOf(header, json, name), cacheBytes);
    } catch (error) {
      await file?.close();
      throw new StoreError(`${path} is not a usable PMTiles archive: ${(error as Error).message}`, { cause: error });
    }
  }

  metadata(): ArchiveMetadata {
    return this.info;
  }

  async tile(source: string, { z, x, y }: TileCoord): Promise<ServedTile | null> {
    const key = TileCache.key(source, z, x, y);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const found = await this.reader.getZxy(z, x, y);
    let tile: ServedTile | null = null;
    if (found !== undefined && found.data.byteLength > 0) {
      const stored = new Uint8Array(found.data);
      const gzip = this.header.tileCompression === Compression.Gzip ? stored : gzipSync(stored);
      tile = { gzip, etag: `"${createHash('sha1').update(gzip).digest('base64url').slice(0, 22)}"` };
    }
    this.cache.set(key, tile);
    return tile;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Archive metadata from the header (zooms, bounds, centre) and the JSON metadata (names, layers), as TileJSON has them. */
function metadataOf(header: Header, json: unknown, fallbackName: string): ArchiveMetadata {
  const meta = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const text = (key: string, fallback: string): string => (typeof meta[key] === 'string' ? (meta[key] as string) : fallback);
  return {
    name: text('name', fallbackName),
    description: text('description', ''),
    attribution: text('attribution', ''),
    version: text('version', '1.0.0'),
    minzoom: header.minZoom,
    maxzoom: header.maxZoom,
    bounds: [header.minLon, header.minLat, header.maxLon, header.maxLat],
    center: [header.centerLon, header.centerLat, header.centerZoom],
    vectorLayers: Array.isArray(meta.vector_layers) ? (meta.vector_layers as VectorLayerInfo[]) : [],
  };
}
