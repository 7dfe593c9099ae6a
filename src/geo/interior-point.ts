import type { MultiPolygon, Polygon, Position } from 'geojson';
import { planarRingArea } from './dissolve.js';
import { pointInPolygon } from './pip.js';

/**
 * A point inside a polygon: the vertex centroid of the largest part's outer ring when inside,
 * else the middle of the widest inside stretch of the horizontal line through it, else a vertex.
 */
export function interiorPoint(geometry: Polygon | MultiPolygon): Position {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = polygons[0]!;
  let bestArea = -1;
  for (const polygon of polygons) {
    const area = Math.abs(planarRingArea(polygon[0]!));
    if (area > bestArea) (best = polygon), (bestArea = area);
  }
  const ring = best[0]!;
  const n = ring.length > 1 && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1] ? ring.length - 1 : ring.length;
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < n; k++) (cx += ring[k]![0]!), (cy += ring[k]![1]!);
  cx /= n;
  cy /= n;
  const polygon: Polygon = { type: 'Polygon', coordinates: best };
  if (pointInPolygon(cx, cy, polygon)) return [cx, cy];
  // crossings of the line y = cy with every ring, in order: inside stretches are [x0, x1], [x2, x3], …
  const xs: number[] = [];
  for (const r of best) {
    for (let k = 0; k < r.length; k++) {
      const a = r[k]!;
      const b = r[(k + 1) % r.length]!;
      if (a[1]! > cy !== b[1]! > cy) xs.push(a[0]! + ((cy - a[1]!) / (b[1]! - a[1]!)) * (b[0]! - a[0]!));
    }
  }
  xs.sort((a, b) => a - b);
  let widest = -1;
  let point: Position | null = null;
  for (let k = 0; k + 1 < xs.length; k += 2) {
    const width = xs[k + 1]! - xs[k]!;
    const mid = (xs[k]! + xs[k + 1]!) / 2;
    if (width > widest && pointInPolygon(mid, cy, polygon)) (widest = width), (point = [mid, cy]);
  }
  return point ?? [ring[0]![0]!, ring[0]![1]!];
}
