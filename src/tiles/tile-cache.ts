/** An encoded tile as served: gzip-compressed MVT bytes and their entity tag. */
export interface ServedTile {
  gzip: Uint8Array;
  etag: string;
}

/** A tile known to be empty costs this much of the budget (the key and bookkeeping). */
const EMPTY_TILE_BYTES = 64;

/**
 * Least-recently-used cache of encoded tiles, bounded in bytes. Empty tiles are cached too
 * (as `null`), so a 204 is as cheap as a hit.
 */
export class TileCache {
  private readonly entries = new Map<string, ServedTile | null>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  static key(source: string, z: number, x: number, y: number): string {
    return `${source}/${z}/${x}/${y}`;
  }

  get size(): { tiles: number; bytes: number } {
    return { tiles: this.entries.size, bytes: this.bytes };
  }

  /** The cached tile (null: known empty), or undefined on a miss. */
  get(key: string): ServedTile | null | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // re-insert: Map iteration order is insertion order, so the first key is the least recent
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, tile: ServedTile | null): void {
    this.delete(key);
    const cost = costOf(tile);
    if (cost > this.maxBytes) return;
    this.entries.set(key, tile);
    this.bytes += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= costOf(entry);
    }
  }

  /** Whether a tile is cached, without counting a hit or refreshing it. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Drops one tile; true if it was cached. */
  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.bytes -= costOf(entry);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

function costOf(tile: ServedTile | null): number {
  return tile === null ? EMPTY_TILE_BYTES : tile.gzip.byteLength + EMPTY_TILE_BYTES;
}
