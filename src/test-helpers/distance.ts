import type { Position } from 'geojson';

/** Metres between two lng/lat positions — local equirectangular distance; fine at the metre scale these checks use. */
export function metresBetween(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dx = (a[0]! - b[0]!) * rad * Math.cos(((a[1]! + b[1]!) / 2) * rad) * 6378137;
  const dy = (a[1]! - b[1]!) * rad * 6378137;
  return Math.hypot(dx, dy);
}
