/** Longest text `ascii` copies character by character: POST /v1/reverse as CSV went from 513k to 697k points/s (2 connections, loopback). */
const SHORT_TEXT = 48;

const POWERS_OF_TEN = Array.from({ length: 10 }, (_, d) => 10 ** d);

/** Writes a non-negative integer below 2^31 in decimal at `at`; returns the place after it. */
function writeDigits(buffer: Buffer, at: number, integer: number): number {
  let digits = 1;
  while (digits < 10 && integer >= POWERS_OF_TEN[digits]!) digits++;
  for (let k = at + digits - 1; k >= at; k--) {
    buffer[k] = 48 + (integer % 10);
    integer = (integer / 10) | 0;
  }
  return at + digits;
}

/** A growing UTF-8 buffer: batch answers are written as bytes, never as one huge string. */
export class JsonBytes {
  private buffer: Buffer;
  private used = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** bytes written so far */
  get length(): number {
    return this.used;
  }

  /** text known to be ASCII (numbers, punctuation, keys) */
  ascii(text: string): void {
    this.reserve(text.length);
    if (text.length > SHORT_TEXT) {
      this.used += this.buffer.write(text, this.used, 'latin1');
      return;
    }
    // a short text (a number, a key) is copied here: a call into Buffer.write costs more than it does
    const { buffer } = this;
    for (let k = 0; k < text.length; k++) buffer[this.used + k] = text.charCodeAt(k);
    this.used += text.length;
  }

  /**
   * A number as JavaScript writes it (`String(value)`), digit by digit without making the string:
   * a batch answer writes two coordinates a point, and V8's number-to-string with its garbage was
   * the largest cost of a CSV answer. The fast path covers 0.001 ≤ |value| < 100,000 with at most
   * nine decimals (coordinates in degrees): when n = round(|value| · 10^9) gives back |value| as
   * n / 10^9 (a correctly rounded division of exact numbers, so what parsing that decimal gives),
   * the text is that decimal without its trailing zeros. Decimals 10^-9 apart are far wider than
   * the spacing of doubles below 100,000, so it is the only decimal of nine places (or fewer, padded)
   * that round-trips: the shortest that does, which is what `String` writes. Anything else (more
   * decimals, other magnitudes, NaN) is written by `String`.
   */
  number(value: number): void {
    const magnitude = Math.abs(value);
    const scaled = Math.round(magnitude * 1e9);
    if (!(magnitude >= 0.001 && magnitude < 100_000) || scaled / 1e9 !== magnitude) {
      this.ascii(String(value));
      return;
    }
    // both below 2^31: integer arithmetic (a floating-point % costs several times more)
    const whole = Math.floor(magnitude) | 0;
    let fraction = (scaled - whole * 1e9) | 0;
    let decimals = 9;
    while (decimals > 0 && fraction % 10 === 0) {
      fraction = (fraction / 10) | 0;
      decimals--;
    }
    this.reserve(24);
    const buffer = this.buffer;
    let at = this.used;
    if (value < 0) buffer[at++] = 45; // '-'
    at = writeDigits(buffer, at, whole);
    if (decimals > 0) {
      buffer[at++] = 46; // '.'
      // zero-padded on the left to its places
      for (let k = at + decimals - 1; k >= at; k--) {
        buffer[k] = 48 + (fraction % 10);
        fraction = (fraction / 10) | 0;
      }
      at += decimals;
    }
    this.used = at;
  }

  text(text: string): void {
    this.reserve(Buffer.byteLength(text, 'utf8'));
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  bytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.used += bytes.copy(this.buffer, this.used);
  }

  /** the bytes written, as a view a response body takes without a copy */
  finish(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.buffer.buffer as ArrayBuffer, this.buffer.byteOffset, this.used);
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + extra));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}
