const encoder = new TextEncoder();

/**
 * A growing byte buffer for a block's output: input bytes are copied through as they are and
 * text is encoded once, so rows are never decoded and re-encoded. `bytes()` gives a buffer of
 * its own, transferable between threads.
 */
export class OutputBuffer {
  private buffer: Uint8Array;
  private length = 0;

  constructor(capacity = 64 * 1024) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends bytes `from`–`to` of `source`. */
  appendRange(source: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (this.length + count > this.buffer.length) this.grow(count);
    const buffer = this.buffer;
    // short rows copy faster in a loop than through a subarray view
    if (count < 96) {
      let at = this.length;
      for (let k = from; k < to; k++) buffer[at++] = source[k]!;
    } else buffer.set(source.subarray(from, to), this.length);
    this.length += count;
  }

  /** Appends all of `source`. */
  append(source: Uint8Array): void {
    this.appendRange(source, 0, source.length);
  }

  /** Appends text as UTF-8. */
  appendText(text: string): void {
    if (this.length + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    this.length += encoder.encodeInto(text, this.buffer.subarray(this.length)).written;
  }

  /** The bytes written; a view of a buffer that now belongs to the caller (it may be transferred). */
  bytes(): Uint8Array {
    const written = this.buffer.subarray(0, this.length);
    this.buffer = new Uint8Array(16);
    this.length = 0;
    return written;
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + needed));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}

/** Encodes text as UTF-8 (for pieces appended many times). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
