import type { BBox } from '../geo/bbox.js';
import type { TileFeature } from './tile-features.js';

/** From this zoom on every feature of a thinned layer is in its tile. */
export const FULL_DETAIL_ZOOM = 17;
/** Below FULL_DETAIL_ZOOM a tile keeps at most one feature per cell of a 64×64 grid (8 px at 512 px tiles). */
export const THINNING_CELLS_PER_TILE = 64;

/**
 * Thinning for zoom `z`: in each cell of a world-aligned grid (64 cells per tile side) the
 * feature with the lowest rank (its class priority), then the smallest key, is kept. Cells are
 * global, so a feature in a tile's buffer is kept or dropped the same way in both tiles, and a
 * change only affects the tiles around its own cell. The grid caps a tile at 4,096 features.
 * Returns cell → the feature kept there.
 */
export function thinCells(features: Iterable<TileFeature>, z: number): Map<number, TileFeature> {
  const kept = new Map<number, TileFeature>();
  for (const feature of features) {
    const cell = cellOf(feature, z);
    const holder = kept.get(cell);
    if (!holder || outranks(feature, holder)) kept.set(cell, feature);
  }
  return kept;
}

/** The thinning cell of a feature (by its box centre) at zoom `z`, as one number. */
export function cellOf(feature: TileFeature, z: number): number {
  const cells = 2 ** z * THINNING_CELLS_PER_TILE;
  const cx = Math.floor(((feature.bbox.minX + feature.bbox.maxX) / 2) * cells);
  const cy = Math.floor(((feature.bbox.minY + feature.bbox.maxY) / 2) * cells);
  return cy * cells + cx;
}

/** The world box of a thinning cell. */
export function cellBox(cell: number, z: number): BBox {
  const cells = 2 ** z * THINNING_CELLS_PER_TILE;
  const cx = cell % cells;
  const cy = Math.floor(cell / cells);
  return { minX: cx / cells, minY: cy / cells, maxX: (cx + 1) / cells, maxY: (cy + 1) / cells };
}

/** Whether `a` is kept over `b` in a shared cell. */
function outranks(a: TileFeature, b: TileFeature): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.key < b.key);
}
