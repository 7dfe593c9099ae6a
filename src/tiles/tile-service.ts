import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { NotFoundError } from '../errors.js';
import { unionBBox, type BBox } from '../geo/bbox.js';
import { boxAround, distanceM } from '../geo/distance.js';
import type { StoreChange } from '../store/changes.js';
import type { Store } from '../store/store.js';
import type { ArchiveMetadata } from './archive.js';
import { BUFFER, EXTENT, MAX_ZOOM, TILE_LAYERS, TILE_SOURCES, isTileSource, type TileLayerName, type TileSourceName } from './layers.js';
import { latOf, lngOf, tileRange, worldBox, type TileCoord } from './tile-coords.js';
import { TileCache, type ServedTile } from './tile-cache.js';
import { readChangedFeature, tileLayersOfChange, type TileFeature } from './tile-features.js';
import { sourceMetadata } from './tile-metadata.js';
import type { NearbyComponent, TileProvider } from './tile-provider.js';
import { loadLayerIndexes, renderTile, type LayerIndexes } from './tiler.js';
import { FULL_DETAIL_ZOOM, THINNING_CELLS_PER_TILE } from './thinning.js';

export interface TileServiceOptions {
  /** budget of the encoded-tile cache in bytes (default 256 MiB) */
  cacheBytes?: number;
  /** the `version` TileJSON reports */
  version?: string;
}

export const DEFAULT_TILE_CACHE_MB = 256;
const ATTRIBUTION = 'wangge grid data';

/**
 * Tiles cut on demand from the store's data: per-layer indexes built at start-up, encoded tiles
 * kept in a bounded LRU cache. `applyChanges` reloads changed features from the store and drops
 * exactly the cached tiles they touch.
 */
export class TileService implements TileProvider {
  readonly sources: readonly TileSourceName[] = Object.keys(TILE_SOURCES) as TileSourceName[];
  readonly maxAgeSeconds = 60;
  readonly cache: TileCache;
  private readonly metadataCache = new Map<TileSourceName, ArchiveMetadata>();

  private constructor(
    private readonly store: Store,
    private readonly indexes: LayerIndexes,
    private readonly options: TileServiceOptions,
  ) {
    this.cache = new TileCache(options.cacheBytes ?? DEFAULT_TILE_CACHE_MB * 2 ** 20);
  }

  static fromStore(store: Store, options: TileServiceOptions = {}): TileService {
    return new TileService(store, loadLayerIndexes(store), options);
  }

  /** Features per tile layer, as /health and /metrics report index sizes. */
  indexSizes(): Record<TileLayerName, number> {
    return Object.fromEntries(Object.entries(this.indexes).map(([name, index]) => [name, index.size])) as Record<TileLayerName, number>;
  }

  metadata(source: string): ArchiveMetadata {
    const name = checkedSource(source);
    let metadata = this.metadataCache.get(name);
    if (!metadata) {
      metadata = sourceMetadata(name, this.bounds(), ATTRIBUTION, this.options.version ?? '1.0.0');
      this.metadataCache.set(name, metadata);
    }
    return metadata;
  }

  /** The encoded-tile cache's figures so far, for /metrics. */
  cacheFigures(): { hits: number; misses: number; bytes: number; tiles: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, ...this.cache.size };
  }

  /**
   * Drawn components within `radiusM` of a point, nearest first: the tile index is the live
   * index of components, so `/v1/reverse?components=` sees a write as soon as the tiles do.
   */
  componentsNear(lng: number, lat: number, radiusM: number, limit: number): NearbyComponent[] {
    const box = worldBox(boxAround(lng, lat, radiusM));
    const near: NearbyComponent[] = [];
    for (const f of this.indexes.components.search(box, FULL_DETAIL_ZOOM)) {
      const x = lngOf((f.bbox.minX + f.bbox.maxX) / 2);
      const y = latOf((f.bbox.minY + f.bbox.maxY) / 2);
      const distance = distanceM(lng, lat, x, y);
      if (distance > radiusM) continue;
      near.push({ code: String(f.tags.code), class: String(f.tags.class), status: String(f.tags.status), distanceM: Math.round(distance * 10) / 10 });
    }
    return near.sort((a, b) => a.distanceM - b.distanceM || a.code.localeCompare(b.code)).slice(0, limit);
  }

  /** A tile as uncompressed MVT, cut now and not cached (for exports); null when empty. */
  render(source: TileSourceName, coord: TileCoord): Uint8Array | null {
    return renderTile(this.indexes, source, coord);
  }

  tile(source: string, coord: TileCoord): ServedTile | null {
    const name = checkedSource(source);
    const key = TileCache.key(name, coord.z, coord.x, coord.y);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const tile = encodeServedTile(renderTile(this.indexes, name, coord));
    this.cache.set(key, tile);
    return tile;
  }

  /**
   * Brings the indexes up to date with logged store changes and drops the cached tiles they
   * touch. Returns how many cached tiles were dropped.
   */
  applyChanges(changes: readonly StoreChange[]): number {
    const byLayer = new Map<TileLayerName, { key: string; feature: TileFeature | null }[]>();
    for (const change of changes) {
      for (const layer of tileLayersOfChange(change)) {
        let list = byLayer.get(layer);
        if (!list) byLayer.set(layer, (list = []));
        list.push({ key: change.key, feature: readChangedFeature(this.store, layer, change.key) });
      }
    }
    let dropped = 0;
    for (const [layer, list] of byLayer) dropped += this.dropTouching(layer, this.indexes[layer].replace(list));
    if (byLayer.has('streets')) this.metadataCache.clear();
    return dropped;
  }

  /** True when a layer index holds enough changes beside its trees that `compact` should rebuild them. */
  get needsCompaction(): boolean {
    return Object.values(this.indexes).some((index) => index.needsCompaction);
  }

  /**
   * Rebuilds the trees of every layer index that needs it, in steps (run them with a turn of the
   * event loop between; no `applyChanges` until done). The features stay the same, so no cached
   * tile changes.
   */
  *compact(): Generator<void, void> {
    for (const index of Object.values(this.indexes)) if (index.needsCompaction) yield* index.compact();
  }

  /** Drops cached tiles of every source with `layer` whose buffered area meets one of `boxes` (world). */
  private dropTouching(layer: TileLayerName, boxes: readonly BBox[]): number {
    const sources = this.sources.filter((s) => TILE_SOURCES[s].includes(layer));
    const { minzoom, thinned } = TILE_LAYERS[layer];
    let dropped = 0;
    for (const box of boxes) {
      for (let z = minzoom; z <= MAX_ZOOM; z++) {
        const range = tileRange(affectedArea(box, z, thinned === true && z < FULL_DETAIL_ZOOM), z);
        for (let x = range.minX; x <= range.maxX; x++) {
          for (let y = range.minY; y <= range.maxY; y++) {
            for (const source of sources) if (this.cache.delete(TileCache.key(source, z, x, y))) dropped++;
          }
        }
      }
    }
    return dropped;
  }

  /** West, south, east, north of the streets (the district), or of everything when there are none. */
  private bounds(): ArchiveMetadata['bounds'] {
    const layers: TileLayerName[] = this.indexes.streets.size > 0 ? ['streets'] : (Object.keys(this.indexes) as TileLayerName[]);
    let box: BBox = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const layer of layers) for (const f of this.indexes[layer].all()) box = unionBBox(box, f.bbox);
    if (!Number.isFinite(box.minX)) return [-180, -85.0511, 180, 85.0511];
    const r = (v: number): number => Math.round(v * 1e6) / 1e6;
    return [r(lngOf(box.minX)), r(latOf(box.maxY)), r(lngOf(box.maxX)), r(latOf(box.minY))];
  }
}

function checkedSource(source: string): TileSourceName {
  if (!isTileSource(source)) throw new NotFoundError(`no tile source "${source}"`);
  return source;
}

/**
 * The world area whose tiles at zoom `z` a feature with box `box` can appear in: the box grown by
 * the tile buffer, and, where the layer is thinned, first widened to whole thinning cells (a
 * change can hand a cell to another feature anywhere inside it).
 */
function affectedArea(box: BBox, z: number, thinned: boolean): BBox {
  const tile = 1 / 2 ** z;
  let area = box;
  if (thinned) {
    const cell = tile / THINNING_CELLS_PER_TILE;
    area = {
      minX: Math.floor(box.minX / cell) * cell,
      minY: Math.floor(box.minY / cell) * cell,
      maxX: Math.ceil(box.maxX / cell) * cell,
      maxY: Math.ceil(box.maxY / cell) * cell,
    };
  }
  const margin = (tile * BUFFER) / EXTENT;
  return { minX: area.minX - margin, minY: area.minY - margin, maxX: area.maxX + margin, maxY: area.maxY + margin };
}

/** Compresses an encoded tile for serving and caching; its ETag is a hash of the MVT bytes. */
export function encodeServedTile(mvt: Uint8Array | null): ServedTile | null {
  if (mvt === null) return null;
  const compressed = gzipSync(mvt, { level: 6 });
  // a small result is a view of zlib's 16 KiB chunk: copied out, so the cache holds (and counts) only its bytes
  const gzip = compressed.buffer.byteLength > compressed.byteLength ? new Uint8Array(compressed) : compressed;
  return { gzip, etag: `"${createHash('sha1').update(mvt).digest('base64url').slice(0, 22)}"` };
}
