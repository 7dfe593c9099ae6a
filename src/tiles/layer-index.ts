import type { BBox } from '../geo/bbox.js';
import { cellBox, cellOf, thinCells } from './thinning.js';
import { PatchedSet } from './patched-set.js';
import type { TileFeature } from './tile-features.js';

export interface LayerIndexOptions {
  /** zooms at which the layer is thinned (thinning.ts); each gets its own set of survivors */
  thinnedZooms?: readonly number[];
}

/**
 * The features of one tile layer, searchable by world box. Tiles are cut on demand from what a
 * search returns, so memory stays at the size of the data (geojson-vt keeps every tile it ever
 * sliced; the issue note has the measurement). A thinned layer also keeps, per thinned zoom, the
 * survivors in their own set: a z14 tile then reads ~4,000 features instead of ~20,000.
 * A change updates the sets in place — for a thinned layer by re-electing the survivor of each
 * cell it touches — and `compact` rebuilds the trees in steps after many changes.
 */
export class LayerIndex {
  private readonly full: PatchedSet;
  private readonly thinnedZooms: readonly number[];
  private readonly thinned: Map<number, { set: PatchedSet; winners: Map<number, string> }>;

  constructor(features: Iterable<TileFeature>, options: LayerIndexOptions = {}) {
    this.thinnedZooms = options.thinnedZooms ?? [];
    const all = [...features];
    this.full = new PatchedSet(all);
    this.thinned = new Map(
      this.thinnedZooms.map((z) => {
        const winners = thinCells(all, z);
        return [z, { set: new PatchedSet(winners.values()), winners: new Map([...winners].map(([cell, f]) => [cell, f.key])) }];
      }),
    );
  }

  get size(): number {
    return this.full.size;
  }

  /** Features whose box meets `box` (world coordinates), as drawn at zoom `z`, in id order. */
  search(box: BBox, z: number): TileFeature[] {
    return (this.thinned.get(z)?.set ?? this.full).search(box);
  }

  /** Every feature. */
  all(): TileFeature[] {
    return [...this.full.all()];
  }

  get(key: string): TileFeature | undefined {
    return this.full.get(key);
  }

  /**
   * Puts `feature` under `key` (null removes it). Returns the boxes the change covers — the old
   * feature's and the new one's — so exactly the tiles they touch can be dropped.
   */
  replace(changes: Iterable<{ key: string; feature: TileFeature | null }>): BBox[] {
    const touched: BBox[] = [];
    const moved: TileFeature[] = [];
    for (const { key, feature } of changes) {
      const old = this.full.get(key);
      if (old) touched.push(old.bbox), moved.push(old);
      if (feature) touched.push(feature.bbox), moved.push(feature);
      this.full.put(key, feature);
    }
    for (const [z, thinned] of this.thinned) {
      const cells = new Set(moved.map((f) => cellOf(f, z)));
      for (const cell of cells) this.reelect(thinned, cell, z);
    }
    return touched;
  }

  /** True when enough changes sit beside the trees that `compact` should fold them in. */
  get needsCompaction(): boolean {
    return this.full.needsCompaction || [...this.thinned.values()].some(({ set }) => set.needsCompaction);
  }

  /**
   * Folds the changes into the trees a segment per step (a generator: the caller yields to the
   * event loop between steps; searches meanwhile see the same features). No `replace` may run
   * until it has finished.
   */
  *compact(): Generator<void, void> {
    yield* this.full.compact();
    for (const { set } of this.thinned.values()) yield* set.compact();
  }

  /** Elects a cell's survivor again from the full set after a change in it. */
  private reelect(thinned: { set: PatchedSet; winners: Map<number, string> }, cell: number, z: number): void {
    const inCell = this.full.search(cellBox(cell, z)).filter((f) => cellOf(f, z) === cell);
    const winner = thinCells(inCell, z).get(cell);
    const previous = thinned.winners.get(cell);
    if (previous !== undefined && previous !== winner?.key) thinned.set.put(previous, null);
    if (winner) {
      thinned.set.put(winner.key, winner);
      thinned.winners.set(cell, winner.key);
    } else thinned.winners.delete(cell);
  }

}
