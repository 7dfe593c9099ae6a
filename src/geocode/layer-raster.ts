import { cellCentre, labelWindow, MIXED, windowBox, writeWindow, type CellWindow, type RasterGrid } from './cell-raster.js';
import type { PolygonLayer } from './polygon-layer.js';

/**
 * One polygon layer on a raster: a cell holds the polygon containing all of it, OUTSIDE, or a
 * short candidate list — the polygons whose edges touch the cell plus the one containing its
 * centre. A polygon containing a point of the cell either touches the cell with an edge or
 * contains the whole cell (and so its centre), so testing the candidates is exact.
 * After polygons change, `relabel` recomputes just the cells their old and new boxes cover.
 */
export class LayerRaster {
  /** ≥ 0 polygon slot, -1 none, ≤ -2 the candidate list at `lists[-(v + 2)]` */
  private cells: Int16Array | Int32Array;
  /** candidate lists one after another, each its length then its slots (one array: a list is one read) */
  private lists = new Int32Array(1024);
  private listsUsed = 0;
  /** identical candidate lists (cells along one shared edge) are stored once */
  private readonly listIds = new Map<number | string, number>();

  /** An unlabelled raster: `relabel` labels it window by window, and must cover it before it is read. */
  constructor(
    private readonly grid: RasterGrid,
    private readonly layer: PolygonLayer<unknown>,
  ) {
    // 2 bytes a cell while slots and lists fit (writeWindow widens it when they no longer do)
    this.cells = layer.size >= 2 ** 15 ? new Int32Array(grid.columns * grid.rows) : new Int16Array(grid.columns * grid.rows);
  }

  /** Labels the cells of one window again from the layer as it is now. */
  relabel(window: CellWindow): void {
    this.cells = writeWindow(this.grid, this.cells, window, this.encode(window));
  }

  /** What cell `cell` holds (for `findIn`): a slot, -1, or a candidate list. */
  valueAt(cell: number): number {
    return this.cells[cell]!;
  }

  /** Slot of the polygon containing (x, y), which lies in a cell holding `v` (`valueAt`); -1 for none. */
  findIn(v: number, x: number, y: number): number {
    if (v >= -1) return v;
    const lists = this.lists;
    const at = -v - 2;
    for (let k = at + 1, end = at + 1 + lists[at]!; k < end; k++) {
      if (this.layer.contains(lists[k]!, x, y)) return lists[k]!;
    }
    return -1;
  }

  /** Appends a candidate list; returns where it starts. */
  private addList(slots: readonly number[]): number {
    if (this.listsUsed + slots.length + 1 > this.lists.length) {
      const grown = new Int32Array(Math.max(this.listsUsed + slots.length + 1, this.lists.length * 2));
      grown.set(this.lists);
      this.lists = grown;
    }
    const at = this.listsUsed;
    this.lists[at] = slots.length;
    this.lists.set(slots, at + 1);
    this.listsUsed += slots.length + 1;
    return at;
  }

  /** The cells of a window as stored: slot, -1, or a candidate list. */
  private encode(window: CellWindow): Int32Array {
    const layer = this.layer;
    const slots = layer.search(windowBox(this.grid, window));
    const width = window.i1 - window.i0 + 1;
    const first = new Int32Array(width * (window.j1 - window.j0 + 1)).fill(-1);
    const more = new Map<number, number[]>();
    const labels = labelWindow(
      this.grid,
      window,
      slots.map((slot) => ({ id: slot, geometry: layer.item(slot)!.geometry })),
      (x, y) => layer.findIndex(x, y),
      (at, polygon) => {
        const owner = first[at]!;
        if (owner === -1) first[at] = polygon;
        else if (owner !== polygon) {
          const list = more.get(at);
          if (list === undefined) more.set(at, [polygon]);
          else if (!list.includes(polygon)) list.push(polygon);
        }
      },
    );
    for (let at = 0; at < labels.length; at++) {
      if (labels[at] !== MIXED) continue;
      // the candidates: the polygons touching the cell, and the one holding its centre (often one of them)
      const touching = first[at]!;
      const others = more.get(at);
      const [x, y] = cellCentre(this.grid, window, at);
      let centre = layer.contains(touching, x, y) ? touching : -1;
      if (centre < 0 && others) centre = others.find((slot) => layer.contains(slot, x, y)) ?? -1;
      if (centre < 0) centre = layer.findIndex(x, y);
      // a cell along one edge of one polygon (most MIXED cells) keys its list by the slot alone
      let key: number | string = touching;
      let list: number[] | null = null;
      if (others !== undefined || (centre >= 0 && centre !== touching)) {
        list = [touching, ...(others ?? [])];
        if (centre >= 0 && !list.includes(centre)) list.push(centre);
        list.sort((a, b) => a - b);
        key = list.join(',');
      }
      let id = this.listIds.get(key);
      if (id === undefined) {
        id = this.addList(list ?? [touching]);
        this.listIds.set(key, id);
      }
      labels[at] = -(id + 2);
    }
    return labels;
  }
}
