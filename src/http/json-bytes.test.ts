import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes.js';

const written = (value: number): string => {
  const out = new JsonBytes(4);
  out.ascii('[');
  out.number(value);
  out.ascii(']');
  return Buffer.from(out.finish()).toString('latin1');
};

describe('JsonBytes.number', () => {
  // decimals as people and GIS exports send them: an integer over a power of ten, any sign and size
  const decimal = fc.tuple(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 16 })).map(([n, d]) => n / 10 ** d);
  test.prop([fc.oneof(decimal, fc.double(), fc.double({ min: -200, max: 200 }), fc.double({ min: 0.0009, max: 0.0011 }), fc.double({ min: 99_999, max: 100_001 }))], { numRuns: 20_000 })(
    'writes every number as String does',
    (value) => {
      expect(written(value)).toBe(`[${String(value)}]`);
    },
  );

  it('writes the edges of the fast path and the values beyond it as String does', () => {
    for (const value of [0, -0, 0.001, -0.001, 0.000999, 99_999.999999999, 100_000, 116.397128, 39.916527, 1e21, 1e-7, 5e-324, NaN, Infinity, -Infinity, 0.1 + 0.2, 116.39712800000001]) {
      expect(written(value), String(value)).toBe(`[${String(value)}]`);
    }
  });
});
