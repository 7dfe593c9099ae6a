import { fc, test } from '@fast-check/vitest';
import type { Geometry, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { bboxContainsPoint, eachPosition, geometryBBox } from './bbox.js';

const collection: Geometry = {
  type: 'GeometryCollection',
  geometries: [
    { type: 'Point', coordinates: [1, 2] },
    { type: 'MultiPoint', coordinates: [[3, 4]] },
    { type: 'LineString', coordinates: [[5, 6], [7, 8]] },
    { type: 'MultiLineString', coordinates: [[[9, 10]], [[11, 12]]] },
    { type: 'Polygon', coordinates: [[[13, 14], [15, 16]], [[17, 18]]] },
    { type: 'MultiPolygon', coordinates: [[[[19, 20]]], [[[21, 22]], [[-23, -24]]]] },
    { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [25, 26] }] },
  ],
};

describe('eachPosition', () => {
  it('visits every position of every type, in order', () => {
    const seen: Position[] = [];
    eachPosition(collection, (p) => seen.push(p));
    expect(seen.map((p) => p[0])).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, -23, 25]);
  });
});

describe('geometryBBox', () => {
  it('spans all positions of any geometry', () => {
    expect(geometryBBox(collection)).toEqual({ minX: -23, minY: -24, maxX: 25, maxY: 26 });
    expect(geometryBBox({ type: 'Point', coordinates: [116.4, 39.9] })).toEqual({
      minX: 116.4,
      minY: 39.9,
      maxX: 116.4,
      maxY: 39.9,
    });
  });

  it('throws on a geometry without positions', () => {
    expect(() => geometryBBox({ type: 'MultiPoint', coordinates: [] })).toThrow('MultiPoint has no coordinates');
    expect(() => geometryBBox({ type: 'GeometryCollection', geometries: [] })).toThrow(
      'GeometryCollection has no coordinates',
    );
  });

  test.prop([fc.array(fc.tuple(fc.double({ noNaN: true, min: -180, max: 180 }), fc.double({ noNaN: true, min: -90, max: 90 })), { minLength: 1, maxLength: 50 })])(
    'contains every position and is tight (the brute-force min/max)',
    (positions) => {
      const box = geometryBBox({ type: 'MultiPoint', coordinates: positions });
      for (const [x, y] of positions) expect(bboxContainsPoint(box, x, y)).toBe(true);
      expect(box.minX).toBe(Math.min(...positions.map((p) => p[0])));
      expect(box.maxX).toBe(Math.max(...positions.map((p) => p[0])));
      expect(box.minY).toBe(Math.min(...positions.map((p) => p[1])));
      expect(box.maxY).toBe(Math.max(...positions.map((p) => p[1])));
    },
  );
});

describe('bboxContainsPoint', () => {
  const box = { minX: 0, minY: 0, maxX: 1, maxY: 1 };

  it('includes the whole boundary', () => {
    for (const [x, y] of [[0, 0], [1, 1], [0, 1], [1, 0], [0.5, 0], [0.5, 1]] as const) {
      expect(bboxContainsPoint(box, x, y)).toBe(true);
    }
  });

  it('excludes anything outside', () => {
    for (const [x, y] of [[-1e-12, 0.5], [1 + 1e-12, 0.5], [0.5, -1e-12], [0.5, 1.1], [NaN, 0.5]] as const) {
      expect(bboxContainsPoint(box, x, y)).toBe(false);
    }
  });
});
