import type { Random } from './random.js';

/**
 * A warped quadrilateral lattice in local metres: the road skeleton of a generated district.
 * Columns run west→east (i), rows north→south (j); vertex (i, j) is the north-west corner of
 * cell (i, j). Spacing varies line by line and every vertex is displaced by a smooth warp plus
 * jitter, so roads bend and blocks differ in size while neighbouring cells share exact vertices.
 */
export interface Lattice {
  columns: number;
  rows: number;
  /** vertex positions in metres, [x0, y0, x1, y1, …], indexed by vertexId */
  xy: Float64Array;
  vertexId(i: number, j: number): number;
  /** the cell's corners as vertex ids, counter-clockwise from south-west */
  cellRing(i: number, j: number): [number, number, number, number];
  /** the point at (u, v) in the cell: u west→east, v north→south, both in [0, 1] */
  cellPoint(i: number, j: number, u: number, v: number): [number, number];
}

export interface LatticeOptions {
  widthM: number;
  heightM: number;
  /** column widths are drawn from this range */
  columnM: [number, number];
  /** row heights are drawn from this range */
  rowM: [number, number];
  /** amplitude of the smooth warp that bends roads */
  warpM: number;
  /** per-vertex random displacement (keep well under half the smallest spacing so cells stay convex) */
  jitterM: number;
}

export function createLattice(options: LatticeOptions, random: Random): Lattice {
  const xs = spacings(options.widthM, options.columnM, random);
  // rows are laid out from the north edge downwards
  const ys = spacings(options.heightM, options.rowM, random).map((d) => options.heightM - d);
  const columns = xs.length - 1;
  const rows = ys.length - 1;
  const phases = Array.from({ length: 4 }, () => random.range(0, 2 * Math.PI));
  const xy = new Float64Array((columns + 1) * (rows + 1) * 2);
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= columns; i++) {
      const x0 = xs[i]!;
      const y0 = ys[j]!;
      const edge = i === 0 || j === 0 || i === columns || j === rows;
      const jitter = edge ? 0 : options.jitterM;
      const dx = options.warpM * Math.sin(y0 / 1900 + phases[0]!) * Math.sin(x0 / 2700 + phases[1]!);
      const dy = options.warpM * Math.sin(x0 / 1700 + phases[2]!) * Math.cos(y0 / 3100 + phases[3]!);
      const k = (j * (columns + 1) + i) * 2;
      xy[k] = x0 + (edge ? 0 : dx) + random.range(-jitter, jitter);
      xy[k + 1] = y0 + (edge ? 0 : dy) + random.range(-jitter, jitter);
    }
  }
  const vertexId = (i: number, j: number): number => j * (columns + 1) + i;
  return {
    columns,
    rows,
    xy,
    vertexId,
    cellRing: (i, j) => [vertexId(i, j + 1), vertexId(i + 1, j + 1), vertexId(i + 1, j), vertexId(i, j)],
    cellPoint: (i, j, u, v) => {
      const nw = vertexId(i, j) * 2;
      const ne = vertexId(i + 1, j) * 2;
      const se = vertexId(i + 1, j + 1) * 2;
      const sw = vertexId(i, j + 1) * 2;
      const a = (1 - u) * (1 - v);
      const b = u * (1 - v);
      const c = u * v;
      const d = (1 - u) * v;
      return [
        a * xy[nw]! + b * xy[ne]! + c * xy[se]! + d * xy[sw]!,
        a * xy[nw + 1]! + b * xy[ne + 1]! + c * xy[se + 1]! + d * xy[sw + 1]!,
      ];
    },
  };
}

/** Cumulative positions 0 … total with steps drawn from `range`, the last step stretched to fit. */
function spacings(total: number, [min, max]: [number, number], random: Random): number[] {
  const positions = [0];
  let at = 0;
  while (total - at > max + min) {
    at += random.range(min, max);
    positions.push(at);
  }
  positions.push(total);
  return positions;
}
