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
}
