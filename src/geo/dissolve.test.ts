import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { geometryAreaM2 } from './area.js';
import { dissolve } from './dissolve.js';
import { hasRfc7946Winding, validateGeometry } from './validate.js';

// a 4×4 lattice of unit cells (0.001°), vertex id = j * 5 + i, cell (i, j) counter-clockwise
const position = (id: number): Position => [116 + (id % 5) * 0.001, 40 + Math.floor(id / 5) * 0.001];
const cell = (i: number, j: number): number[] => [j * 5 + i, j * 5 + i + 1, (j + 1) * 5 + i + 1, (j + 1) * 5 + i];
const cellArea = geometryAreaM2({ type: 'Polygon', coordinates: [[...cell(0, 0), cell(0, 0)[0]!].map(position)] });

describe('dissolve', () => {
  it('merges adjacent cells into one polygon with the same area', () => {
    const shape = dissolve([cell(0, 0), cell(1, 0), cell(1, 1)], position);
    expect(shape.type).toBe('Polygon');
    expect(validateGeometry(shape)).toEqual([]);
    expect(hasRfc7946Winding(shape)).toBe(true);
    expect(geometryAreaM2(shape) / cellArea).toBeCloseTo(3, 3);
  });

  it('keeps an enclosed gap as a clockwise hole', () => {
    const ring = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) if (i !== 1 || j !== 1) ring.push(cell(i, j));
    const shape = dissolve(ring, position);
    expect(shape.type).toBe('Polygon');
    expect(shape.coordinates).toHaveLength(2);
    expect(validateGeometry(shape)).toEqual([]);
    expect(hasRfc7946Winding(shape)).toBe(true);
    expect(geometryAreaM2(shape) / cellArea).toBeCloseTo(8, 3);
  });

  it('splits cells that touch only at a corner into parts of a multipolygon', () => {
    const shape = dissolve([cell(0, 0), cell(1, 1)], position);
    expect(shape.type).toBe('MultiPolygon');
    expect(shape.coordinates).toHaveLength(2);
    expect(validateGeometry(shape)).toEqual([]);
  });
});
