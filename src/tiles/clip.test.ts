import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { clipLine, clipRing } from './clip.js';
import { shoelace } from './tile-geometry.js';

const BOX = { min: 0, max: 100 };

describe('clipRing', () => {
  it('keeps a ring inside the box as it is', () => {
    const ring = [10, 10, 20, 10, 20, 20, 10, 20];
    expect(clipRing(ring, BOX)).toEqual(ring);
  });

  it('cuts a square overlapping a corner down to the overlap', () => {
    const clipped = clipRing([50, 50, 150, 50, 150, 150, 50, 150], BOX);
    expect(Math.abs(shoelace(clipped)) / 2).toBeCloseTo(50 * 50);
    for (let i = 0; i < clipped.length; i++) expect(clipped[i]).toBeGreaterThanOrEqual(0), expect(clipped[i]).toBeLessThanOrEqual(100);
  });

  it('turns a ring covering the whole box into the box', () => {
    const clipped = clipRing([-50, -50, 150, -50, 150, 150, -50, 150], BOX);
    expect(Math.abs(shoelace(clipped)) / 2).toBeCloseTo(100 * 100);
  });

  it('returns nothing for a ring wholly outside', () => {
    expect(clipRing([200, 200, 300, 200, 300, 300], BOX)).toEqual([]);
  });

  // a convex polygon clipped to a box is their intersection: its area is at most either's
  test.prop([fc.array(fc.tuple(fc.integer({ min: -200, max: 300 }), fc.integer({ min: -200, max: 300 })), { minLength: 3, maxLength: 12 })])(
    'never leaves the box and never grows (convex hulls of random points)',
    (points) => {
      const hull = convexHull(points);
      if (hull.length < 6) return;
      const clipped = clipRing(hull, BOX);
      for (const v of clipped) expect(v >= -1e-9 && v <= 100 + 1e-9).toBe(true);
      const area = Math.abs(shoelace(clipped)) / 2;
      expect(area).toBeLessThanOrEqual(Math.min(Math.abs(shoelace(hull)) / 2, 100 * 100) + 1e-6);
    },
  );
});

describe('clipLine', () => {
  it('splits a line that leaves and re-enters the box into two parts', () => {
    const parts = clipLine([10, 50, 150, 50, 150, 60, 10, 60], BOX);
    expect(parts).toEqual([
      [10, 50, 100, 50],
      [100, 60, 10, 60],
    ]);
  });

  it('drops a line wholly outside and keeps one crossing through', () => {
    expect(clipLine([-10, -10, -20, 500], BOX)).toEqual([]);
    expect(clipLine([-50, 50, 150, 50], BOX)).toEqual([[0, 50, 100, 50]]);
  });
});

/** Andrew's monotone chain, as a flat open ring. */
function convexHull(points: [number, number][]): number[] {
  const sorted = [...new Map(points.map((p) => [p.join(), p])).values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return [];
  const cross = (o: number[], a: number[], b: number[]): number => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (list: [number, number][]): [number, number][] => {
    const out: [number, number][] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    return out.slice(0, -1);
  };
  return [...half(sorted), ...half([...sorted].reverse())].flat();
}
