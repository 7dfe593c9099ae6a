import type { BBox } from '../geo/bbox.js';

/**
 * Web Mercator "world" coordinates: x and y in 0..1 across the whole map, y growing southward,
 * so tile (z, x, y) covers [x, x+1] × [y, y+1] / 2^z. Features are projected once, at load.
 */

export interface TileCoord {
  z: number;
  x: number;
  y: number;
}

/** Web Mercator stops at ±85.0511°; beyond it the projection has no finite y. */
const MAX_LATITUDE = 85.0511287798066;

export function worldX(lng: number): number {
  return (lng + 180) / 360;
}

export function worldY(lat: number): number {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
}

export function lngOf(worldXValue: number): number {
  return worldXValue * 360 - 180;
}

export function latOf(worldYValue: number): number {
  return (Math.atan(Math.sinh(Math.PI * (1 - 2 * worldYValue))) * 180) / Math.PI;
}

/** A degree box as a world box (minY is the north edge). */
export function worldBox(box: BBox): BBox {
  return { minX: worldX(box.minX), minY: worldY(box.maxY), maxX: worldX(box.maxX), maxY: worldY(box.minY) };
}

/** The world box of a tile, grown on every side by `margin` (a fraction of the tile's width). */
export function tileWorldBox({ z, x, y }: TileCoord, margin = 0): BBox {
  const size = 1 / 2 ** z;
  return { minX: (x - margin) * size, minY: (y - margin) * size, maxX: (x + 1 + margin) * size, maxY: (y + 1 + margin) * size };
}

/** The tiles of zoom `z` a world box touches, as inclusive column and row ranges. */
export function tileRange(box: BBox, z: number): { minX: number; minY: number; maxX: number; maxY: number } {
  const n = 2 ** z;
  const clamp = (v: number): number => Math.max(0, Math.min(n - 1, Math.floor(v * n)));
  return { minX: clamp(box.minX), minY: clamp(box.minY), maxX: clamp(box.maxX), maxY: clamp(box.maxY) };
}

/** TMS row numbering (MBTiles) counts rows from the south. */
export function tmsRow(z: number, y: number): number {
  return 2 ** z - 1 - y;
}
