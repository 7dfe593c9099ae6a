import type { MultiPolygon, Polygon, Position } from 'geojson';

/**
 * Exact point-in-polygon test for a Polygon or MultiPolygon with holes (crossing number, even-odd per polygon).
 *
 * Boundary rule (half-open): `(x, y)` is inside when the point nudged an infinitesimal ε east (+x) and an even
 * smaller δ ≪ ε north (+y) is strictly inside. So a point on a non-horizontal edge belongs to the polygon east of
 * the edge, a point on a horizontal edge to the polygon north of it, and a vertex to the polygon containing the
 * directions just north of due east from it. Each polygon owns its west and south edges but not its east and north
 * ones; an axis-aligned box is `[minX, maxX) × [minY, maxY)`. Polygons that tile the plane with shared vertex
 * coordinates therefore claim every point exactly once. The predicates are exact (see `orient2d`), so this holds
 * in floating point too. No allocation; rings need not repeat their first position.
 * @example pointInPolygon(0, 0.5, unitSquare) // true: west edge; pointInPolygon(1, 0.5, unitSquare) // false: east edge
 */
export function pointInPolygon(x: number, y: number, geometry: Polygon | MultiPolygon): boolean {
  if (geometry.type === 'Polygon') return pointInRings(x, y, geometry.coordinates);
  for (const polygon of geometry.coordinates) {
    if (pointInRings(x, y, polygon)) return true;
  }
  return false;
}

/** Same rule as `pointInPolygon` for one polygon's rings (exterior then holes). */
export function pointInRings(x: number, y: number, rings: Position[][]): boolean {
  let inside = false;
  for (const ring of rings) {
    const n = ring.length;
    if (n === 0) continue;
    // starting from the last position also closes rings that are not closed; for closed ones that edge is empty
    let prev = ring[n - 1]!;
    for (let i = 0; i < n; i++) {
      const cur = ring[i]!;
      const ay = prev[1]!;
      const by = cur[1]!;
      // the edge spans the ray's height y + δ: its lower end is at or below y, its upper end above it
      if (ay > y !== by > y) {
        const ax = prev[0]!;
        const bx = cur[0]!;
        if (x < ax && x < bx) inside = !inside;
        else if (x < ax || x < bx) {
          // count the edge when the point is strictly left of it, walked upwards; on the edge means east of it
          const left = ay < by ? orient2d(ax, ay, bx, by, x, y) : orient2d(bx, by, ax, ay, x, y);
          if (left > 0) inside = !inside;
        }
      }
      prev = cur;
    }
  }
  return inside;
}

// Shewchuk's adaptive orientation predicate ("Adaptive Precision Floating-Point Arithmetic and Fast Robust
// Geometric Predicates", 1997): a floating-point estimate with a proven error bound, then exact expansion
// arithmetic for the rare near-collinear cases. Written from the paper; overflow and underflow are not handled.
const EPSILON = 2 ** -53;
const SPLITTER = 2 ** 27 + 1;
const CCW_ERROR_BOUND = (3 + 16 * EPSILON) * EPSILON;

/**
 * Sign-exact orientation of (a, b, c): > 0 when c is left of a→b (counter-clockwise), < 0 when right, 0 when
 * exactly collinear. The magnitude is only an estimate of twice the triangle's signed area.
 */
export function orient2d(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const detLeft = (ax - cx) * (by - cy);
  const detRight = (ay - cy) * (bx - cx);
  const det = detLeft - detRight;
  let detSum: number;
  if (detLeft > 0) {
    if (detRight <= 0) return det;
    detSum = detLeft + detRight;
  } else if (detLeft < 0) {
    if (detRight >= 0) return det;
    detSum = -detLeft - detRight;
  } else {
    return det;
  }
  const bound = CCW_ERROR_BOUND * detSum;
  if (det >= bound || -det >= bound) return det;
  return orient2dExact(ax, ay, bx, by, cx, cy);
}

// scratch space for the exact path, so that it does not allocate either
const terms = new Float64Array(16);
let tail = 0;

function orient2dExact(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const acx = twoDiff(ax, cx);
  const acxTail = tail;
  const bcy = twoDiff(by, cy);
  const bcyTail = tail;
  const acy = twoDiff(ay, cy);
  const acyTail = tail;
  const bcx = twoDiff(bx, cx);
  const bcxTail = tail;
  // (acx + acxTail)(bcy + bcyTail) - (acy + acyTail)(bcx + bcxTail), every product split exactly into two doubles
  let n = 0;
  n = pushProduct(n, acx, bcy);
  n = pushProduct(n, acx, bcyTail);
  n = pushProduct(n, acxTail, bcy);
  n = pushProduct(n, acxTail, bcyTail);
  n = pushProduct(n, -acy, bcx);
  n = pushProduct(n, -acy, bcxTail);
  n = pushProduct(n, -acyTail, bcx);
  n = pushProduct(n, -acyTail, bcxTail);
  return expansionSign(n);
}

function pushProduct(n: number, a: number, b: number): number {
  terms[n] = twoProduct(a, b);
  terms[n + 1] = tail;
  return n + 2;
}

// sums the terms exactly into a nonoverlapping expansion (grow-expansion, zeros dropped) in place: after term t the
// expansion fills at most terms[0..t], so it never overwrites a term not yet read; its largest component has the sign
function expansionSign(count: number): number {
  let length = 0;
  for (let t = 0; t < count; t++) {
    let q = terms[t]!;
    let kept = 0;
    for (let i = 0; i < length; i++) {
      q = twoSum(q, terms[i]!);
      if (tail !== 0) terms[kept++] = tail;
    }
    if (q !== 0 || kept === 0) terms[kept++] = q;
    length = kept;
  }
  return length === 0 ? 0 : terms[length - 1]!;
}

function twoSum(a: number, b: number): number {
  const x = a + b;
  const bVirtual = x - a;
  const aVirtual = x - bVirtual;
  tail = a - aVirtual + (b - bVirtual);
  return x;
}

function twoDiff(a: number, b: number): number {
  const x = a - b;
  const bVirtual = a - x;
  const aVirtual = x + bVirtual;
  tail = a - aVirtual + (bVirtual - b);
  return x;
}

function twoProduct(a: number, b: number): number {
  const x = a * b;
  let c = SPLITTER * a;
  const aHi = c - (c - a);
  const aLo = a - aHi;
  c = SPLITTER * b;
  const bHi = c - (c - b);
  const bLo = b - bHi;
  tail = aLo * bLo - (x - aHi * bHi - aLo * bHi - aHi * bLo);
  return x;
}
