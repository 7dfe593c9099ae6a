import { describe, expect, it } from 'vitest';
import { TileCache, type ServedTile } from './tile-cache.js';

/** A tile of `bytes` gzip bytes; with the 64 bytes of bookkeeping it costs bytes + 64. */
function tile(bytes: number, etag = `"${bytes}"`): ServedTile {
  return { gzip: new Uint8Array(bytes), etag };
}

describe('TileCache', () => {
  it('counts hits and misses and tells a known-empty tile (null) from a miss (undefined)', () => {
    const cache = new TileCache(10_000);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', null);
    cache.set('b', tile(100));
    expect(cache.get('a')).toBeNull();
    expect(cache.get('b')?.gzip.byteLength).toBe(100);
    expect([cache.hits, cache.misses]).toEqual([2, 1]);
    expect(cache.size).toEqual({ tiles: 2, bytes: 64 + 164 });
  });

  it('keeps within its byte budget by dropping the least recently read tile first', () => {
    // room for three 300-byte tiles (3 × 364 = 1,092), not four
    const cache = new TileCache(1_100);
    cache.set('a', tile(300));
    cache.set('b', tile(300));
    cache.set('c', tile(300));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent; b the least
    cache.set('d', tile(300));
    expect(['a', 'b', 'c', 'd'].map((key) => cache.has(key))).toEqual([true, false, true, true]);
    expect(cache.size).toEqual({ tiles: 3, bytes: 3 * 364 });
  });

  it('does not keep a tile bigger than the whole budget, nor the stale tile it replaces', () => {
    const cache = new TileCache(1_000);
    cache.set('a', tile(100, '"old"'));
    cache.set('a', tile(2_000, '"new"'));
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toEqual({ tiles: 0, bytes: 0 });
  });

  it('replaces a tile in place, accounts its new size, and drops tiles on delete and clear', () => {
    const cache = new TileCache(10_000);
    cache.set('a', tile(100));
    cache.set('a', tile(500));
    expect(cache.size).toEqual({ tiles: 1, bytes: 564 });
    cache.set('b', null);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.size).toEqual({ tiles: 1, bytes: 64 });
    // has() neither counts nor refreshes
    const { hits, misses } = cache;
    expect(cache.has('b')).toBe(true);
    expect([cache.hits, cache.misses]).toEqual([hits, misses]);
    cache.clear();
    expect(cache.size).toEqual({ tiles: 0, bytes: 0 });
  });
});
