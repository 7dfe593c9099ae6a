import { LRUCache } from 'lru-cache';

/** An encoded tile as served: gzip-compressed MVT bytes and their entity tag. */
export interface ServedTile {
  gzip: Uint8Array;
  etag: string;
}

/** A tile known to be empty costs this much of the budget (the key and bookkeeping). */
const EMPTY_TILE_BYTES = 64;

// lru-cache holds no null values, so a known-empty tile is kept as this one object
const EMPTY = Object.freeze({ empty: true as const });
type Entry = ServedTile | typeof EMPTY;

/**
 * Least-recently-used cache of encoded tiles, bounded in bytes (lru-cache's `maxSize`). Empty
 * tiles are cached too (as `null`), so a 204 is as cheap as a hit.
 * @example
 * const cache = new TileCache(256 * 2 ** 20);
 * cache.set(TileCache.key('wangge', 14, 13490, 6206), { gzip, etag });
 */
export class TileCache {
  private readonly entries: LRUCache<string, Entry>;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {
    // a tile bigger than the whole budget is not kept (lru-cache's maxEntrySize defaults to maxSize)
    this.entries = new LRUCache<string, Entry>({ maxSize: maxBytes, sizeCalculation: costOf });
  }

  static key(source: string, z: number, x: number, y: number): string {
    return `${source}/${z}/${x}/${y}`;
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries.size, bytes: this.entries.calculatedSize };
  }

  /** The cached tile (null: known empty), or undefined on a miss. */
  get(key: string): ServedTile | null | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry === EMPTY ? null : (entry as ServedTile);
  }

  set(key: string, tile: ServedTile | null): void {
    // a tile too big for the budget is not stored, and lru-cache drops the one it replaces
    this.entries.set(key, tile ?? EMPTY);
  }

  /** Whether a tile is cached, without counting a hit or refreshing it. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Drops one tile; true if it was cached. */
  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

function costOf(entry: Entry): number {
  return entry === EMPTY ? EMPTY_TILE_BYTES : (entry as ServedTile).gzip.byteLength + EMPTY_TILE_BYTES;
}
