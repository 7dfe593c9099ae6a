import Flatbush from 'flatbush';
import RBush from 'rbush';
import type { BBox } from '../geo/bbox.js';
import type { TileFeature } from './tile-features.js';

/**
 * Features per static tree. A set is cut into segments by id so that rebuilding one after many
 * changes (flatbush's `finish` sorts every box, ~120 ms for the default district's 207,000
 * components in one tree) takes a few milliseconds, a step between which requests are answered.
 */
const SEGMENT_FEATURES = 8192;

/** Changes in a segment (masked or new beside it) before `compact` rebuilds it: at least this many, or a quarter of it. */
const MIN_CHANGES_BEFORE_REBUILD = 512;

/**
 * Features of one id range under a static R-tree, those replaced or removed since masked, and
 * the new versions in the range beside it in a dynamic R-tree.
 */
interface Segment {
  /** the smallest id this segment takes (the first segment takes every smaller one too) */
  fromId: number;
  /** in id order */
  features: TileFeature[];
  indexOf: Map<string, number>;
  tree: Flatbush | null;
  masked: Set<number>;
  added: Map<string, Added>;
  addedTree: RBush<Added>;
}

/** A new version beside the trees, under its own box for rbush. */
interface Added extends BBox {
  feature: TileFeature;
}

/**
 * Features under static R-trees (flatbush, one per segment of ids) plus the changes since they
 * were built: keys replaced or removed are masked out of their tree, new versions sit beside it in
 * a dynamic R-tree (rbush). A change costs microseconds, searches stay logarithmic however many
 * changes an import brings, and `compact` folds the changes back into the trees a segment at a time.
 */
export class PatchedSet {
  private segments: Segment[] = [];
  /** the segment whose tree holds a key (masked or not) */
  private readonly home = new Map<string, Segment>();
  /** the segment a key's new version sits beside */
  private readonly beside = new Map<string, Segment>();

  constructor(features: Iterable<TileFeature>) {
    const sorted = [...features].sort((a, b) => a.id - b.id);
    for (let start = 0; start < sorted.length || start === 0; start += SEGMENT_FEATURES) {
      const part = sorted.slice(start, start + SEGMENT_FEATURES);
      const s = segment(start === 0 ? -Infinity : part[0]!.id, part);
      for (const key of s.indexOf.keys()) this.home.set(key, s);
      this.segments.push(s);
    }
  }

  get size(): number {
    let size = 0;
    for (const s of this.segments) size += s.features.length - s.masked.size + s.added.size;
    return size;
  }

  /** Changes not yet folded into the trees. */
  get pending(): number {
    let pending = 0;
    for (const s of this.segments) pending += s.masked.size + s.added.size;
    return pending;
  }

  get(key: string): TileFeature | undefined {
    const added = this.beside.get(key)?.added.get(key);
    if (added) return added.feature;
    const s = this.home.get(key);
    const at = s?.indexOf.get(key);
    return at === undefined || s!.masked.has(at) ? undefined : s!.features[at];
  }

  /** Puts `feature` under `key`, or removes the key (null). */
  put(key: string, feature: TileFeature | null): void {
    const home = this.home.get(key);
    if (home) home.masked.add(home.indexOf.get(key)!);
    const beside = this.beside.get(key);
    if (beside) {
      beside.addedTree.remove(beside.added.get(key)!);
      beside.added.delete(key);
      this.beside.delete(key);
    }
    if (feature) {
      const entry: Added = { ...feature.bbox, feature };
      const s = this.segments[this.segmentOfId(feature.id)]!;
      s.added.set(key, entry);
      s.addedTree.insert(entry);
      this.beside.set(key, s);
    }
  }

  /** Features whose box meets `box`, in id order. */
  search(box: BBox): TileFeature[] {
    const found: TileFeature[] = [];
    let beside = false;
    // segments are in id order, and the indices within one are too: a numeric sort of them is cheap
    for (const s of this.segments) {
      const { tree } = s;
      const hits = tree && tree.minX <= box.maxX && tree.maxX >= box.minX && tree.minY <= box.maxY && tree.maxY >= box.minY ? tree.search(box.minX, box.minY, box.maxX, box.maxY) : null;
      if (hits && hits.length > 0) for (const i of Uint32Array.from(hits).sort()) if (!s.masked.has(i)) found.push(s.features[i]!);
      if (s.added.size === 0) continue;
      for (const { feature } of s.addedTree.search(box)) {
        found.push(feature);
        beside = true;
      }
    }
    return beside ? found.sort((a, b) => a.id - b.id) : found;
  }

  *all(): Generator<TileFeature> {
    for (const s of this.segments) {
      for (let i = 0; i < s.features.length; i++) if (!s.masked.has(i)) yield s.features[i]!;
      for (const { feature } of s.added.values()) yield feature;
    }
  }

  /** True when some segment holds enough changes that `compact` would rebuild it. */
  get needsCompaction(): boolean {
    return this.segments.some(needsRebuild);
  }

  /**
   * Rebuilds the trees of the segments with many changes, in steps of a few milliseconds (a
   * generator: the caller may answer requests between steps, which then search the set as it
   * stands). A segment grown or shrunk is cut into parts of about SEGMENT_FEATURES. No `put` may
   * run until the generator has finished.
   */
  *compact(): Generator<void, void> {
    const old = this.segments;
    const next: Segment[] = [];
    for (const [k, s] of old.entries()) {
      if (!needsRebuild(s)) {
        next.push(s);
        continue;
      }
      const features = s.features.filter((_, i) => !s.masked.has(i));
      for (const { feature } of s.added.values()) features.push(feature);
      features.sort((a, b) => a.id - b.id);
      yield;
      // a part per step while searches use the old segment, then swapped in at once
      const parts = Math.max(1, Math.round(features.length / SEGMENT_FEATURES));
      const size = Math.ceil(features.length / parts);
      const rebuilt: Segment[] = [];
      for (let p = 0; p < parts; p++) {
        const part = features.slice(p * size, (p + 1) * size);
        rebuilt.push(segment(p === 0 ? s.fromId : part[0]!.id, part));
        yield;
      }
      next.push(...rebuilt);
      // swapped in at once: the keys now live in the rebuilt trees, none beside them
      this.segments = [...next, ...old.slice(k + 1)];
      for (const key of s.indexOf.keys()) if (this.home.get(key) === s) this.home.delete(key);
      for (const key of s.added.keys()) this.beside.delete(key);
      for (const r of rebuilt) for (const key of r.indexOf.keys()) this.home.set(key, r);
    }
  }

  private segmentOfId(id: number): number {
    let k = this.segments.length - 1;
    while (k > 0 && this.segments[k]!.fromId > id) k--;
    return k;
  }
}

function needsRebuild(s: Segment): boolean {
  return s.masked.size + s.added.size > Math.max(MIN_CHANGES_BEFORE_REBUILD, s.features.length / 4);
}

/** A segment of features in id order, under a new tree, nothing masked or beside it. */
function segment(fromId: number, features: TileFeature[]): Segment {
  const indexOf = new Map(features.map((f, i) => [f.key, i]));
  const tree = features.length === 0 ? null : new Flatbush(features.length);
  if (tree) {
    for (const { bbox } of features) tree.add(bbox.minX, bbox.minY, bbox.maxX, bbox.maxY);
    tree.finish();
  }
  return { fromId, features, indexOf, tree, masked: new Set(), added: new Map(), addedTree: new RBush<Added>() };
}
