import { geometryBBox, unionBBox, type BBox } from './bbox.js';
import type { AreaGeometry } from '../model.js';

/**
 * Where two shapes of a polygon differ: the box of the edges one has and the other has not
 * (null when they are the same; a whole shape's box when the other is null). The points inside
 * one shape and not the other form a region whose boundary is made of such edges (on an edge
 * both shapes have, the inside is on the same side in both — nothing changes next to it — or on
 * opposite sides, and then both sides change), so that region lies in the box. A redraw that
 * moves a 40 m piece from one grid to another changes answers in a 40 m box, not in both grids:
 * the reverse geocoder relabels just the raster cells there, the redraw reassigns the houses there.
 */
export function changedBox(before: AreaGeometry | null, after: AreaGeometry | null): BBox | null {
  if (before === null || after === null) return before === null && after === null ? null : geometryBBox((before ?? after)!);
  const old = edgeSet(before);
  const now = edgeSet(after);
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const growByEdgesNotIn = (from: EdgeSet, other: EdgeSet): void => {
    for (let e = 0; e < from.count; e++) {
      if (other.has(from.coords, e)) continue;
      const c = from.coords;
      box.minX = Math.min(box.minX, c[4 * e]!, c[4 * e + 2]!);
      box.minY = Math.min(box.minY, c[4 * e + 1]!, c[4 * e + 3]!);
      box.maxX = Math.max(box.maxX, c[4 * e]!, c[4 * e + 2]!);
      box.maxY = Math.max(box.maxY, c[4 * e + 1]!, c[4 * e + 3]!);
    }
  };
  growByEdgesNotIn(old, now);
  growByEdgesNotIn(now, old);
  return box.minX === Infinity ? null : box;
}

/** The box of every change from before to after of several shapes (changedBox of each); null when none changes. */
export function changedBoxOfAll(shapes: readonly [AreaGeometry | null, AreaGeometry | null][]): BBox | null {
  let all: BBox | null = null;
  for (const [before, after] of shapes) {
    const box = changedBox(before, after);
    if (box !== null) all = all === null ? box : unionBBox(all, box);
  }
  return all;
}

/** A shape's edges, each as ax, ay, bx, by with its ends in one order (either direction is the same segment), found by hash. */
interface EdgeSet {
  count: number;
  coords: Float64Array;
  /** true when edge `e` of `coords` is one of these */
  has(coords: Float64Array, e: number): boolean;
}

// hashing the doubles' bits: a redraw compares shapes of ~2,000 edges, and keys made of the
// numbers' decimal strings cost ~5 ms there
const hashView = new Float64Array(4);
const hashBits = new Uint32Array(hashView.buffer);

function edgeHash(coords: Float64Array, e: number): number {
  for (let k = 0; k < 4; k++) hashView[k] = coords[4 * e + k]!;
  let h = 0x811c9dc5;
  for (let k = 0; k < 8; k++) h = Math.imul(h ^ hashBits[k]!, 0x01000193);
  return h >>> 0;
}

function edgeSet(g: AreaGeometry): EdgeSet {
  let count = 0;
  for (const polygon of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) for (const ring of polygon) count += Math.max(0, ring.length - 1);
  const coords = new Float64Array(4 * count);
  let e = 0;
  for (const polygon of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
    for (const ring of polygon) {
      for (let k = 0; k < ring.length - 1; k++, e++) {
        const [ax, ay] = ring[k]!;
        const [bx, by] = ring[k + 1]!;
        const forward = ax! < bx! || (ax === bx && ay! <= by!);
        // + 0 makes −0 a 0, whose bits differ
        coords[4 * e] = (forward ? ax! : bx!) + 0;
        coords[4 * e + 1] = (forward ? ay! : by!) + 0;
        coords[4 * e + 2] = (forward ? bx! : ax!) + 0;
        coords[4 * e + 3] = (forward ? by! : ay!) + 0;
      }
    }
  }
  const buckets = new Map<number, number[]>();
  for (let k = 0; k < count; k++) {
    const h = edgeHash(coords, k);
    const bucket = buckets.get(h);
    if (bucket) bucket.push(k);
    else buckets.set(h, [k]);
  }
  const same = (a: Float64Array, i: number, j: number): boolean =>
    a[4 * i] === coords[4 * j] && a[4 * i + 1] === coords[4 * j + 1] && a[4 * i + 2] === coords[4 * j + 2] && a[4 * i + 3] === coords[4 * j + 3];
  return { count, coords, has: (other, i) => buckets.get(edgeHash(other, i))?.some((j) => same(other, i, j)) ?? false };
}
