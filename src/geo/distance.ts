import type { BBox } from './bbox.js';

/** Mean earth radius (IUGG), the sphere haversine distances are measured on. */
const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function distanceM(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A lng/lat box holding every point within `radiusM` of a point (1 % wider, so rounding never
 * leaves one out): what an index is searched with before exact `distanceM` filtering.
 */
export function boxAround(lng: number, lat: number, radiusM: number): BBox {
  const dLat = (radiusM / (EARTH_RADIUS_M * RAD)) * 1.01;
  const dLng = dLat / Math.max(Math.cos(Math.min(89, Math.abs(lat)) * RAD), 1e-6);
  return { minX: lng - dLng, minY: lat - dLat, maxX: lng + dLng, maxY: lat + dLat };
}
