const COMMA = 0x2c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const QUOTE = 0x22;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

// field kinds: as is, quoted, quoted with "" inside
const PLAIN = 0;
const QUOTED = 1;
const ESCAPED = 2;

// 10^k is exact in a double up to k = 22
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
// a byte-order mark is dropped once at the start of the input (record-blocks.ts); inside a field it is data
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Walks the CSV records of a block's bytes without decoding them: after `next()`, the record is
 * bytes `start`–`end` (no line break) starting on 0-based line `line`, with `fieldCount` fields
 * read by `text(k)` and `number(k)`, in one pass over the bytes. Quoting is RFC 4180: a quoted
 * field may hold commas, "" for a quote, and line breaks (the record then spans several lines).
 * @example
 * const csv = new CsvScanner(bytes);
 * while (csv.next()) if (!csv.blank) use(csv.number(2), csv.line);
 */
export class CsvScanner {
  /** 0-based line of the current record within the block */
  line = 0;
  start = 0;
  end = 0;
  fieldCount = 0;
  /** the record is an empty line (not a record for RFC 4180 readers) */
  blank = false;
  /** why the record is malformed (an unterminated quote, text after a closing quote), else null */
  error: string | null = null;
  private readonly bytes: Uint8Array;
  private at = 0;
  private nextLine = 0;
  private fieldStarts: Int32Array = new Int32Array(16);
  private fieldEnds: Int32Array = new Int32Array(16);
  private fieldKinds: Uint8Array = new Uint8Array(16);

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Lines consumed so far (all of the block once `next()` returned false). */
  get lines(): number {
    return this.nextLine;
  }

  /** Moves to the next record; false at the end of the block. */
  next(): boolean {
    const bytes = this.bytes;
    const length = bytes.length;
    const start = this.at;
    if (start >= length) return false;
    this.start = start;
    this.line = this.nextLine;
    this.error = null;
    let starts = this.fieldStarts;
    let ends = this.fieldEnds;
    let kinds = this.fieldKinds;
    let newlines = 0;
    let field = 0;
    let at = start;
    for (;;) {
      if (field >= starts.length) [starts, ends, kinds] = this.growFields();
      if (at < length && bytes[at] === QUOTE) {
        // RFC 4180 quoted field: ends at a quote not doubled; may hold commas and line breaks
        let kind = QUOTED;
        let close = at + 1;
        for (; close < length; close++) {
          const byte = bytes[close]!;
          if (byte === QUOTE) {
            if (bytes[close + 1] !== QUOTE) break;
            kind = ESCAPED;
            close++;
          } else if (byte === NEWLINE) newlines++;
        }
        starts[field] = at + 1;
        ends[field] = close;
        kinds[field] = kind;
        at = close + 1;
        if (close >= length) {
          this.error = 'a quoted field is never closed';
          at = length;
        } else if (at < length && bytes[at] !== COMMA && bytes[at] !== NEWLINE && !(bytes[at] === RETURN && bytes[at + 1] === NEWLINE)) {
          this.error ??= `unexpected text after the closing quote of field ${field + 1}`;
          while (at < length && bytes[at] !== COMMA && bytes[at] !== NEWLINE) at++;
        }
      } else {
        starts[field] = at;
        kinds[field] = PLAIN;
        while (at < length) {
          const byte = bytes[at]!;
          if (byte === COMMA || byte === NEWLINE) break;
          at++;
        }
        ends[field] = at > starts[field]! && bytes[at - 1] === RETURN && (at === length || bytes[at] === NEWLINE) ? at - 1 : at;
      }
      field++;
      if (at < length && bytes[at] === COMMA) {
        at++;
        continue;
      }
      // a line break, or the end of the block
      if (at < length && bytes[at] === RETURN) at++;
      break;
    }
    this.at = at + 1;
    this.nextLine += newlines + 1;
    let end = Math.min(at, length);
    if (end > start && bytes[end - 1] === RETURN) end--;
    this.end = end;
    this.fieldCount = field;
    this.blank = field === 1 && kinds[0] === PLAIN && ends[0] === starts[0];
    return true;
  }

  /** Where field `k`'s bytes start (after an opening quote). */
  fieldStart(k: number): number {
    return this.fieldStarts[k]!;
  }

  /** Where field `k`'s bytes end (before a closing quote). */
  fieldEnd(k: number): number {
    return this.fieldEnds[k]!;
  }

  /** Whether field `k` holds "" escapes, so that its text differs from its bytes. */
  fieldEscaped(k: number): boolean {
    return this.fieldKinds[k] === ESCAPED;
  }

  /** Field `k` as text (quotes removed, "" read as "). */
  text(k: number): string {
    const text = decoder.decode(this.bytes.subarray(this.fieldStarts[k]!, this.fieldEnds[k]!));
    return this.fieldKinds[k] === ESCAPED ? text.replaceAll('""', '"') : text;
  }

  /**
   * Field `k` as a number, exactly as `Number(text)` reads it, NaN when blank or not a number.
   * Plain decimals with at most 15 digits are read from the bytes (one correctly rounded division).
   */
  number(k: number): number {
    const bytes = this.bytes;
    const from = this.fieldStarts[k]!;
    const to = this.fieldEnds[k]!;
    let at = from;
    const negative = bytes[at] === MINUS;
    if (negative || bytes[at] === PLUS) at++;
    let mantissa = 0;
    let digits = 0;
    let dot = -1;
    for (; at < to; at++) {
      const byte = bytes[at]!;
      if (byte >= ZERO && byte <= NINE) {
        mantissa = mantissa * 10 + (byte - ZERO);
        digits++;
      } else if (byte === DOT && dot < 0) dot = at;
      else return numberFromText(this.text(k));
    }
    const decimals = dot < 0 ? 0 : to - dot - 1;
    if (digits === 0 || digits > 15 || decimals > 22) return numberFromText(this.text(k));
    const value = mantissa / POWERS_OF_TEN[decimals]!;
    return negative ? -value : value;
  }

  private growFields(): [Int32Array, Int32Array, Uint8Array] {
    const size = this.fieldStarts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.fieldStarts);
    ends.set(this.fieldEnds);
    kinds.set(this.fieldKinds);
    this.fieldStarts = starts;
    this.fieldEnds = ends;
    this.fieldKinds = kinds;
    return [starts, ends, kinds];
  }
}

/** `Number(text)`, but NaN for blank text (which Number reads as 0). */
export function numberFromText(text: string): number {
  const value = Number(text);
  return value === 0 && text.trim() === '' ? NaN : value;
}
