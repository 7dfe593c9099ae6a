import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AreaGeometry } from '../model.js';
import { changedBox } from './changed-box.js';

const square = (x0: number, y0: number, x1: number, y1: number): AreaGeometry => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});

describe('changedBox', () => {
  it('is null for the same shape, whatever vertex its ring starts at or which way it runs', () => {
    const a = square(0, 0, 2, 1);
    const rotated: AreaGeometry = { type: 'Polygon', coordinates: [[[2, 0], [2, 1], [0, 1], [0, 0], [2, 0]]] };
    const reversed: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [0, 1], [2, 1], [2, 0], [0, 0]]] };
    expect(changedBox(a, a)).toBeNull();
    expect(changedBox(a, rotated)).toBeNull();
    expect(changedBox(a, reversed)).toBeNull();
    expect(changedBox(null, null)).toBeNull();
  });

  it('is the box of the edges that differ: a grid growing east by a strip changes only around the strip', () => {
    const before = square(0, 0, 2, 1);
    const after: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [3, 0], [3, 1], [2, 1], [0, 1], [0, 0]]] };
    expect(changedBox(before, after)).toEqual({ minX: 2, minY: 0, maxX: 3, maxY: 1 });
  });

  it('covers a hole cut inside, and a whole shape that comes or goes', () => {
    const before = square(0, 0, 4, 4);
    const holed: AreaGeometry = { type: 'Polygon', coordinates: [...square(0, 0, 4, 4).coordinates, [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]] as never };
    expect(changedBox(before, holed)).toEqual({ minX: 1, minY: 1, maxX: 2, maxY: 2 });
    expect(changedBox(null, before)).toEqual({ minX: 0, minY: 0, maxX: 4, maxY: 4 });
    expect(changedBox(before, null)).toEqual({ minX: 0, minY: 0, maxX: 4, maxY: 4 });
  });

  it('is the box of the segments only one shape has, by brute force over shared and moved vertices', () => {
    // rings over a small lattice, so shapes share segments often, in either direction
    const ring = fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })), { minLength: 3, maxLength: 12 }).map((points) => [...points, points[0]!].map(([x, y]) => [x / 4, y / 4]));
    const shape = fc.array(ring, { minLength: 1, maxLength: 3 }).map((rings): AreaGeometry => ({ type: 'MultiPolygon', coordinates: rings.map((r) => [r]) }));
    const segments = (g: AreaGeometry): number[][] =>
      (g.coordinates as number[][][][]).flat().flatMap((r) => r.slice(1).map((b, k) => [r[k]!, b].sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!).flat()));
    fc.assert(
      fc.property(shape, shape, (a, b) => {
        const key = (s: number[]): string => s.join(' ');
        const inA = new Set(segments(a).map(key));
        const inB = new Set(segments(b).map(key));
        const only = [...segments(a).filter((s) => !inB.has(key(s))), ...segments(b).filter((s) => !inA.has(key(s)))];
        const expected =
          only.length === 0
            ? null
            : {
                minX: Math.min(...only.flatMap((s) => [s[0]!, s[2]!])),
                minY: Math.min(...only.flatMap((s) => [s[1]!, s[3]!])),
                maxX: Math.max(...only.flatMap((s) => [s[0]!, s[2]!])),
                maxY: Math.max(...only.flatMap((s) => [s[1]!, s[3]!])),
              };
        expect(changedBox(a, b)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
