import { fc, test } from '@fast-check/vitest';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { orient2d, pointInPolygon, pointInRings } from './pip.js';

const square = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const unitSquare: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] };

describe('pointInPolygon boundary rule', () => {
  it('treats an axis-aligned box as [minX, maxX) × [minY, maxY)', () => {
    expect(pointInPolygon(0.5, 0.5, unitSquare)).toBe(true);
    expect(pointInPolygon(0, 0.5, unitSquare)).toBe(true); // west edge
    expect(pointInPolygon(0.5, 0, unitSquare)).toBe(true); // south edge
    expect(pointInPolygon(1, 0.5, unitSquare)).toBe(false); // east edge
    expect(pointInPolygon(0.5, 1, unitSquare)).toBe(false); // north edge
    expect(pointInPolygon(0, 0, unitSquare)).toBe(true); // south-west corner only
    expect(pointInPolygon(1, 0, unitSquare)).toBe(false);
    expect(pointInPolygon(1, 1, unitSquare)).toBe(false);
    expect(pointInPolygon(0, 1, unitSquare)).toBe(false);
    expect(pointInPolygon(-1e-300, 0.5, unitSquare)).toBe(false);
    expect(pointInPolygon(0.5, 1 - 2 ** -53, unitSquare)).toBe(true);
  });

  it('does not depend on winding direction', () => {
    const clockwise: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 1, 1).reverse()] };
    for (const [x, y] of [[0, 0.5], [0.5, 0], [1, 0.5], [0.5, 1], [0, 0], [1, 1], [0.3, 0.7]] as const) {
      expect(pointInPolygon(x, y, clockwise)).toBe(pointInPolygon(x, y, unitSquare));
    }
  });

  it('gives a point on a slanted shared edge to the polygon east of it', () => {
    // two triangles split by the diagonal (0,0)-(1,3); the point (0.5, 1.5) lies exactly on it
    const west: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 3], [0, 3], [0, 0]]] };
    const east: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 3], [0, 0]]] };
    expect(pointInPolygon(0.5, 1.5, east)).toBe(true);
    expect(pointInPolygon(0.5, 1.5, west)).toBe(false);
  });

  it('gives a point on a horizontal shared edge to the polygon north of it', () => {
    const south: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [1, 1], [0, 0]]] };
    const north: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 1], [2, 0], [2, 2], [0, 2], [0, 0]]] };
    // (1, 1) is the apex of the south triangle and a vertex of the north polygon
    expect(pointInPolygon(1, 1, north)).toBe(true);
    expect(pointInPolygon(1, 1, south)).toBe(false);
  });

  it('accepts rings that do not repeat their first position', () => {
    const open: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] };
    expect(pointInPolygon(0.5, 0.5, open)).toBe(true);
    expect(pointInPolygon(1.5, 0.5, open)).toBe(false);
  });

  it('is false for an empty polygon', () => {
    expect(pointInPolygon(0, 0, { type: 'Polygon', coordinates: [] })).toBe(false);
    expect(pointInPolygon(0, 0, { type: 'Polygon', coordinates: [[]] })).toBe(false);
  });
});

describe('pointInPolygon with holes and multipolygons', () => {
  const withHole: Polygon = { type: 'Polygon', coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6).reverse()] };

  it('excludes the hole and follows the same half-open rule on its edges', () => {
    expect(pointInPolygon(1, 1, withHole)).toBe(true);
    expect(pointInPolygon(5, 5, withHole)).toBe(false);
    // the hole owns its west/south edges, so the polygon does not; the hole's east/north edges stay in the polygon
    expect(pointInPolygon(4, 5, withHole)).toBe(false);
    expect(pointInPolygon(5, 4, withHole)).toBe(false);
    expect(pointInPolygon(6, 5, withHole)).toBe(true);
    expect(pointInPolygon(5, 6, withHole)).toBe(true);
  });

  it('together with a polygon filling the hole claims each point once', () => {
    const plug: Polygon = { type: 'Polygon', coordinates: [square(4, 4, 6, 6)] };
    for (let x = 3; x <= 7; x += 0.5) {
      for (let y = 3; y <= 7; y += 0.5) {
        expect(Number(pointInPolygon(x, y, withHole)) + Number(pointInPolygon(x, y, plug))).toBe(1);
      }
    }
  });

  it('handles a multipolygon with an island inside another part’s hole', () => {
    const multi: MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [
        [square(0, 0, 10, 10), square(2, 2, 8, 8)],
        [square(4, 4, 6, 6)],
        [square(20, 0, 21, 1)],
      ],
    };
    expect(pointInPolygon(1, 1, multi)).toBe(true);
    expect(pointInPolygon(3, 3, multi)).toBe(false);
    expect(pointInPolygon(5, 5, multi)).toBe(true);
    expect(pointInPolygon(20.5, 0.5, multi)).toBe(true);
    expect(pointInPolygon(15, 0.5, multi)).toBe(false);
  });

  it('pointInRings matches pointInPolygon', () => {
    expect(pointInRings(5, 5, withHole.coordinates)).toBe(false);
    expect(pointInRings(1, 1, withHole.coordinates)).toBe(true);
  });
});

// a jittered n×m quad lattice over an exact rectangle; every cell is a simple CCW quad (jitter < 0.25 of a step)
// and neighbours share the very same coordinate numbers, so the cells tile the rectangle
interface Lattice {
  n: number;
  m: number;
  vertices: Position[][]; // vertices[i][j], i along x, j along y
  cells: Polygon[];
  maxX: number;
  maxY: number;
  minX: number;
  minY: number;
}

const jitter = fc.oneof(
  fc.integer({ min: -12, max: 12 }).map((k) => k / 64), // dyadic: axis-parallel edges and exact midpoints
  fc.double({ min: -0.2, max: 0.2, noNaN: true }),
);

const latticeArb = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    m: fc.integer({ min: 1, max: 4 }),
    originX: fc.oneof(fc.constant(0), fc.double({ min: -180, max: 180, noNaN: true })),
    originY: fc.oneof(fc.constant(0), fc.double({ min: -90, max: 90, noNaN: true })),
    stepX: fc.oneof(fc.constant(1), fc.double({ min: 1e-5, max: 10, noNaN: true })),
    stepY: fc.oneof(fc.constant(1), fc.double({ min: 1e-5, max: 10, noNaN: true })),
    jitters: fc.array(fc.tuple(jitter, jitter), { minLength: 25, maxLength: 25 }),
    clockwise: fc.boolean(),
  })
  .map(({ n, m, originX, originY, stepX, stepY, jitters, clockwise }): Lattice => {
    const vertices: Position[][] = [];
    for (let i = 0; i <= n; i++) {
      const column: Position[] = [];
      for (let j = 0; j <= m; j++) {
        const [jx, jy] = jitters[i * 5 + j]!;
        // boundary vertices only slide along the boundary, so the union stays the rectangle
        const dx = i === 0 || i === n ? 0 : jx;
        const dy = j === 0 || j === m ? 0 : jy;
        column.push([originX + (i + dx) * stepX, originY + (j + dy) * stepY]);
      }
      vertices.push(column);
    }
    const v = (i: number, j: number) => vertices[i]![j]!;
    const cells: Polygon[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const ring = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1), v(i, j)];
        cells.push({ type: 'Polygon', coordinates: [clockwise ? ring.reverse() : ring] });
      }
    }
    return { n, m, vertices, cells, minX: v(0, 0)[0]!, minY: v(0, 0)[1]!, maxX: v(n, 0)[0]!, maxY: v(0, m)[1]! };
  });

type Probe =
  | { kind: 'vertex'; i: number; j: number }
  | { kind: 'edge'; i: number; j: number; vertical: boolean; t: number }
  | { kind: 'random'; u: number; v: number };

const probeArb: fc.Arbitrary<Probe> = fc.oneof(
  fc.record({ kind: fc.constant('vertex' as const), i: fc.nat(4), j: fc.nat(4) }),
  fc.record({
    kind: fc.constant('edge' as const),
    i: fc.nat(4),
    j: fc.nat(4),
    vertical: fc.boolean(),
    t: fc.oneof(fc.constant(0.5), fc.constant(0.25), fc.double({ min: 0, max: 1, noNaN: true })),
  }),
  fc.record({ kind: fc.constant('random' as const), u: fc.double({ min: 0, max: 1, noNaN: true }), v: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function probePoint(lattice: Lattice, probe: Probe): Position {
  const { n, m, vertices } = lattice;
  switch (probe.kind) {
    case 'vertex':
      return vertices[probe.i % (n + 1)]![probe.j % (m + 1)]!;
    case 'edge': {
      // a point on (or, after rounding, next to) a lattice edge, computed from the shared vertex numbers
      const i = probe.i % (probe.vertical ? n + 1 : n);
      const j = probe.j % (probe.vertical ? m : m + 1);
      const a = vertices[i]![j]!;
      const b = probe.vertical ? vertices[i]![j + 1]! : vertices[i + 1]![j]!;
      const t = probe.t;
      if (t === 0.5) return [(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2];
      return [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t];
    }
    case 'random':
      return [
        lattice.minX + (lattice.maxX - lattice.minX) * probe.u,
        lattice.minY + (lattice.maxY - lattice.minY) * probe.v,
      ];
  }
}

describe('pointInPolygon on a tiling', () => {
  test.prop([latticeArb, fc.array(probeArb, { minLength: 1, maxLength: 40 })], { numRuns: 300 })(
    'every point of a jittered quad lattice lies in exactly one cell (none on the east/north boundary)',
    (lattice, probes) => {
      for (const probe of probes) {
        const [x, y] = probePoint(lattice, probe) as [number, number];
        const claimed = lattice.cells.filter((cell) => pointInPolygon(x, y, cell)).length;
        const inRectangle = x >= lattice.minX && x < lattice.maxX && y >= lattice.minY && y < lattice.maxY;
        expect(claimed, `(${x}, ${y}) from ${JSON.stringify(probe)}`).toBe(inRectangle ? 1 : 0);
      }
    },
  );

  it('claims points probed ulp by ulp across a shared slanted edge once (the usual x-intercept formula fails this)', () => {
    // the shared edge (0.1, 0.1)-(0.3, 0.7) gives y = 3x - 0.2; probe points just around it in ulp steps
    const a: Position = [0.1, 0.1];
    const b: Position = [0.3, 0.7];
    const west: Polygon = { type: 'Polygon', coordinates: [[a, b, [0, 1], [0, 0], a]] };
    const east: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], b, a, [0, 0]]] };
    let onLine = 0;
    for (let k = 0; k < 2000; k++) {
      const y = 0.1 + (0.6 * k) / 2000;
      const x0 = (y + 0.2) / 3;
      for (let d = -3; d <= 3; d++) {
        const x = x0 + d * 2 ** -55;
        if (orient2d(a[0]!, a[1]!, b[0]!, b[1]!, x, y) === 0) onLine++;
        expect(Number(pointInPolygon(x, y, west)) + Number(pointInPolygon(x, y, east))).toBe(1);
      }
    }
    expect(onLine).toBeGreaterThan(0);
  });
});

// exact orientation with BigInt: every finite double is an integer over a power of two
function exactOrientSign(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const values = [ax, ay, bx, by, cx, cy];
  let shift = 0;
  for (let v of values) {
    let e = 0;
    while (!Number.isInteger(v)) {
      v *= 2; // exact
      e++;
    }
    shift = Math.max(shift, e);
  }
  const s = (v: number) => {
    let e = 0;
    while (!Number.isInteger(v)) {
      v *= 2;
      e++;
    }
    return BigInt(v) << BigInt(shift - e);
  };
  const det = (s(ax) - s(cx)) * (s(by) - s(cy)) - (s(ay) - s(cy)) * (s(bx) - s(cx));
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}

describe('orient2d', () => {
  it('is exact where the naive determinant fails (Shewchuk’s near-collinear grid)', () => {
    let naiveWrong = 0;
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 64; j++) {
        const cx = 0.5 + i * 2 ** -53;
        const cy = 0.5 + j * 2 ** -53;
        const expected = exactOrientSign(12, 12, 24, 24, cx, cy);
        expect(Math.sign(orient2d(12, 12, 24, 24, cx, cy))).toBe(expected);
        const naive = (12 - cx) * (24 - cy) - (12 - cy) * (24 - cx);
        if (Math.sign(naive) !== expected) naiveWrong++;
      }
    }
    expect(naiveWrong).toBeGreaterThan(0);
  });

  // coordinate-like numbers; the predicate does not guard against underflow, so keep clear of subnormals
  const coordinate = fc.oneof(
    fc.double({ min: -180, max: 180, noNaN: true }).filter((v) => v === 0 || Math.abs(v) > 1e-9),
    fc.integer({ min: -4096, max: 4096 }).map((k) => k / 16),
  );

  test.prop([
    fc.tuple(coordinate, coordinate),
    fc.tuple(coordinate, coordinate),
    fc.double({ min: 0, max: 1, noNaN: true }).filter((t) => t === 0 || t > 1e-9),
    fc.integer({ min: -4, max: 4 }),
  ], { numRuns: 1000 })('matches exact BigInt arithmetic for points on or next to a line', ([ax, ay], [bx, by], t, nudge) => {
    // a point on the segment up to rounding, then nudged a few ulps
    const cx = ax + (bx - ax) * t + nudge * 2 ** -52 * Math.max(1, Math.abs(ax));
    const cy = ay + (by - ay) * t;
    expect(Math.sign(orient2d(ax, ay, bx, by, cx, cy)) || 0).toBe(exactOrientSign(ax, ay, bx, by, cx, cy));
  });
});
