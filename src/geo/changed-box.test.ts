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
});
