import { describe, expect, it } from 'vitest';
import { interiorPoint } from './interior-point.js';
import { pointInPolygon } from './pip.js';

describe('interiorPoint', () => {
  it('is inside a concave polygon whose vertex centroid is not', () => {
    const u = { type: 'Polygon' as const, coordinates: [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]] };
    const [x, y] = interiorPoint(u) as [number, number];
    expect(pointInPolygon(x, y, u)).toBe(true);
  });
});
