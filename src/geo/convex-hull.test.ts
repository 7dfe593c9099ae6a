import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { convexHull } from './convex-hull.js';
import { pointInPolygon } from './pip.js';
import { hasRfc7946Winding } from './validate.js';

describe('convexHull', () => {
  it('keeps the corners of a square and drops inner and collinear points', () => {
    const hull = convexHull([[0, 0], [2, 0], [1, 0], [2, 2], [0, 2], [1, 1], [0.5, 1.5]]);
    expect(hull.coordinates[0]).toEqual([[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]);
    expect(hasRfc7946Winding(hull)).toBe(true);
  });

  it('refuses points on one line', () => {
    expect(() => convexHull([[0, 0], [1, 1], [2, 2]])).toThrow(/three points not on one line/);
  });

  test.prop([fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { minLength: 3, maxLength: 40 })])(
    'every point lies in or on the hull, and the ring turns left at every vertex',
    (points) => {
      let hull;
      try {
        hull = convexHull(points);
      } catch {
        // all on one line: nothing to check
        return;
      }
      const ring = hull.coordinates[0]!;
      const n = ring.length - 1;
      for (let k = 0; k < n; k++) {
        const [a, b, c] = [ring[k]!, ring[(k + 1) % n]!, ring[(k + 2) % n]!];
        expect((b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!)).toBeGreaterThan(0);
      }
      // nudged towards the vertex centroid, every input point is strictly inside
      const cx = ring.slice(0, n).reduce((s, p) => s + p[0]!, 0) / n;
      const cy = ring.slice(0, n).reduce((s, p) => s + p[1]!, 0) / n;
      for (const [x, y] of points) expect(pointInPolygon(x! + (cx - x!) * 1e-6, y! + (cy - y!) * 1e-6, hull)).toBe(true);
    },
  );
});
