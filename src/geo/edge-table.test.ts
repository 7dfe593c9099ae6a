import { fc, test } from '@fast-check/vitest';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { edgeBlock, inEdgeBlock } from './edge-table.js';
import { pointInPolygon } from './pip.js';

// star-shaped rings around a centre (many vertices, so many bands), with dyadic radii so vertices
// and edge midpoints are exact and probes land on them; parts side by side, holes inside
const ringArb = (cx: number, cy: number, radius: number) =>
  fc.array(fc.integer({ min: 4, max: 16 }), { minLength: 3, maxLength: 120 }).map((radii): Position[] => {
    const ring = radii.map((r, k): Position => {
      const angle = (2 * Math.PI * k) / radii.length;
      // rounding to 1/64 puts vertices on a lattice: shared heights, horizontal edges, exact midpoints
      return [cx + Math.round(Math.cos(angle) * r * radius * 4) / 64, cy + Math.round(Math.sin(angle) * r * radius * 4) / 64];
    });
    return [...ring, ring[0]!];
  });

const polygonArb = (cx: number): fc.Arbitrary<Position[][]> =>
  fc.tuple(ringArb(cx, 0, 1), fc.option(ringArb(cx, 0, 0.2))).map(([outer, hole]) => (hole ? [outer, hole] : [outer]));

const geometryArb: fc.Arbitrary<Polygon | MultiPolygon> = fc.oneof(
  polygonArb(0).map((coordinates): Polygon => ({ type: 'Polygon', coordinates })),
  fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 40 }).chain((offsets) =>
    fc.tuple(...offsets.map((o) => polygonArb(o * 16))).map((coordinates): MultiPolygon => ({ type: 'MultiPolygon', coordinates })),
  ),
);

/** Points on vertices, on edges (midpoints and random), beside them by the smallest step, and anywhere. */
function probes(geometry: Polygon | MultiPolygon, random: () => number): Position[] {
  const rings = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).flat();
  const points: Position[] = [];
  for (const ring of rings) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k] as [number, number];
      const [bx, by] = ring[k + 1] as [number, number];
      const t = random();
      points.push([ax, ay], [(ax + bx) / 2, (ay + by) / 2], [ax + t * (bx - ax), ay + t * (by - ay)]);
      points.push([ax + 2 ** -40, ay], [ax, ay - 2 ** -40], [ax - 2 ** -40, ay + 2 ** -40]);
    }
  }
  for (let k = 0; k < 200; k++) points.push([-20 + random() * 700, -20 + random() * 40]);
  return points;
}

describe('edgeBlock', () => {
  test.prop([geometryArb, fc.integer()], { numRuns: 200 })('answers exactly as pointInPolygon, on vertices, edges and anywhere', (geometry, seed) => {
    let s = seed >>> 0 || 1;
    const random = () => ((s = (Math.imul(s, 48271) >>> 0) % 2147483647) / 2147483647);
    // packed behind another polygon's block, as a layer keeps them
    const before = edgeBlock({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 1], [0, 0]]] });
    const own = edgeBlock(geometry);
    const data = new Float64Array(before.length + own.length);
    data.set(before);
    data.set(own, before.length);
    for (const [x, y] of probes(geometry, random)) expect(inEdgeBlock(data, before.length, x!, y!), `${x}, ${y}`).toBe(pointInPolygon(x!, y!, geometry));
  });

  it('bands a large ring so a test reads a few edges', () => {
    const ring: Position[] = Array.from({ length: 1000 }, (_, k) => [Math.cos((2 * Math.PI * k) / 1000), Math.sin((2 * Math.PI * k) / 1000)]);
    const block = edgeBlock({ type: 'Polygon', coordinates: [[...ring, ring[0]!]] });
    const bands = block[0]!;
    expect(bands).toBeGreaterThan(100);
    // a band holds its share of the edges and the few crossing it (more where the ring runs flat)
    expect((block.length - 4 - bands - 1) / 5 / bands).toBeLessThan(8);
    expect(inEdgeBlock(block, 0, 0, 0)).toBe(true);
    expect(inEdgeBlock(block, 0, 0.99, 0.5)).toBe(false);
  });

  it('keeps a part inside another part as the union, not the even-odd of both', () => {
    const outer = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
    const inner = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]];
    const geometry: MultiPolygon = { type: 'MultiPolygon', coordinates: [[outer], [inner]] };
    expect(inEdgeBlock(edgeBlock(geometry), 0, 3, 3)).toBe(pointInPolygon(3, 3, geometry));
    expect(inEdgeBlock(edgeBlock(geometry), 0, 3, 3)).toBe(true);
  });
});
