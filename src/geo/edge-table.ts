import type { MultiPolygon, Polygon } from 'geojson';
import { orient2d } from './pip.js';

/**
 * A polygon's edges as one block of numbers, banded by height, for point-in-polygon tests repeated
 * millions of times (the reverse geocoder's edge cells). The crossing rule only counts edges whose
 * height range holds the point's y, so testing just the edges of y's band gives exactly
 * `pointInPolygon`'s answer — same edges, same predicate — while reading a few numbers that lie
 * together instead of walking every vertex through nested arrays. Blocks of many polygons can
 * share one Float64Array (polygon-layer.ts), so a test touches one or two cache lines.
 *
 * Layout from `at`: bands, minY, maxY, bands per unit of y, then bands + 1 band starts (offsets of
 * each band's first edge from `at`), then per edge lower x, lower y, upper x, upper y, part.
 * An edge is kept lower end first and goes into every band its height range meets; within a band
 * edges follow their part, so even-odd is counted part by part (a point in any part is inside).
 * Horizontal edges never count and are left out.
 */
const HEAD = 4;
const EDGE = 5;
/** About this many edges a band; a ring crosses a band with a few. */
const EDGES_PER_BAND = 4;
const MAX_BANDS = 1024;

export function edgeBlock(geometry: Polygon | MultiPolygon): Float64Array {
  const parts = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const edges: number[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [part, rings] of parts.entries()) {
    for (const ring of rings) {
      const n = ring.length;
      // like pointInRings: from the last position, so rings that are not closed close too
      for (let i = 0, prev = n - 1; i < n; prev = i++) {
        const [ax, ay] = ring[prev] as [number, number];
        const [bx, by] = ring[i] as [number, number];
        if (ay === by) continue;
        edges.push(...(ay < by ? [ax, ay, bx, by] : [bx, by, ax, ay]), part);
        minY = Math.min(minY, ay, by);
        maxY = Math.max(maxY, ay, by);
      }
    }
  }
  const count = edges.length / EDGE;
  const bands = Math.max(1, Math.min(MAX_BANDS, Math.ceil(count / EDGES_PER_BAND)));
  const bandScale = count === 0 ? 0 : bands / (maxY - minY);
  const bandOf = (y: number) => Math.min(bands - 1, Math.max(0, Math.floor((y - minY) * bandScale)));
  // bandOf is monotonic, so a y inside an edge's height range finds it in its band
  const perBand = new Int32Array(bands);
  for (let e = 0; e < count; e++) for (let b = bandOf(edges[e * EDGE + 1]!); b <= bandOf(edges[e * EDGE + 3]!); b++) perBand[b]!++;
  const first = HEAD + bands + 1;
  const block = new Float64Array(first + perBand.reduce((a, b) => a + b, 0) * EDGE);
  block.set([bands, minY, maxY, bandScale]);
  const fill = new Int32Array(bands);
  for (let b = 0, at = first; b <= bands; b++) {
    block[HEAD + b] = at;
    if (b < bands) (fill[b] = at), (at += perBand[b]! * EDGE);
  }
  // edges in part order, so each band's edges stay grouped by part
  for (let e = 0; e < count; e++) {
    for (let b = bandOf(edges[e * EDGE + 1]!); b <= bandOf(edges[e * EDGE + 3]!); b++) {
      block.set(edges.slice(e * EDGE, e * EDGE + EDGE), fill[b]!);
      fill[b]! += EDGE;
    }
  }
  return block;
}

/** `pointInPolygon` of the polygon whose block starts at `data[at]`, with the same half-open boundary rule. */
export function inEdgeBlock(data: Float64Array, at: number, x: number, y: number): boolean {
  if (!(y >= data[at + 1]! && y < data[at + 2]!)) return false;
  const bands = data[at]!;
  const band = Math.min(bands - 1, Math.floor((y - data[at + 1]!) * data[at + 3]!));
  const end = at + data[at + HEAD + band + 1]!;
  let part = -1;
  let odd = false;
  for (let e = at + data[at + HEAD + band]!; e < end; e += EDGE) {
    const ly = data[e + 1]!;
    const uy = data[e + 3]!;
    if (y < ly || y >= uy) continue;
    if (data[e + 4] !== part) {
      if (odd) return true;
      part = data[e + 4]!;
    }
    const lx = data[e]!;
    const ux = data[e + 2]!;
    if (x < lx && x < ux) odd = !odd;
    else if ((x < lx || x < ux) && orient2d(lx, ly, ux, uy, x, y) > 0) odd = !odd;
  }
  return odd;
}
