import type { Fail } from './code-error.js';

/** Throws unless `code` is a non-empty string of ASCII digits 0–9; names the first bad character. */
export function requireDigits(code: unknown, fail: Fail, what = 'the code'): asserts code is string {
  if (typeof code !== 'string') fail('characters', `${what} must be a string of digits, got ${typeof code}`);
  if (code.length === 0) fail('length', `${what} is empty`);
  let position = 0;
  for (const ch of code) {
    position++;
    if (ch >= '0' && ch <= '9') continue;
    fail('characters', `${what} must contain only ASCII digits 0–9; found ${describeChar(ch)} at position ${position}`);
  }
}

/** Throws unless `code` has one of the given lengths; the reason lists the accepted ones. */
export function requireLength(code: string, lengths: readonly number[], fail: Fail, accepted: string): void {
  if (!lengths.includes(code.length)) fail('length', `must be ${accepted}, got ${code.length} digits`);
}

/** Parses a zero-padded serial and throws unless it is at least 1 (all-zero serials are never issued). */
export function requireSerial(text: string, fail: Fail, part: string, label: string, why: string): number {
  const n = Number(text);
  if (n < 1) fail(part, `${label} "${text}" must be ${padNumber(1, text.length)}–${'9'.repeat(text.length)} (${why})`);
  return n;
}

/** Throws unless `value` is an integer in [min, max]; used by encoders whose parts arrive as numbers. */
export function requireInteger(value: number, range: IntegerRange, fail: Fail, part: string, label: string, why: string): void {
  const { min, max, width } = range;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(part, `${label} ${String(value)} must be an integer ${padNumber(min, width)}–${padNumber(max, width)} (${why})`);
  }
}

/** Inclusive bounds of a numeric part and the digits it is written with. */
export interface IntegerRange {
  min: number;
  max: number;
  width: number;
}

/**
 * The code an encoder would produce without checks; encoders report errors against it so the
 * message shows where the bad part lands (`String` keeps NaN or 1.5 visible).
 */
export function joinParts(prefix: unknown, serial: unknown, width: number): string {
  const tail = typeof serial === 'number' && Number.isInteger(serial) && serial >= 0 ? padNumber(serial, width) : String(serial);
  return String(prefix) + tail;
}

/** Zero-pads a non-negative integer to `width` digits. */
export function padNumber(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function describeChar(ch: string): string {
  if (ch >= '０' && ch <= '９') return `full-width digit "${ch}" (use ASCII ${String.fromCharCode(ch.charCodeAt(0) - 0xfee0)})`;
  if (/\s/.test(ch)) return `whitespace ${JSON.stringify(ch)}`;
  return JSON.stringify(ch);
}
