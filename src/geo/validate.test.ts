import { fc, test } from '@fast-check/vitest';
import type { FeatureCollection, Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { hasRealData, readRealData } from '../test-helpers/real-data.js';
import { ringAreaM2 } from './area.js';
import { hasRfc7946Winding, rewindGeometry, validateGeometry } from './validate.js';

const square = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const clockwise = (ring: Position[]) => ring.slice().reverse();

describe('validateGeometry accepts valid geometries', () => {
  it.each<[string, Geometry]>([
    ['Point', { type: 'Point', coordinates: [116.39, 39.91] }],
    ['Point with altitude', { type: 'Point', coordinates: [116.39, 39.91, 44] }],
    ['MultiPoint', { type: 'MultiPoint', coordinates: [[0, 0], [0, 0]] }],
    ['LineString', { type: 'LineString', coordinates: [[0, 0], [0, 0], [1, 1]] }],
    ['MultiLineString', { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[1, 1], [0, 0]]] }],
    ['Polygon', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }],
    ['Polygon wound clockwise (winding is not validity)', { type: 'Polygon', coordinates: [clockwise(square(0, 0, 1, 1))] }],
    [
      'Polygon with two holes',
      { type: 'Polygon', coordinates: [square(0, 0, 10, 10), clockwise(square(1, 1, 3, 3)), clockwise(square(5, 5, 8, 9))] },
    ],
    ['Polygon with a hole touching the exterior at one point', { type: 'Polygon', coordinates: [square(0, 0, 10, 10), [[0, 5], [2, 4], [2, 6], [0, 5]]] }],
    ['Polygon with repeated consecutive positions', { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 0], [1, 1], [0, 0], [0, 0]]] }],
    ['concave Polygon', { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 4], [2, 1], [0, 4], [0, 0]]] }],
    ['MultiPolygon', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [square(2, 2, 3, 3), clockwise(square(2.2, 2.2, 2.8, 2.8))]] }],
    ['edge of the world', { type: 'Polygon', coordinates: [square(-180, -90, 180, 90)] }],
    [
      'GeometryCollection',
      { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 0] }, { type: 'GeometryCollection', geometries: [] }] },
    ],
  ])('%s', (_name, geometry) => {
    expect(validateGeometry(geometry)).toEqual([]);
  });
});

describe('validateGeometry reports each problem', () => {
  const problemsOf = (geometry: unknown, expect?: Parameters<typeof validateGeometry>[1]) =>
    validateGeometry(geometry, expect);

  it('non-objects, missing and unknown types', () => {
    expect(problemsOf(null)).toEqual(['expected a geometry object, got null']);
    expect(problemsOf([1, 2])).toEqual(['expected a geometry object, got an array']);
    expect(problemsOf({ coordinates: [0, 0] })).toEqual([
      'missing type: expected one of Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon, GeometryCollection',
    ]);
    expect(problemsOf({ type: 'Circle', coordinates: [0, 0] })).toEqual([
      'type: unknown type "Circle": expected one of Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon, GeometryCollection',
    ]);
    expect(problemsOf({ type: 'point', coordinates: [0, 0] })[0]).toMatch(/^type: unknown type "point"/);
  });

  it('a type other than the expected ones', () => {
    const point = { type: 'Point', coordinates: [0, 0] };
    expect(problemsOf(point, { expect: ['Polygon', 'MultiPolygon'] })).toEqual([
      'type: expected Polygon or MultiPolygon, got Point',
    ]);
    expect(problemsOf(point, { expect: ['Point'] })).toEqual([]);
    expect(problemsOf({ type: 'GeometryCollection', geometries: [point] }, { expect: ['Point'] })).toEqual([
      'type: expected Point, got GeometryCollection',
    ]);
  });

  it('wrong nesting', () => {
    expect(problemsOf({ type: 'Point' })).toEqual(['coordinates: expected a position [lng, lat], got nothing']);
    expect(problemsOf({ type: 'Point', coordinates: [[0, 0]] })).toEqual([
      'coordinates: expected a position [lng, lat], got an array of arrays (too deep for a Point)',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [[0, 0], [1, 1]] })).toEqual([
      'coordinates[0]: expected an array of positions, got a position (too shallow for a Polygon)',
    ]);
    expect(problemsOf({ type: 'LineString', coordinates: [[0, 0], [1]] })).toEqual([
      'coordinates[1]: a position needs [lng, lat], got 1 number',
    ]);
    expect(problemsOf({ type: 'MultiPolygon', coordinates: {} })).toEqual([
      'coordinates: expected an array of polygons (arrays of rings), got an object',
    ]);
    expect(problemsOf({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: 'x' }] })).toEqual([
      'geometries[0].coordinates: expected a position [lng, lat], got the string "x"',
    ]);
    expect(problemsOf({ type: 'GeometryCollection' })).toEqual(['geometries: expected an array of geometries, got nothing']);
    expect(problemsOf({ type: 'MultiPoint', coordinates: [] })).toEqual([
      'coordinates: a MultiPoint needs at least one member',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [] })).toEqual(['coordinates: a Polygon needs at least one ring']);
  });

  it('non-finite numbers, naming the ordinate', () => {
    expect(problemsOf({ type: 'Point', coordinates: [NaN, 1] })).toEqual([
      'coordinates: longitude is not a finite number (got NaN)',
    ]);
    expect(problemsOf({ type: 'LineString', coordinates: [[0, 0], [1, Infinity]] })).toEqual([
      'coordinates[1]: latitude is not a finite number (got Infinity)',
    ]);
    expect(problemsOf({ type: 'Point', coordinates: ['116.4', 39.9] })).toEqual([
      'coordinates: longitude is not a finite number (got the string "116.4")',
    ]);
    expect(problemsOf({ type: 'Point', coordinates: [116.4, 39.9, null] })).toEqual([
      'coordinates: altitude is not a finite number (got null)',
    ]);
  });

  it('longitude and latitude out of range, saying which', () => {
    expect(problemsOf({ type: 'Point', coordinates: [180.5, 0] })).toEqual([
      'coordinates: longitude 180.5 is outside [-180, 180]',
    ]);
    expect(problemsOf({ type: 'Point', coordinates: [0, -90.1] })).toEqual([
      'coordinates: latitude -90.1 is outside [-90, 90]',
    ]);
    // swapped lat/lng is the usual cause
    expect(problemsOf({ type: 'MultiPoint', coordinates: [[39.9, 116.4]] })).toEqual([
      'coordinates[0]: latitude 116.4 is outside [-90, 90]',
    ]);
  });

  it('LineString with fewer than 2 distinct positions', () => {
    expect(problemsOf({ type: 'LineString', coordinates: [[1, 1], [1, 1]] })).toEqual([
      'coordinates: a LineString needs at least 2 distinct positions, got 1',
    ]);
    expect(problemsOf({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2]]] })).toEqual([
      'coordinates[1]: a LineString needs at least 2 distinct positions, got 1',
    ]);
  });

  it('ring not closed', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] })).toEqual([
      'coordinates[0]: exterior ring is not closed: first position [0, 0] differs from last [0, 1]',
    ]);
  });

  it('ring with fewer than 4 positions', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] })).toEqual([
      'coordinates[0]: exterior ring has 3 positions, at least 4 needed (3 corners and the closing repeat)',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [square(0, 0, 4, 4), []] })).toEqual([
      'coordinates[1]: hole 1 has 0 positions, at least 4 needed (3 corners and the closing repeat)',
    ]);
  });

  it('zero-area ring', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [2, 2], [0, 0]]] })).toEqual([
      'coordinates[0]: exterior ring has zero area (all its positions are collinear)',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 1], [0, 0]]] })).toEqual([
      'coordinates[0]: exterior ring has zero area (only 2 distinct position(s))',
    ]);
  });

  it('bow-tie: a ring crossing itself, with both segment indexes', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]] })).toEqual([
      'coordinates[0]: exterior ring intersects itself: segments 0 and 2 cross',
    ]);
  });

  it('a ring touching itself at a vertex, or doubling back on itself', () => {
    // figure eight through (1, 1)
    const eight = [[0, 0], [1, 1], [2, 0], [2, 2], [1, 1], [0, 2], [0, 0]];
    expect(problemsOf({ type: 'Polygon', coordinates: [eight] })).toEqual([
      'coordinates[0]: exterior ring intersects itself: segments 0 and 3 touch',
      'coordinates[0]: exterior ring intersects itself: segments 0 and 4 touch',
      'coordinates[0]: exterior ring intersects itself: segments 1 and 3 touch',
      'coordinates[0]: exterior ring intersects itself: segments 1 and 4 touch',
    ]);
    const spike = [[0, 0], [2, 0], [2, 2], [2, 3], [2, 1], [0, 2], [0, 0]];
    expect(problemsOf({ type: 'Polygon', coordinates: [spike] })).toContain(
      'coordinates[0]: exterior ring intersects itself: segments 2 and 3 overlap',
    );
  });

  it('holes crossing or overlapping the exterior, and holes outside it', () => {
    expect(problemsOf({ type: 'Polygon', coordinates: [square(0, 0, 4, 4), clockwise(square(3, 1, 5, 2))] })).toEqual([
      'coordinates[1]: hole 1 crosses the exterior ring: its segment 1 and exterior segment 1 cross',
      'coordinates[1]: hole 1 crosses the exterior ring: its segment 3 and exterior segment 1 cross',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [square(0, 0, 4, 4), square(0, 1, 1, 2)] })).toEqual([
      'coordinates[1]: hole 1 crosses the exterior ring: its segment 3 and exterior segment 3 overlap',
    ]);
    expect(problemsOf({ type: 'Polygon', coordinates: [square(0, 0, 4, 4), square(5, 5, 6, 6)] })).toEqual([
      'coordinates[1]: hole 1 lies outside the exterior ring',
    ]);
    expect(
      problemsOf({ type: 'Polygon', coordinates: [square(0, 0, 4, 4), square(1, 1, 3, 3), square(2, 2, 3.5, 3.5)] }),
    ).toEqual([
      'coordinates[2]: holes 1 and 2 cross: segments 1 and 0 cross',
      'coordinates[2]: holes 1 and 2 cross: segments 2 and 3 cross',
    ]);
  });

  it('prefixes paths inside multipolygons and collections', () => {
    const bowtie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]];
    expect(problemsOf({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1, 1)], [bowtie]] })).toEqual([
      'coordinates[1][0]: exterior ring intersects itself: segments 0 and 2 cross',
    ]);
    expect(
      problemsOf({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 0] }, { type: 'Polygon', coordinates: [bowtie] }] }),
    ).toEqual(['geometries[1].coordinates[0]: exterior ring intersects itself: segments 0 and 2 cross']);
  });

  it('caps the number of reported intersections and problems', () => {
    // a zigzag folded over itself many times
    const zigzag: Position[] = [];
    for (let i = 0; i <= 40; i++) zigzag.push([i, i % 2]);
    for (let i = 40; i >= 0; i--) zigzag.push([i + 0.5, i % 2 ? 0 : 1]);
    zigzag.push(zigzag[0]!);
    const problems = problemsOf({ type: 'Polygon', coordinates: [zigzag] });
    expect(problems).toHaveLength(11);
    expect(problems[10]).toMatch(/^coordinates: … and \d+ more intersections$/);

    const many = { type: 'MultiPoint', coordinates: Array.from({ length: 300 }, () => [999, 0]) };
    const capped = problemsOf(many);
    expect(capped).toHaveLength(101);
    expect(capped[100]).toBe('… and 200 more problems');
  });
});

describe('rewindGeometry and hasRfc7946Winding', () => {
  const wrong: Polygon = { type: 'Polygon', coordinates: [clockwise(square(0, 0, 10, 10)), square(1, 1, 3, 3)] };

  it('winds exteriors counter-clockwise and holes clockwise, as a copy', () => {
    const before = JSON.stringify(wrong);
    expect(hasRfc7946Winding(wrong)).toBe(false);
    const fixed = rewindGeometry(wrong);
    expect(JSON.stringify(wrong)).toBe(before);
    expect(hasRfc7946Winding(fixed)).toBe(true);
    expect(ringAreaM2(fixed.coordinates[0]!)).toBeGreaterThan(0);
    expect(ringAreaM2(fixed.coordinates[1]!)).toBeLessThan(0);
    expect(fixed.coordinates[0]).toEqual(square(0, 0, 10, 10));
    expect(fixed.coordinates[0]![0]).not.toBe(wrong.coordinates[0]![4]);
  });

  it('handles multipolygons and collections and leaves other types as copies', () => {
    const multi: MultiPolygon = { type: 'MultiPolygon', coordinates: [wrong.coordinates, [square(20, 20, 21, 21)]] };
    const collection: Geometry = {
      type: 'GeometryCollection',
      geometries: [multi, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }, { type: 'Point', coordinates: [1, 2] }],
    };
    expect(hasRfc7946Winding(collection)).toBe(false);
    const fixed = rewindGeometry(collection);
    expect(hasRfc7946Winding(fixed)).toBe(true);
    expect(fixed.geometries[1]).toEqual({ type: 'LineString', coordinates: [[0, 0], [1, 1]] });
    expect(fixed.geometries[2]).toEqual({ type: 'Point', coordinates: [1, 2] });
    expect(hasRfc7946Winding({ type: 'Point', coordinates: [0, 0] })).toBe(true);
  });
});

// a convex polygon: sorted, well separated angles on a circle; optionally wound clockwise
const convexPolygon = fc
  .record({
    cx: fc.double({ min: -170, max: 170, noNaN: true }),
    cy: fc.double({ min: -80, max: 80, noNaN: true }),
    radius: fc.double({ min: 1e-4, max: 5, noNaN: true }),
    gaps: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 3, maxLength: 40 }),
    clockwise: fc.boolean(),
  })
  .map(({ cx, cy, radius, gaps, clockwise: cw }): Polygon => {
    const total = gaps.reduce((sum, g) => sum + g, 0);
    let angle = 0;
    const ring: Position[] = gaps.map((gap) => {
      angle += (gap / total) * 2 * Math.PI;
      return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
    });
    ring.push(ring[0]!);
    return { type: 'Polygon', coordinates: [cw ? ring.reverse() : ring] };
  });

describe('properties', () => {
  test.prop([convexPolygon], { numRuns: 300 })('random convex polygons are valid', (polygon) => {
    expect(validateGeometry(polygon, { expect: ['Polygon'] })).toEqual([]);
  });

  test.prop([convexPolygon])('rewind is idempotent and yields RFC 7946 winding', (polygon) => {
    const once = rewindGeometry(polygon);
    expect(hasRfc7946Winding(once)).toBe(true);
    expect(rewindGeometry(once)).toEqual(once);
    expect(validateGeometry(once)).toEqual([]);
  });

  test.prop([convexPolygon, fc.nat(), fc.nat()])('swapping two non-adjacent vertices of a convex ring makes it self-intersect', (polygon, i, j) => {
    const ring = polygon.coordinates[0]!.slice(0, -1);
    const n = ring.length;
    // with 4 vertices, swapping opposite corners only reverses the ring
    fc.pre(n >= 5);
    const a = i % n;
    const b = (a + 2 + (j % (n - 3))) % n;
    [ring[a], ring[b]] = [ring[b]!, ring[a]!];
    ring.push(ring[0]!);
    expect(validateGeometry({ type: 'Polygon', coordinates: [ring] }).join('\n')).toMatch(/intersects itself/);
  });
});

describe.skipIf(!hasRealData)('the Dongcheng real data', () => {
  it.each(['dongcheng_streets.geojson', 'dongcheng_district_boundary.geojson'])('%s is valid', (file) => {
    const collection = readRealData<FeatureCollection>(file);
    for (const feature of collection.features) {
      expect(validateGeometry(feature.geometry, { expect: ['Polygon', 'MultiPolygon'] })).toEqual([]);
    }
  });
});
