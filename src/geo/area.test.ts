import { fc, test } from '@fast-check/vitest';
import type { FeatureCollection, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { hasRealData, readRealData } from '../test-helpers/real-data.js';
import { geometryAreaM2, ringAreaM2 } from './area.js';

const R = 6378137;
const RAD = Math.PI / 180;
const box = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
// exact spherical area of a lng/lat box: R² Δλ (sin φ1 − sin φ0); the formula is exact for such boxes
const boxAreaM2 = (x0: number, y0: number, x1: number, y1: number) =>
  R * R * (x1 - x0) * RAD * (Math.sin(y1 * RAD) - Math.sin(y0 * RAD));

describe('ringAreaM2', () => {
  it('is the spherical area of a 1° box at the equator, positive when counter-clockwise', () => {
    expect(ringAreaM2(box(0, 0, 1, 1)) / boxAreaM2(0, 0, 1, 1)).toBeCloseTo(1, 12);
    expect(ringAreaM2(box(0, 0, 1, 1))).toBeCloseTo(12_391_399_902, -1);
    expect(ringAreaM2(box(0, 0, 1, 1).reverse())).toBeCloseTo(-boxAreaM2(0, 0, 1, 1), 0);
  });

  it('does not depend on the starting vertex', () => {
    const ring = [[116.3, 39.8], [116.5, 39.85], [116.45, 40], [116.32, 39.95], [116.3, 39.8]];
    const rotated = [...ring.slice(2, -1), ...ring.slice(0, 3)];
    expect(ringAreaM2(rotated)).toBeCloseTo(ringAreaM2(ring), 3);
  });

  it('is 0 for rings too short to enclose anything', () => {
    expect(ringAreaM2([])).toBe(0);
    expect(ringAreaM2([[0, 0], [1, 1], [0, 0]])).toBe(0);
  });

  test.prop([
    fc.double({ min: -179, max: 178, noNaN: true }),
    fc.double({ min: -89, max: 88, noNaN: true }),
    fc.double({ min: 1e-3, max: 1, noNaN: true }),
    fc.double({ min: 1e-3, max: 1, noNaN: true }),
  ])('matches the exact area of any lng/lat box', (x0, y0, w, h) => {
    const expected = boxAreaM2(x0, y0, x0 + w, y0 + h);
    expect(Math.abs(ringAreaM2(box(x0, y0, x0 + w, y0 + h)) - expected)).toBeLessThan(1e-9 * expected + 1e-3);
  });
});

describe('geometryAreaM2', () => {
  it('subtracts holes whatever their winding, and ignores the winding of the exterior', () => {
    const withHole: Polygon = { type: 'Polygon', coordinates: [box(0, 0, 2, 2), box(0.5, 0.5, 1, 1)] };
    const expected = boxAreaM2(0, 0, 2, 2) - boxAreaM2(0.5, 0.5, 1, 1);
    expect(geometryAreaM2(withHole)).toBeCloseTo(expected, 0);
    const rewound: Polygon = { type: 'Polygon', coordinates: [box(0, 0, 2, 2).reverse(), box(0.5, 0.5, 1, 1).reverse()] };
    expect(geometryAreaM2(rewound)).toBeCloseTo(expected, 0);
  });

  it('sums multipolygons and collections; points and lines have none', () => {
    const a = boxAreaM2(0, 0, 1, 1);
    const b = boxAreaM2(10, 10, 11, 12);
    expect(geometryAreaM2({ type: 'MultiPolygon', coordinates: [[box(0, 0, 1, 1)], [box(10, 10, 11, 12)]] })).toBeCloseTo(a + b, 0);
    expect(
      geometryAreaM2({
        type: 'GeometryCollection',
        geometries: [
          { type: 'Polygon', coordinates: [box(0, 0, 1, 1)] },
          { type: 'Point', coordinates: [0, 0] },
          { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
        ],
      }),
    ).toBeCloseTo(a, 0);
    expect(geometryAreaM2({ type: 'Point', coordinates: [0, 0] })).toBe(0);
    expect(geometryAreaM2({ type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]]] })).toBe(0);
    expect(geometryAreaM2({ type: 'Polygon', coordinates: [] })).toBe(0);
  });
});

// area on the WGS84 ellipsoid via authalic latitudes (Snyder 1987, eq. 3-11/3-12), as an independent oracle
function ellipsoidalRingAreaM2(ring: Position[]): number {
  const f = 1 / 298.257223563;
  const e2 = f * (2 - f);
  const e = Math.sqrt(e2);
  const q = (phi: number) => {
    const s = Math.sin(phi);
    return (1 - e2) * (s / (1 - e2 * s * s) - (1 / (2 * e)) * Math.log((1 - e * s) / (1 + e * s)));
  };
  const qPole = q(Math.PI / 2);
  const authalicRadius = R * Math.sqrt(qPole / 2);
  const authalic = ring.map(([x, y]) => [x!, Math.asin(q(y! * RAD) / qPole) / RAD]);
  return ringAreaM2(authalic) * (authalicRadius / R) ** 2;
}

describe('ringAreaM2 against the ellipsoid', () => {
  it('overstates areas at Beijing’s latitude by about 0.12 % (a sphere of equatorial radius, as geojson-area)', () => {
    const ring = box(116.3, 39.8, 116.5, 40);
    const ratio = ringAreaM2(ring) / ellipsoidalRingAreaM2(ring);
    expect(ratio).toBeGreaterThan(1.001);
    expect(ratio).toBeLessThan(1.0015);
  });
});

describe.skipIf(!hasRealData)('against the Dongcheng real data', () => {
  const read = (file: string) => readRealData<FeatureCollection>(file);

  it('measures the district at ≈ 41.97 km² (41.92 km² on the ellipsoid), equal to the sum of its 17 streets', () => {
    const outline = read('dongcheng_district_boundary.geojson').features[0]!.geometry as Polygon;
    const district = geometryAreaM2(outline);
    const ellipsoidal = ellipsoidalRingAreaM2(outline.coordinates[0]!);
    // the data README quotes 41.67 km²; the official figure is 41.84 km²
    expect(ellipsoidal / 1e6).toBeCloseTo(41.92, 2);
    expect(district / ellipsoidal).toBeCloseTo(1.0012, 4);
    const streets = read('dongcheng_streets.geojson').features.reduce((sum, f) => sum + geometryAreaM2(f.geometry), 0);
    expect(Math.abs(streets - district) / district).toBeLessThan(1e-4);
  });
});
