import { describe, expect, it } from 'vitest';
import { countVertices } from './vertex-count.js';

describe('countVertices', () => {
  it('counts every position of every ring, part and member', () => {
    const ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
    expect(countVertices({ type: 'Point', coordinates: [0, 0] })).toBe(1);
    expect(countVertices({ type: 'Polygon', coordinates: [ring, ring] })).toBe(8);
    expect(countVertices({ type: 'MultiPolygon', coordinates: [[ring], [ring, ring]] })).toBe(12);
    expect(countVertices({ type: 'GeometryCollection', geometries: [{ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, { type: 'Point', coordinates: [2, 2] }] })).toBe(3);
  });

  it('stops past the limit it is asked about, and walks any depth without recursion', () => {
    const line = { type: 'LineString', coordinates: Array.from({ length: 100_000 }, (_, k) => [k, 0]) };
    expect(countVertices(line, 10)).toBe(11);
    let deep: unknown = [1, 2];
    for (let k = 0; k < 200_000; k++) deep = [deep];
    expect(countVertices({ type: 'Polygon', coordinates: deep })).toBe(1);
    expect(countVertices(null)).toBe(0);
    expect(countVertices('not a geometry')).toBe(0);
  });
});
