const encoder = new TextEncoder();

/**
 * A growing byte buffer for a block's output: input bytes are copied through as they are and
 * text is encoded once, so rows are never decoded and re-encoded. `bytes()` gives a buffer of
 * its own, transferable between threads.
 */
export class OutputBuffer {
  private buffer: Uint8Array;
  private used = 0;

  constructor(capacity = 64 * 1024) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends bytes `from`–`to` of `source`. */
  appendRange(source: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (this.used + count > this.buffer.length) this.grow(count);
    const buffer = this.buffer;
    // short rows copy faster in a loop than through a subarray view
    if (count < 96) {
      let at = this.used;
      for (let k = from; k < to; k++) buffer[at++] = source[k]!;
    } else buffer.set(source.subarray(from, to), this.used);
    this.used += count;
  }

  /** Appends all of `source`. */
  append(source: Uint8Array): void {
    this.appendRange(source, 0, source.length);
  }

  /** Appends text as UTF-8. */
  appendText(text: string): void {
    if (this.used + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    this.used += encoder.encodeInto(text, this.buffer.subarray(this.used)).written;
  }

  /** Bytes written so far: a mark to `truncate` back to, or to read from with `since`. */
  get length(): number {
    return this.used;
  }

  /** Drops what was written after `mark` (a row that turned out bad). */
  truncate(mark: number): void {
    this.used = Math.min(this.used, mark);
  }

  /** A view of the bytes written since `mark`; valid until the next append. */
  since(mark: number): Uint8Array {
    return this.buffer.subarray(mark, this.used);
  }

  /** The bytes written; a view of a buffer that now belongs to the caller (it may be transferred). */
  bytes(): Uint8Array {
    const written = this.buffer.subarray(0, this.used);
    this.buffer = new Uint8Array(16);
    this.used = 0;
    return written;
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.used + needed));
    next.set(this.buffer.subarray(0, this.used));
    this.buffer = next;
  }
}

/** Encodes text as UTF-8 (for pieces appended many times). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
