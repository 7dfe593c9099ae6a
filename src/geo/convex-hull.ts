import type { Polygon, Position } from 'geojson';

/**
 * The convex hull of points as a closed counter-clockwise ring (RFC 7946 exterior winding),
 * by Andrew's monotone chain; collinear points on the hull are dropped. Needs three points
 * that are not all on one line.
 */
export function convexHull(points: readonly Position[]): Polygon {
  const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  const cross = (o: Position, a: Position, b: Position): number => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const chain = (ordered: Position[]): Position[] => {
    const out: Position[] = [];
    for (const p of ordered) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  const ring = [...chain(sorted), ...chain(sorted.reverse())];
  if (ring.length < 3) throw new Error(`a hull needs three points not on one line, got ${points.length} point(s) spanning ${ring.length}`);
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}
