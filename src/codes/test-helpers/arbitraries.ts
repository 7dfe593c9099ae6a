import { fc } from '@fast-check/vitest';
import type { ComponentClass } from '../component-classes.js';

// generators of valid code parts and of broken variants, shared by the scheme tests

export const provinces = [
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
];
const provinceSet = new Set(provinces);

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const digits = (width: number, min = 0, max = 10 ** width - 1): fc.Arbitrary<string> =>
  fc.integer({ min, max }).map((n) => pad(n, width));

export const districtCode = fc
  .tuple(fc.constantFrom(...provinces), digits(2, 1), digits(2, 1))
  .map(([p, c, k]) => p + c + k);
export const townshipSerial = fc.integer({ min: 1, max: 599 });
export const streetCode = fc.tuple(districtCode, townshipSerial).map(([d, t]) => d + pad(t, 3));
export const communitySerial = fc.integer({ min: 1, max: 999 });
export const communityCode = fc.tuple(streetCode, communitySerial).map(([s, c]) => s + pad(c, 3));
export const gridType = fc.constantFrom('1' as const, '2' as const, '3' as const, '9' as const);
export const dynamicParts = fc.record({ year: fc.integer({ min: 2000, max: 2099 }), version: fc.integer({ min: 1, max: 99 }) });

/** Characters that must never pass as digits: letters, full-width digits, whitespace, punctuation, CJK. */
export const badChar = fc.constantFrom(
  'a', 'O', 'l', 'x', '０', '１', '９', ' ', '\t', '\n', '\u3000', '\u00a0', '.', '+', '/', '一', '〇', 'é', '\u0660',
);

/** `code` with the characters from `start` replaced by `value`. */
export const replaceAt = (code: string, start: number, value: string): string =>
  code.slice(0, start) + value + code.slice(start + value.length);

/** Broken forms every scheme must reject, given a valid code and the lengths the scheme accepts. */
export function commonBreakage(valid: fc.Arbitrary<string>, acceptedLengths: readonly number[]): fc.Arbitrary<string> {
  const wrongLength = fc
    .tuple(valid, fc.integer({ min: 1, max: 30 }), fc.stringMatching(/^[0-9]{30}$/))
    .filter(([, n]) => !acceptedLengths.includes(n))
    .map(([code, n, filler]) => (code + filler).slice(0, n));
  const withBadChar = fc
    .tuple(valid, fc.nat(), badChar)
    .map(([code, i, ch]) => replaceAt(code, i % code.length, ch));
  const padded = fc
    .tuple(valid, fc.constantFrom(' ', '\t', '\n', '\u3000'), fc.boolean())
    .map(([code, ws, front]) => (front ? ws + code : code + ws));
  const fullWidth = valid.map((code) => code.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)));
  const blank = fc.constantFrom('', ' ', '   ', '\t', '\n');
  return fc.oneof(wrongLength, withBadChar, padded, fullWidth, blank);
}

/** A 2-digit province code that GB/T 2260 does not assign. */
export const badProvince = digits(2).filter((p) => !provinceSet.has(p));
/** A township code outside 001–599. */
export const badTownship = fc.oneof(fc.constant('000'), digits(3, 600, 999));

/** A class code (4 digits) that is not in the given classes. */
export function unknownClassCode(classes: readonly ComponentClass[]): fc.Arbitrary<string> {
  const known = new Set(classes.map((c) => c.code));
  return fc
    .tuple(digits(2, 1), digits(2, 1))
    .map(([major, minor]) => major + minor)
    .filter((code) => !known.has(code));
}

/** Mixed input for "validate agrees with decode": valid, broken, random digits and random text. */
export function anyInput(valid: fc.Arbitrary<string>, broken: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(valid, broken, fc.stringMatching(/^[0-9]{12,24}$/), fc.string({ maxLength: 30 }));
}
