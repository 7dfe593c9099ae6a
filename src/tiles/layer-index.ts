import Flatbush from 'flatbush';
import type { BBox } from '../geo/bbox.js';
import { cellBox, cellOf, thinCells } from './thinning.js';
import type { TileFeature } from './tile-features.js';

/** Changed features kept beside a tree before it is rebuilt: searching them is a linear scan. */
const MAX_PENDING_CHANGES = 500;

/**
 * Features under a static R-tree (flatbush, in id order) plus the changes since it was built: keys
 * replaced or removed are masked out of the tree, new versions sit in a small list beside it.
 * A change then costs microseconds instead of a rebuild of the tree.
 */
class PatchedSet {
  private readonly features: TileFeature[];
  private readonly tree: Flatbush | null;
  private readonly indexOf: Map<string, number>;
  private readonly masked = new Set<number>();
  private readonly added = new Map<string, TileFeature>();

  constructor(features: Iterable<TileFeature>) {
    this.features = [...features].sort((a, b) => a.id - b.id);
    this.indexOf = new Map(this.features.map((f, i) => [f.key, i]));
    if (this.features.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(this.features.length);
    for (const { bbox } of this.features) tree.add(bbox.minX, bbox.minY, bbox.maxX, bbox.maxY);
    tree.finish();
    this.tree = tree;
  }

  get size(): number {
    return this.features.length - this.masked.size + this.added.size;
  }

  get pending(): number {
    return this.masked.size + this.added.size;
  }

  get(key: string): TileFeature | undefined {
    const added = this.added.get(key);
    if (added) return added;
    const at = this.indexOf.get(key);
    return at === undefined || this.masked.has(at) ? undefined : this.features[at];
  }

  /** Puts `feature` under `key`, or removes the key (null). */
  put(key: string, feature: TileFeature | null): void {
    const at = this.indexOf.get(key);
    if (at !== undefined) this.masked.add(at);
    if (feature) this.added.set(key, feature);
    else this.added.delete(key);
  }

  /** Features whose box meets `box`, in id order. */
  search(box: BBox): TileFeature[] {
    const found: TileFeature[] = [];
    if (this.tree) {
      // indices are in id order because the features are; a numeric sort of them is cheap
      const hits = Uint32Array.from(this.tree.search(box.minX, box.minY, box.maxX, box.maxY)).sort();
      for (const i of hits) if (!this.masked.has(i)) found.push(this.features[i]!);
    }
    if (this.added.size === 0) return found;
    for (const f of this.added.values()) {
      if (f.bbox.minX <= box.maxX && f.bbox.maxX >= box.minX && f.bbox.minY <= box.maxY && f.bbox.maxY >= box.minY) found.push(f);
    }
    return found.sort((a, b) => a.id - b.id);
  }

  *all(): Generator<TileFeature> {
    for (let i = 0; i < this.features.length; i++) if (!this.masked.has(i)) yield this.features[i]!;
    yield* this.added.values();
  }
}

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
 * cell it touches — and the trees are rebuilt only after many changes.
 */
export class LayerIndex {
  private full!: PatchedSet;
  private readonly thinnedZooms: readonly number[];
  private thinned = new Map<number, { set: PatchedSet; winners: Map<number, string> }>();

  constructor(features: Iterable<TileFeature>, options: LayerIndexOptions = {}) {
    this.thinnedZooms = options.thinnedZooms ?? [];
    this.rebuild([...features]);
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
    if (this.full.pending > MAX_PENDING_CHANGES) {
      this.rebuild(this.all());
      return touched;
    }
    for (const [z, thinned] of this.thinned) {
      const cells = new Set(moved.map((f) => cellOf(f, z)));
      for (const cell of cells) this.reelect(thinned, cell, z);
    }
    return touched;
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

  private rebuild(features: TileFeature[]): void {
    this.full = new PatchedSet(features);
    this.thinned = new Map(
      this.thinnedZooms.map((z) => {
        const winners = thinCells(features, z);
        return [z, { set: new PatchedSet(winners.values()), winners: new Map([...winners].map(([cell, f]) => [cell, f.key])) }];
      }),
    );
  }
}
