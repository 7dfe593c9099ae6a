import { fc, test } from '@fast-check/vitest';
import type { Polygon } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { describe, expect, it } from 'vitest';
import type { AreaGeometry } from '../model.js';
import { geometryAreaM2 } from './area.js';
import { describePart, partOutside } from './part-outside.js';

// an L-shaped area with a square hole, near 116.4, 39.9: 0.01° ≈ 853 m east–west, 1,113 m north–south
const area: Polygon = {
  type: 'Polygon',
  coordinates: [
    [[116.4, 39.9], [116.42, 39.9], [116.42, 39.91], [116.41, 39.91], [116.41, 39.92], [116.4, 39.92], [116.4, 39.9]],
    [[116.403, 39.903], [116.403, 39.905], [116.405, 39.905], [116.405, 39.903], [116.403, 39.903]],
  ],
};
const box = (x0: number, y0: number, x1: number, y1: number): Polygon => ({ type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
const clippedOutside = (g: AreaGeometry): number => {
  const parts = polygonClipping.difference(g.coordinates as Geom, area.coordinates as Geom);
  return parts.length === 0 ? 0 : geometryAreaM2({ type: 'MultiPolygon', coordinates: parts });
};

describe('partOutside', () => {
  it('is null for a polygon inside, on the edges too', () => {
    expect(partOutside(box(116.406, 39.901, 116.407, 39.902), area)).toBeNull();
    expect(partOutside(box(116.4, 39.9, 116.401, 39.901), area)).toBeNull();
    expect(partOutside(box(116.419, 39.909, 116.42, 39.91), area)).toBeNull();
  });

  it('measures the part of a polygon beyond the edge, in m², with a point in it', () => {
    const part = partOutside(box(116.409, 39.915, 116.411, 39.916), area)!;
    expect(part.unit).toBe('m²');
    expect(part.size).toBeCloseTo(clippedOutside(box(116.409, 39.915, 116.411, 39.916)), 3);
    expect(part.at[0]).toBeGreaterThan(116.41);
  });

  it('sees a hole a polygon covers although all its corners are inside', () => {
    const part = partOutside(box(116.402, 39.902, 116.406, 39.906), area)!;
    expect(part.size).toBeGreaterThan(30_000);
  });

  it('measures the part of a line beyond the edge, in m', () => {
    expect(partOutside({ type: 'LineString', coordinates: [[116.401, 39.901], [116.419, 39.901]] }, area)).toBeNull();
    // along the area's east edge (which the half-open point-in-polygon rule gives away) is inside
    expect(partOutside({ type: 'LineString', coordinates: [[116.42, 39.901], [116.42, 39.909]] }, area)).toBeNull();
    const out = partOutside({ type: 'LineString', coordinates: [[116.418, 39.901], [116.422, 39.901]] }, area)!;
    expect(out.unit).toBe('m');
    expect(out.size).toBeCloseTo(0.002 * 111_319.49 * Math.cos((39.901 * Math.PI) / 180), 0);
    // through the hole and out again
    const through = partOutside({ type: 'LineString', coordinates: [[116.402, 39.904], [116.406, 39.904]] }, area)!;
    expect(through.size).toBeCloseTo(0.002 * 111_319.49 * Math.cos((39.904 * Math.PI) / 180), 0);
  });

  test.prop([fc.tuple(fc.integer({ min: 0, max: 2_200 }), fc.integer({ min: 0, max: 2_200 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 }))], { numRuns: 500 })(
    'agrees with clipping the whole polygon, on both sides of the quick check',
    ([x, y, w, h]) => {
      const g = box(116.399 + x * 1e-5, 39.899 + y * 1e-5, 116.399 + (x + w) * 1e-5, 39.899 + (y + h) * 1e-5);
      const expected = clippedOutside(g);
      const part = partOutside(g, area);
      if (expected === 0) expect(part).toBeNull();
      else expect(part!.size).toBeCloseTo(expected, 3);
    },
  );
});

describe('describePart', () => {
  it('gives the size (two digits below 10) and where', () => {
    expect(describePart({ size: 412.49, unit: 'm²', at: [116.410201, 39.931104] })).toBe('412 m² around 116.41020, 39.93110');
    expect(describePart({ size: 0.30812, unit: 'm²', at: [116.4, 39.9] })).toBe('0.31 m² around 116.40000, 39.90000');
    expect(describePart({ size: 3.25, unit: 'm', at: [116.4, 39.9] })).toBe('3.3 m around 116.40000, 39.90000');
  });
});
