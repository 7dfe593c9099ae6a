import type { ArchiveMetadata } from './archive.js';
import type { TileCoord } from './tile-coords.js';
import type { ServedTile } from './tile-cache.js';

/** Where the tile routes get tiles: the live store (tile-service.ts), an MBTiles file (mbtiles.ts) or a PMTiles archive (pmtiles-tile-provider.ts). */
export interface TileProvider {
  /** the source names served under /tiles/{source} */
  readonly sources: readonly string[];
  /** seconds clients and proxies may reuse a tile before revalidating */
  readonly maxAgeSeconds: number;
  /** what TileJSON and archive metadata say about a source */
  metadata(source: string): ArchiveMetadata;
  /** the tile, or null when the tile has no data; `source` must be one of `sources` (a file read by range answers later) */
  tile(source: string, coord: TileCoord): ServedTile | null | Promise<ServedTile | null>;
  /** tiles cut live (tile-service.ts) only: drawn components near a point, nearest first, from the live index */
  componentsNear?(lng: number, lat: number, radiusM: number, limit: number): NearbyComponent[];
  /** tiles cut live only: the encoded-tile cache's figures so far, for /metrics */
  cacheFigures?(): { hits: number; misses: number; bytes: number; tiles: number };
  /** tiles cut live only: features in each layer index, for /metrics */
  indexSizes?(): Record<string, number>;
}

/** A component near a point, as `/v1/reverse?components=` lists it (distance to its centre). */
export interface NearbyComponent {
  code: string;
  class: string;
  status: string;
  distanceM: number;
}
