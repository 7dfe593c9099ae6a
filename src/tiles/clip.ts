/**
 * Clipping in tile coordinates (flat x,y arrays). Polygons use Sutherland–Hodgman against each
 * edge of the box in turn; lines are cut into the parts inside the box.
 */

export interface ClipBox {
  min: number;
  max: number;
}

type Axis = 0 | 1;

/**
 * Clips an open ring (no closing point) to the square [min, max]². The result may touch the box
 * edges; it is empty when nothing of the ring is inside.
 */
export function clipRing(ring: number[], box: ClipBox): number[] {
  let out = ring;
  out = clipRingEdge(out, 0, box.min, true);
  out = clipRingEdge(out, 0, box.max, false);
  out = clipRingEdge(out, 1, box.min, true);
  out = clipRingEdge(out, 1, box.max, false);
  return out;
}

function clipRingEdge(ring: number[], axis: Axis, bound: number, keepAbove: boolean): number[] {
  const n = ring.length / 2;
  if (n === 0) return ring;
  const out: number[] = [];
  const inside = (v: number): boolean => (keepAbove ? v >= bound : v <= bound);
  let px = ring[2 * (n - 1)]!;
  let py = ring[2 * (n - 1) + 1]!;
  let pIn = inside(axis === 0 ? px : py);
  for (let i = 0; i < n; i++) {
    const cx = ring[2 * i]!;
    const cy = ring[2 * i + 1]!;
    const cIn = inside(axis === 0 ? cx : cy);
    if (cIn !== pIn) {
      const t = axis === 0 ? (bound - px) / (cx - px) : (bound - py) / (cy - py);
      if (axis === 0) out.push(bound, py + (cy - py) * t);
      else out.push(px + (cx - px) * t, bound);
    }
    if (cIn) out.push(cx, cy);
    px = cx;
    py = cy;
    pIn = cIn;
  }
  return out;
}

/** Cuts a line (flat x,y) into the parts that lie inside the square [min, max]² (Liang–Barsky per segment). */
export function clipLine(line: number[], box: ClipBox): number[][] {
  const parts: number[][] = [];
  let part: number[] = [];
  for (let i = 0; i + 3 < line.length; i += 2) {
    const segment = clipSegment(line[i]!, line[i + 1]!, line[i + 2]!, line[i + 3]!, box);
    if (!segment) {
      if (part.length > 0) parts.push(part), (part = []);
      continue;
    }
    const [x0, y0, x1, y1, cutEnd] = segment;
    if (part.length === 0) part.push(x0, y0);
    part.push(x1, y1);
    if (cutEnd) parts.push(part), (part = []);
  }
  if (part.length > 0) parts.push(part);
  return parts.filter((p) => p.length >= 4);
}

/** The part of a segment inside the box, and whether its end was cut off; null if none is inside. */
function clipSegment(x0: number, y0: number, x1: number, y1: number, box: ClipBox): [number, number, number, number, boolean] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const edges: [number, number][] = [
    [-dx, x0 - box.min],
    [dx, box.max - x0],
    [-dy, y0 - box.min],
    [dy, box.max - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const t = q / p;
    if (p < 0) {
      if (t > t1) return null;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return null;
      if (t < t1) t1 = t;
    }
  }
  return [x0 + t0 * dx, y0 + t0 * dy, x0 + t1 * dx, y0 + t1 * dy, t1 < 1];
}
