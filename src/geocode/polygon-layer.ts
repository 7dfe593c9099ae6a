import Flatbush from 'flatbush';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { pointInPolygon } from '../geo/pip.js';
import type { AreaGeometry } from '../model.js';

/**
 * Polygons that do not overlap (one scheme of grids, one level of areas), found by point:
 * a flatbush R-tree over their boxes narrows the candidates, then pip.ts decides exactly with
 * its half-open edge rule, so a point on an edge shared by two polygons belongs to exactly one.
 * Flatbush rather than rbush: the set is static between rebuilds, and flatbush packs it into
 * typed arrays that build and search faster (bench/reverse.bench.ts measures both).
 */
export class PolygonLayer<T> {
  readonly items: readonly { geometry: AreaGeometry; value: T }[];
  readonly extent: BBox | null;
  private readonly index: Flatbush | null;

  constructor(items: readonly { geometry: AreaGeometry; value: T }[]) {
    this.items = items;
    if (items.length === 0) {
      this.index = null;
      this.extent = null;
      return;
    }
    const index = new Flatbush(items.length);
    const extent = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const item of items) {
      const box = geometryBBox(item.geometry);
      index.add(box.minX, box.minY, box.maxX, box.maxY);
      extent.minX = Math.min(extent.minX, box.minX);
      extent.minY = Math.min(extent.minY, box.minY);
      extent.maxX = Math.max(extent.maxX, box.maxX);
      extent.maxY = Math.max(extent.maxY, box.maxY);
    }
    index.finish();
    this.index = index;
    this.extent = extent;
  }

  /** Index of the polygon containing the point, or -1. */
  findIndex(x: number, y: number): number {
    if (this.index === null) return -1;
    for (const k of this.index.search(x, y, x, y)) {
      if (pointInPolygon(x, y, this.items[k]!.geometry)) return k;
    }
    return -1;
  }

  find(x: number, y: number): T | null {
    const k = this.findIndex(x, y);
    return k < 0 ? null : this.items[k]!.value;
  }
}
