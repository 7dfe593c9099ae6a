import type { MultiPolygon, Polygon } from 'geojson';
import { orient2d, pointInPolygon } from './pip.js';

/**
 * A polygon's edges in flat arrays, banded by height, for point-in-polygon tests repeated millions
 * of times (the reverse geocoder's edge cells). The crossing rule only counts edges whose height
 * range holds the point's y, so testing just the edges of y's band gives exactly `pointInPolygon`'s
 * answer — same edges, same predicate — while reading a few numbers from one typed array instead
 * of walking every vertex through nested arrays. Each edge is kept lower end first; horizontal
 * edges never count and are left out.
 */
export interface EdgeTable {
  minY: number;
  maxY: number;
  /** bands per unit of y */
  bandScale: number;
  bands: number;
  /** edges of band b: bandStart[b] … bandStart[b + 1] - 1 */
  bandStart: Int32Array;
  /** per edge: lower x, lower y, upper x, upper y */
  ends: Float64Array;
  /** per edge: bit of its polygon part (even-odd is counted per part; a point in any part is inside) */
  partBit: Int32Array;
  /** more parts than bits: tests use `pointInPolygon` on this geometry */
  fallback: Polygon | MultiPolygon | null;
}

/** About this many edges a band; a ring crosses a band with a few. */
const EDGES_PER_BAND = 4;
const MAX_BANDS = 1024;
const MAX_PARTS = 31;

export function edgeTable(geometry: Polygon | MultiPolygon): EdgeTable {
  const parts = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const lower: number[] = [];
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
        lower.push(...(ay < by ? [ax, ay, bx, by] : [bx, by, ax, ay]), part);
        minY = Math.min(minY, ay, by);
        maxY = Math.max(maxY, ay, by);
      }
    }
  }
  const count = lower.length / 5;
  const bands = Math.max(1, Math.min(MAX_BANDS, Math.ceil(count / EDGES_PER_BAND)));
  const bandScale = count === 0 ? 0 : bands / (maxY - minY);
  const bandOf = (y: number) => Math.min(bands - 1, Math.max(0, Math.floor((y - minY) * bandScale)));
  // an edge goes into every band its height range meets; bandOf is monotonic, so a y inside the range finds it
  const bandStart = new Int32Array(bands + 1);
  for (let e = 0; e < count; e++) for (let b = bandOf(lower[e * 5 + 1]!); b <= bandOf(lower[e * 5 + 3]!); b++) bandStart[b + 1]!++;
  for (let b = 0; b < bands; b++) bandStart[b + 1]! += bandStart[b]!;
  const fill = bandStart.slice(0, bands);
  const ends = new Float64Array(bandStart[bands]! * 4);
  const partBit = new Int32Array(bandStart[bands]!);
  for (let e = 0; e < count; e++) {
    for (let b = bandOf(lower[e * 5 + 1]!); b <= bandOf(lower[e * 5 + 3]!); b++) {
      const at = fill[b]!++;
      for (let k = 0; k < 4; k++) ends[at * 4 + k] = lower[e * 5 + k]!;
      partBit[at] = 1 << (lower[e * 5 + 4]! % MAX_PARTS);
    }
  }
  return { minY, maxY, bandScale, bands, bandStart, ends, partBit, fallback: parts.length > MAX_PARTS ? geometry : null };
}

/** `pointInPolygon` of the table's polygon, with the same half-open boundary rule. */
export function inEdgeTable(table: EdgeTable, x: number, y: number): boolean {
  if (table.fallback !== null) return pointInPolygon(x, y, table.fallback);
  if (!(y >= table.minY && y < table.maxY)) return false;
  const band = Math.min(table.bands - 1, Math.floor((y - table.minY) * table.bandScale));
  const ends = table.ends;
  let odd = 0;
  for (let e = table.bandStart[band]!, end = table.bandStart[band + 1]!; e < end; e++) {
    const ly = ends[e * 4 + 1]!;
    const uy = ends[e * 4 + 3]!;
    if (y < ly || y >= uy) continue;
    const lx = ends[e * 4]!;
    const ux = ends[e * 4 + 2]!;
    if (x < lx && x < ux) odd ^= table.partBit[e]!;
    else if ((x < lx || x < ux) && orient2d(lx, ly, ux, uy, x, y) > 0) odd ^= table.partBit[e]!;
  }
  return odd !== 0;
}
