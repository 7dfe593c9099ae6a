import { fc, test } from '@fast-check/vitest';
import type { Geometry, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { formatWkt, parseEwkt, parseWkt } from './wkt.js';

describe('parseWkt', () => {
  it('reads every geometry type', () => {
    expect(parseWkt('POINT (116.39 39.91)')).toEqual({ type: 'Point', coordinates: [116.39, 39.91] });
    expect(parseWkt('LINESTRING (0 0, 1 1, 2 0)')).toEqual({
      type: 'LineString',
      coordinates: [[0, 0], [1, 1], [2, 0]],
    });
    expect(parseWkt('POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))')).toEqual({
      type: 'Polygon',
      coordinates: [
        [[0, 0], [4, 0], [4, 4], [0, 0]],
        [[1, 1], [2, 1], [2, 2], [1, 1]],
      ],
    });
    expect(parseWkt('MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))')).toEqual({
      type: 'MultiLineString',
      coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]],
    });
    expect(parseWkt('MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.1, 5.8 5.1, 5.8 5.7, 5.2 5.1)))')).toEqual({
      type: 'MultiPolygon',
      coordinates: [
        [[[0, 0], [1, 0], [1, 1], [0, 0]]],
        [
          [[5, 5], [6, 5], [6, 6], [5, 5]],
          [[5.2, 5.1], [5.8, 5.1], [5.8, 5.7], [5.2, 5.1]],
        ],
      ],
    });
    expect(parseWkt('GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1), GEOMETRYCOLLECTION (POINT (3 4)))')).toEqual({
      type: 'GeometryCollection',
      geometries: [
        { type: 'Point', coordinates: [1, 2] },
        { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
        { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [3, 4] }] },
      ],
    });
  });

  it('reads both MULTIPOINT forms, and a mix of them', () => {
    const expected = { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] };
    expect(parseWkt('MULTIPOINT (1 2, 3 4)')).toEqual(expected);
    expect(parseWkt('MULTIPOINT ((1 2), (3 4))')).toEqual(expected);
    expect(parseWkt('MULTIPOINT ((1 2), 3 4)')).toEqual(expected);
  });

  it('is case-insensitive and lenient about whitespace', () => {
    expect(parseWkt('  point(1 2)  ')).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(parseWkt('LineString(0 0,1 1)')).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
    expect(parseWkt('POLYGON\n(\n(0 0,\t1 0, 1 1, 0 0)\n)')).toMatchObject({ type: 'Polygon' });
  });

  it('reads signs, decimals without a leading digit and exponents', () => {
    expect(parseWkt('POINT (-.5 +1e-3)')).toEqual({ type: 'Point', coordinates: [-0.5, 0.001] });
    expect(parseWkt('POINT (1.5E2 -2.)')).toEqual({ type: 'Point', coordinates: [150, -2] });
  });

  it('drops Z and M values, whether marked or not', () => {
    const point = { type: 'Point', coordinates: [1, 2] };
    expect(parseWkt('POINT Z (1 2 3)')).toEqual(point);
    expect(parseWkt('POINT M (1 2 3)')).toEqual(point);
    expect(parseWkt('POINT ZM (1 2 3 4)')).toEqual(point);
    expect(parseWkt('POINTZ(1 2 3)')).toEqual(point);
    expect(parseWkt('POINTM(1 2 3)')).toEqual(point);
    expect(parseWkt('POINT (1 2 3)')).toEqual(point);
    expect(parseWkt('LINESTRING Z (0 0 5, 1 1 6)')).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });

  it('ignores an SRID prefix', () => {
    expect(parseWkt('SRID=4326;POINT (1 2)')).toEqual({ type: 'Point', coordinates: [1, 2] });
  });
});

describe('parseEwkt', () => {
  it('returns the SRID separately', () => {
    expect(parseEwkt('SRID=4326;POINT (1 2)')).toEqual({ srid: 4326, geometry: { type: 'Point', coordinates: [1, 2] } });
    expect(parseEwkt('srid = 4490 ; POINT(1 2)').srid).toBe(4490);
    expect(parseEwkt('POINT (1 2)').srid).toBeNull();
  });

  it('rejects a malformed SRID', () => {
    expect(() => parseEwkt('SRID=abc;POINT (1 2)')).toThrow('expected an integer SRID at offset 5');
    expect(() => parseEwkt('SRID=4326 POINT (1 2)')).toThrow('expected ";" at offset 10');
  });
});

describe('parseWkt errors', () => {
  it.each([
    ['', 'expected a geometry type (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION) at offset 0, found end of input'],
    ['CIRCLE (1 2)', 'expected a geometry type (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION) at offset 0, found "CIRCLE (1 2)"'],
    ['POINTS (1 2)', 'expected a geometry type'],
    ['POINT 1 2', 'expected "(" at offset 6, found "1 2"'],
    ['POINT (1)', 'expected a second ordinate at offset 8, found ")"'],
    ['POINT (1 2', 'expected ")" at offset 10, found end of input'],
    ['POINT (1 2) x', 'expected end of input at offset 12, found "x"'],
    ['POINT (1 2 3 4 5)', 'expected ")" at offset 15'],
    ['POINT (1-2)', 'expected whitespace between ordinates at offset 8'],
    ['POINT (a b)', 'expected a number at offset 7, found "a b)"'],
    ['POINT (NaN 1)', 'expected a number at offset 7'],
    ['POINT (1e999 1)', 'expected a finite number at offset 7'],
    ['POINT Z (1 2)', 'expected 3 ordinates per position, found 2 at offset 12'],
    ['POINT ZM (1 2 3)', 'expected 4 ordinates per position, found 3'],
    ['LINESTRING (0 0; 1 1)', 'expected "," or ")" at offset 15, found "; 1 1)"'],
    ['LINESTRING (0 0, 1 1,)', 'expected a number at offset 21'],
    ['POLYGON (0 0, 1 0, 1 1, 0 0)', 'expected "(" at offset 9'],
    ['MULTIPOLYGON ((0 0, 1 0, 1 1, 0 0))', 'expected "(" at offset 15'],
    ['GEOMETRYCOLLECTION (POINT (1 2), 3 4)', 'expected a geometry type'],
  ])('%j → %s', (text, message) => {
    expect(() => parseWkt(text)).toThrow(InvalidRequestError);
    expect(() => parseWkt(text)).toThrow(`Invalid WKT: ${message}`);
  });

  it.each([
    'POINT EMPTY',
    'point empty',
    'POLYGON Z EMPTY',
    'GEOMETRYCOLLECTION EMPTY',
    'MULTIPOINT (EMPTY, 1 2)',
    'GEOMETRYCOLLECTION (POINT (1 2), LINESTRING EMPTY)',
    'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), EMPTY)',
  ])('rejects %j: EMPTY is not supported', (text) => {
    expect(() => parseWkt(text)).toThrow(/EMPTY.*at offset \d+ is not supported \(GeoJSON has no empty geometries\)/);
  });
});

describe('formatWkt', () => {
  it('writes every geometry type', () => {
    expect(formatWkt({ type: 'Point', coordinates: [116.3913, 39.9075] })).toBe('POINT (116.3913 39.9075)');
    expect(formatWkt({ type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] })).toBe('MULTIPOINT ((1 2), (3 4))');
    expect(formatWkt({ type: 'LineString', coordinates: [[0, 0], [1, 1]] })).toBe('LINESTRING (0 0, 1 1)');
    expect(formatWkt({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] })).toBe(
      'MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))',
    );
    expect(formatWkt({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] })).toBe(
      'POLYGON ((0 0, 1 0, 1 1, 0 0))',
    );
    expect(formatWkt({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] })).toBe(
      'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))',
    );
    expect(
      formatWkt({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [1, 2] }] }),
    ).toBe('GEOMETRYCOLLECTION (POINT (1 2))');
  });

  it('rounds to the precision, trims zeros and drops Z', () => {
    expect(formatWkt({ type: 'Point', coordinates: [116.123456789, -0.00000001, 55] })).toBe('POINT (116.1234568 0)');
    expect(formatWkt({ type: 'Point', coordinates: [116.123456789, 39.5] }, 2)).toBe('POINT (116.12 39.5)');
    expect(formatWkt({ type: 'Point', coordinates: [100, 39.5] }, 0)).toBe('POINT (100 40)');
    expect(formatWkt({ type: 'Point', coordinates: [39500000.123, 4429529.5] }, 3)).toBe('POINT (39500000.123 4429529.5)');
  });

  it('refuses what WKT cannot carry here', () => {
    expect(() => formatWkt({ type: 'MultiPoint', coordinates: [] })).toThrow('Cannot write an empty MultiPoint as WKT');
    expect(() => formatWkt({ type: 'Polygon', coordinates: [[]] })).toThrow('Cannot write an empty Polygon ring as WKT');
    expect(() => formatWkt({ type: 'GeometryCollection', geometries: [] })).toThrow(InvalidRequestError);
    expect(() => formatWkt({ type: 'Point', coordinates: [NaN, 1] })).toThrow('Cannot write NaN as a WKT coordinate');
    expect(() => formatWkt({ type: 'Point', coordinates: [1] })).toThrow('Cannot write undefined');
    expect(() => formatWkt({ type: 'Point', coordinates: [1, 2] }, 1.5)).toThrow(RangeError);
  });
});

// geometries whose coordinates have at most 7 decimals, so formatting at precision 7 loses nothing
function geometryArb(coordinate: fc.Arbitrary<number>): fc.Arbitrary<Geometry> {
  const position: fc.Arbitrary<Position> = fc.tuple(coordinate, coordinate);
  const positions = fc.array(position, { minLength: 1, maxLength: 6 });
  const rings = fc.array(positions, { minLength: 1, maxLength: 3 });
  const simple: fc.Arbitrary<Geometry> = fc.oneof(
    position.map((coordinates) => ({ type: 'Point' as const, coordinates })),
    positions.map((coordinates) => ({ type: 'MultiPoint' as const, coordinates })),
    positions.map((coordinates) => ({ type: 'LineString' as const, coordinates })),
    rings.map((coordinates) => ({ type: 'MultiLineString' as const, coordinates })),
    rings.map((coordinates) => ({ type: 'Polygon' as const, coordinates })),
    fc.array(rings, { minLength: 1, maxLength: 3 }).map((coordinates) => ({ type: 'MultiPolygon' as const, coordinates })),
  );
  return fc.oneof(
    { weight: 4, arbitrary: simple },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.oneof(simple, fc.array(simple, { minLength: 1, maxLength: 2 }).map((geometries) => ({ type: 'GeometryCollection' as const, geometries }))), {
          minLength: 1,
          maxLength: 3,
        })
        .map((geometries) => ({ type: 'GeometryCollection' as const, geometries })),
    },
  );
}

const sevenDecimals = fc.integer({ min: -1_800_000_000, max: 1_800_000_000 }).map((n) => n / 1e7);

describe('formatWkt → parseWkt', () => {
  test.prop([geometryArb(sevenDecimals)], { numRuns: 300 })('round-trips 7-decimal geometries exactly', (geometry) => {
    expect(parseWkt(formatWkt(geometry))).toEqual(geometry);
  });

  test.prop([geometryArb(fc.double({ min: -1e7, max: 1e7, noNaN: true })), fc.integer({ min: 0, max: 12 })])(
    'round-trips any finite coordinates to within half a unit of the last decimal',
    (geometry, precision) => {
      const back = parseWkt(formatWkt(geometry, precision));
      const flat = (g: Geometry) => JSON.stringify(g).match(/-?[\d.]+(?:e[-+]?\d+)?/g)!.map(Number);
      const before = flat(geometry);
      const after = flat(back);
      expect(after).toHaveLength(before.length);
      before.forEach((v, i) => {
        expect(Math.abs(after[i]! - v)).toBeLessThanOrEqual(0.5 * 10 ** -precision * (1 + 1e-9) + Math.abs(v) * 1e-15);
      });
    },
  );

  test.prop([fc.string({ maxLength: 40 })])('rejects garbage with an InvalidRequestError, never anything else', (text) => {
    try {
      parseWkt(text);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as Error).message).toMatch(/^Invalid WKT: (expected .* at offset \d+, found |.*EMPTY)/);
    }
  });

  test.prop([geometryArb(sevenDecimals), fc.nat()])(
    'rejects a valid WKT cut short, saying where',
    (geometry, cut) => {
      const text = formatWkt(geometry);
      const truncated = text.slice(0, cut % text.length);
      expect(() => parseWkt(truncated)).toThrow(/^Invalid WKT: expected .* at offset \d+/);
    },
  );
});
