import type { TileFeature } from './tile-features.js';

/** From this zoom on every feature of a thinned layer is in its tile. */
export const FULL_DETAIL_ZOOM = 17;
/** Below FULL_DETAIL_ZOOM a tile keeps at most one feature per cell of a 64×64 grid (8 px at 512 px tiles). */
export const THINNING_CELLS_PER_TILE = 64;

/**
 * Thins features for zoom `z`: in each cell of a world-aligned grid (64 cells per tile side) the
 * feature with the lowest rank (its class priority), then the smallest key, is kept. Cells are
 * global, so a feature in a tile's buffer is kept or dropped the same way in both tiles, and a
 * change only affects the tiles around its own cell. The grid caps a tile at 4,096 features.
 */
export function thin(features: readonly TileFeature[], z: number): TileFeature[] {
  if (z >= FULL_DETAIL_ZOOM) return [...features];
  const cells = 2 ** z * THINNING_CELLS_PER_TILE;
  const kept = new Map<number, TileFeature>();
  for (const feature of features) {
    const cx = Math.floor(((feature.bbox.minX + feature.bbox.maxX) / 2) * cells);
    const cy = Math.floor(((feature.bbox.minY + feature.bbox.maxY) / 2) * cells);
    const cell = cy * cells + cx;
    const holder = kept.get(cell);
    if (!holder || feature.rank < holder.rank || (feature.rank === holder.rank && feature.key < holder.key)) kept.set(cell, feature);
  }
  return [...kept.values()];
}
