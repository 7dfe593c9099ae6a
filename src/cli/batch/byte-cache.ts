import type { OutputBuffer } from './output-buffer.js';

/**
 * A bounded map from byte strings to byte strings with a small tag, for answers that are pure
 * functions of a field's bytes: a repeated address is looked up without decoding it, and its
 * answer is copied out already encoded. Keys and values live in typed arrays (an arena and an
 * open-addressed table per generation), so entries are no garbage for the collector to trace —
 * a Map of strings to result objects spent more time in GC than in geocoding (issue 9).
 * Two generations: lookups see both, entries go into the young one, and when it is full the old
 * one is cleared and becomes the young one; an entry found in the old generation moves up.
 * @example
 * const tag = cache.get(block, from, to, out); // appends the value to out, or returns -1
 * if (tag < 0) cache.set(block, from, to, out.since(mark), matched ? 1 : 0);
 */
export class ByteCache {
  private young: Generation;
  private old: Generation;

  /** `entries` per generation; `bytesPerEntry` sizes the arenas (key and value together, on average). */
  constructor({ entries = 50_000, bytesPerEntry = 256 }: { entries?: number; bytesPerEntry?: number } = {}) {
    this.young = new Generation(entries, bytesPerEntry);
    this.old = new Generation(entries, bytesPerEntry);
  }

  /** Appends the value stored for bytes `from`–`to` of `key` to `out` and returns its tag (0–255), or -1 when absent. */
  get(key: Uint8Array, from: number, to: number, out: OutputBuffer): number {
    const hash = hashBytes(key, from, to);
    let entry = this.young.find(key, from, to, hash);
    if (entry >= 0) return this.young.copyValue(entry, out);
    entry = this.old.find(key, from, to, hash);
    if (entry < 0) return -1;
    const tag = this.old.copyValue(entry, out);
    // (if this fills the young generation, the old one is cleared and reused: its arena still
    // holds the value, and a copy within one buffer is safe)
    this.insert(key, from, to, hash, this.old.value(entry), tag);
    return tag;
  }

  /** Stores `value` and `tag` for bytes `from`–`to` of `key` (not checked for being present already). */
  set(key: Uint8Array, from: number, to: number, value: Uint8Array, tag: number): void {
    this.insert(key, from, to, hashBytes(key, from, to), value, tag);
  }

  private insert(key: Uint8Array, from: number, to: number, hash: number, value: Uint8Array, tag: number): void {
    if (!this.young.fits(to - from + value.length)) return;
    if (!this.young.hasRoom(to - from + value.length)) {
      const cleared = this.old;
      cleared.clear();
      this.old = this.young;
      this.young = cleared;
    }
    this.young.add(key, from, to, hash, value, tag);
  }
}

/** One generation: entries in insertion order, their bytes in one arena, a table of entry numbers. */
class Generation {
  /** entry + 1 per slot, 0 for an empty slot; at most half full */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** per entry: hash, key offset, key length, value length (the value follows the key) */
  private readonly meta: Int32Array;
  private readonly tags: Uint8Array;
  private readonly arena: Uint8Array;
  private readonly capacity: number;
  private readonly maxEntryBytes: number;
  private count = 0;
  private used = 0;

  constructor(capacity: number, bytesPerEntry: number) {
    this.capacity = Math.max(1, capacity);
    let size = 2;
    while (size < this.capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.meta = new Int32Array(this.capacity * 4);
    this.tags = new Uint8Array(this.capacity);
    this.arena = new Uint8Array(this.capacity * bytesPerEntry);
    this.maxEntryBytes = bytesPerEntry * 4;
  }

  /** The entry holding the key, or -1. */
  find(key: Uint8Array, from: number, to: number, hash: number): number {
    const { slots, mask, meta, arena } = this;
    const length = to - from;
    for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const entry = slots[slot]! - 1;
      const m = entry * 4;
      if (meta[m] !== hash || meta[m + 2] !== length) continue;
      const offset = meta[m + 1]!;
      let k = 0;
      while (k < length && arena[offset + k] === key[from + k]) k++;
      if (k === length) return entry;
    }
    return -1;
  }

  copyValue(entry: number, out: OutputBuffer): number {
    const m = entry * 4;
    const start = this.meta[m + 1]! + this.meta[m + 2]!;
    out.appendRange(this.arena, start, start + this.meta[m + 3]!);
    return this.tags[entry]!;
  }

  value(entry: number): Uint8Array {
    const m = entry * 4;
    const start = this.meta[m + 1]! + this.meta[m + 2]!;
    return this.arena.subarray(start, start + this.meta[m + 3]!);
  }

  /** Whether an entry of this many bytes is stored at all (not one over 4× the average: it would crowd the arena). */
  fits(bytes: number): boolean {
    return bytes <= this.maxEntryBytes;
  }

  hasRoom(bytes: number): boolean {
    return this.count < this.capacity && this.used + bytes <= this.arena.length;
  }

  add(key: Uint8Array, from: number, to: number, hash: number, value: Uint8Array, tag: number): void {
    const entry = this.count++;
    const m = entry * 4;
    this.meta[m] = hash;
    this.meta[m + 1] = this.used;
    this.meta[m + 2] = to - from;
    this.meta[m + 3] = value.length;
    this.tags[entry] = tag;
    this.arena.set(key.subarray(from, to), this.used);
    this.arena.set(value, this.used + to - from);
    this.used += to - from + value.length;
    let slot = hash & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = entry + 1;
  }

  clear(): void {
    this.slots.fill(0);
    this.count = 0;
    this.used = 0;
  }
}

/** FNV-1a over the bytes, 32 bits. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let k = from; k < to; k++) hash = Math.imul(hash ^ bytes[k]!, 0x01000193);
  return hash | 0;
}
