import Flatbush from 'flatbush';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { edgeBlock, inEdgeBlock } from '../geo/edge-table.js';
import type { AreaGeometry } from '../model.js';

/** A polygon of a layer: `key` names it across changes (a code), `value` is what a lookup answers. */
export interface LayerItem<T> {
  key: string;
  geometry: AreaGeometry;
  value: T;
}

/**
 * Polygons that do not overlap (one scheme of grids, one level of areas), found by point:
 * a flatbush R-tree over their boxes narrows the candidates, then pip.ts decides exactly with
 * its half-open edge rule, so a point on an edge shared by two polygons belongs to exactly one.
 * Flatbush rather than rbush: the set changes rarely, and flatbush packs it into typed arrays
 * that build and search faster (bench/reverse.bench.ts measures both).
 *
 * Each polygon has a slot, its index, kept for the layer's life; a changed polygon keeps its
 * slot. Changes since the tree was built sit beside it, as tiles/layer-index.ts does: the slot
 * is masked out of the tree and its new box is scanned from a short list, so a redrawn grid
 * costs microseconds here instead of a new tree.
 */
export class PolygonLayer<T> {
  /** by slot; null for a removed polygon */
  private readonly slots: (LayerItem<T> | null)[];
  /**
   * Every polygon's edges as blocks of one array (edge-table.ts), the block of a slot at
   * `edgesAt[slot]` (-1 removed): a test reads numbers lying together, not nested arrays. A
   * changed polygon's new block goes at the end; the old one stays unused until a rebuild.
   */
  private edges = new Float64Array(1024);
  private edgesUsed = 0;
  private edgesAt = new Int32Array(64).fill(-1);
  private readonly slotOf = new Map<string, number>();
  private readonly tree: Flatbush | null;
  /** slots the tree no longer answers for */
  private readonly masked = new Set<number>();
  /** live slots changed or added since the tree was built, with their boxes */
  private readonly moved = new Map<number, BBox>();
  private box: BBox | null = null;

  constructor(items: readonly LayerItem<T>[]) {
    this.slots = [...items];
    for (const [slot, item] of items.entries()) {
      this.slotOf.set(item.key, slot);
      this.putEdges(slot, item);
    }
    if (items.length === 0) {
      this.tree = null;
      return;
    }
    const tree = new Flatbush(items.length);
    for (const item of items) {
      const box = geometryBBox(item.geometry);
      tree.add(box.minX, box.minY, box.maxX, box.maxY);
      this.grow(box);
    }
    tree.finish();
    this.tree = tree;
  }

  /** Number of slots (removed polygons keep theirs): polygon indexes are below it. */
  get size(): number {
    return this.slots.length;
  }

  /** Box around every polygon the layer ever held, or null for none. */
  get extent(): BBox | null {
    return this.box;
  }

  /** Changes kept beside the tree. */
  get pending(): number {
    return this.masked.size + this.moved.size;
  }

  /** The polygon in a slot, null when removed. */
  item(slot: number): LayerItem<T> | null {
    return this.slots[slot] ?? null;
  }

  slot(key: string): number | undefined {
    return this.slotOf.get(key);
  }

  /** The live polygons in slot order. */
  *items(): Generator<{ slot: number; item: LayerItem<T> }> {
    for (let slot = 0; slot < this.slots.length; slot++) {
      const item = this.slots[slot];
      if (item) yield { slot, item };
    }
  }

  /**
   * Puts a polygon under its key (a new key takes the next slot), or removes the key (`item`
   * null). Returns the slot and the boxes the change covers: old and new.
   */
  put(key: string, item: LayerItem<T> | null): { slot: number; boxes: BBox[] } {
    let slot = this.slotOf.get(key);
    const boxes: BBox[] = [];
    if (slot === undefined) {
      if (item === null) return { slot: -1, boxes };
      slot = this.slots.push(null) - 1;
      this.slotOf.set(key, slot);
    }
    const old = this.slots[slot];
    if (old) boxes.push(this.moved.get(slot) ?? geometryBBox(old.geometry));
    if (this.tree !== null && slot < this.tree.numItems) this.masked.add(slot);
    this.slots[slot] = item;
    this.putEdges(slot, item);
    if (item) {
      const box = geometryBBox(item.geometry);
      this.moved.set(slot, box);
      this.grow(box);
      boxes.push(box);
    } else {
      this.moved.delete(slot);
    }
    return { slot, boxes };
  }

  /** Slots of the live polygons whose boxes meet `box`. */
  search(box: BBox): number[] {
    const found: number[] = [];
    if (this.tree !== null) {
      for (const slot of this.tree.search(box.minX, box.minY, box.maxX, box.maxY)) if (!this.masked.has(slot)) found.push(slot);
    }
    for (const [slot, b] of this.moved) if (b.minX <= box.maxX && b.maxX >= box.minX && b.minY <= box.maxY && b.maxY >= box.minY) found.push(slot);
    return found;
  }

  /** Slot of the polygon containing the point, or -1. */
  findIndex(x: number, y: number): number {
    if (this.tree !== null) {
      const hits = this.tree.search(x, y, x, y);
      for (let k = 0; k < hits.length; k++) {
        const slot = hits[k]!;
        if (this.masked.size > 0 && this.masked.has(slot)) continue;
        if (this.contains(slot, x, y)) return slot;
      }
    }
    if (this.moved.size === 0) return -1;
    for (const [slot, b] of this.moved) {
      if (x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY && this.contains(slot, x, y)) return slot;
    }
    return -1;
  }

  /** Whether the live polygon in `slot` contains the point (pip.ts's rule). */
  contains(slot: number, x: number, y: number): boolean {
    const at = this.edgesAt[slot]!;
    return at >= 0 && inEdgeBlock(this.edges, at, x, y);
  }

  private putEdges(slot: number, item: LayerItem<T> | null): void {
    if (slot >= this.edgesAt.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.edgesAt.length * 2)).fill(-1);
      grown.set(this.edgesAt);
      this.edgesAt = grown;
    }
    if (item === null) {
      this.edgesAt[slot] = -1;
      return;
    }
    const block = edgeBlock(item.geometry);
    if (this.edgesUsed + block.length > this.edges.length) {
      const grown = new Float64Array(Math.max(this.edgesUsed + block.length, this.edges.length * 2));
      grown.set(this.edges.subarray(0, this.edgesUsed));
      this.edges = grown;
    }
    this.edges.set(block, this.edgesUsed);
    this.edgesAt[slot] = this.edgesUsed;
    this.edgesUsed += block.length;
  }

  find(x: number, y: number): T | null {
    const k = this.findIndex(x, y);
    return k < 0 ? null : this.slots[k]!.value;
  }

  private grow(box: BBox): void {
    if (this.box === null) this.box = { ...box };
    else {
      this.box.minX = Math.min(this.box.minX, box.minX);
      this.box.minY = Math.min(this.box.minY, box.minY);
      this.box.maxX = Math.max(this.box.maxX, box.maxX);
      this.box.maxY = Math.max(this.box.maxY, box.maxY);
    }
  }
}
