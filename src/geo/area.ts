import type { Geometry, Position } from 'geojson';

// WGS84 equatorial radius; the spherical-excess formula of Chamberlain & Duquette (JPL 2007),
// the same one @mapbox/geojson-area and turf use, so areas agree with those tools
const EARTH_RADIUS_M = 6378137;
const RAD = Math.PI / 180;

/** Signed area of a ring in m²: positive when counter-clockwise (an RFC 7946 exterior). */
export function ringAreaM2(ring: Position[]): number {
  const n = ring.length;
  if (n < 4) return 0;
  let sum = 0;
  for (let i = 0; i < n - 1; i++) {
    const lower = ring[i === 0 ? n - 2 : i - 1]!;
    const middle = ring[i]!;
    const upper = ring[i + 1]!;
    sum += (upper[0]! - lower[0]!) * RAD * Math.sin(middle[1]! * RAD);
  }
  // the formula's sum is negative for counter-clockwise rings
  return (-sum * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2;
}

/** Area of a (multi)polygon in m², holes subtracted; 0 for points and lines. */
export function geometryAreaM2(geometry: Geometry): number {
  switch (geometry.type) {
    case 'Polygon':
      return polygonArea(geometry.coordinates);
    case 'MultiPolygon':
      return geometry.coordinates.reduce((sum, polygon) => sum + polygonArea(polygon), 0);
    case 'GeometryCollection':
      return geometry.geometries.reduce((sum, g) => sum + geometryAreaM2(g), 0);
    default:
      return 0;
  }
}

function polygonArea(rings: Position[][]): number {
  const [outer, ...holes] = rings;
  if (!outer) return 0;
  return holes.reduce((sum, hole) => sum - Math.abs(ringAreaM2(hole)), Math.abs(ringAreaM2(outer)));
}
