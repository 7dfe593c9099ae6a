import { pointInPolygon } from '../geo/pip.js';
import { CellRaster, MIXED, OUTSIDE, type RasterGrid } from './cell-raster.js';
import type { PolygonLayer } from './polygon-layer.js';

/**
 * One polygon layer on a raster: a cell holds the polygon containing all of it, OUTSIDE, or a
 * short candidate list — the polygons whose edges touch the cell plus the one containing its
 * centre. A polygon containing a point of the cell either touches the cell with an edge or
 * contains the whole cell (and so its centre), so testing the candidates is exact.
 */
export class LayerRaster {
  /** ≥ 0 polygon index, -1 none, ≤ -2 candidate list -(v + 2) */
  private readonly cells: Int16Array | Int32Array;
  private readonly lists: Int32Array[];
  private readonly layer: PolygonLayer<unknown>;

  constructor(grid: RasterGrid, layer: PolygonLayer<unknown>) {
    this.layer = layer;
    const first = new Int32Array(grid.columns * grid.rows).fill(-1);
    const more = new Map<number, number[]>();
    const raster = new CellRaster(
      grid,
      layer.items.map((item) => item.geometry),
      (x, y) => layer.findIndex(x, y),
      layer.items.length,
      (cell, polygon) => {
        const owner = first[cell]!;
        if (owner === -1) first[cell] = polygon;
        else if (owner !== polygon) {
          const list = more.get(cell);
          if (list === undefined) more.set(cell, [polygon]);
          else if (!list.includes(polygon)) list.push(polygon);
        }
      },
    );
    // identical candidate lists (cells along one shared edge) are stored once
    const listIds = new Map<string, number>();
    this.lists = [];
    const cells = new Int32Array(raster.cells.length);
    for (let cell = 0; cell < cells.length; cell++) {
      const v = raster.cells[cell]!;
      if (v !== MIXED) {
        cells[cell] = v === OUTSIDE ? -1 : v;
        continue;
      }
      const candidates = new Set([first[cell]!, ...(more.get(cell) ?? [])]);
      const centre = layer.findIndex(...raster.cellCentre(cell));
      if (centre >= 0) candidates.add(centre);
      const list = [...candidates].sort((a, b) => a - b);
      const key = list.join(',');
      let id = listIds.get(key);
      if (id === undefined) {
        id = this.lists.push(Int32Array.from(list)) - 1;
        listIds.set(key, id);
      }
      cells[cell] = -(id + 2);
    }
    const wide = layer.items.length >= 2 ** 15 || this.lists.length + 2 >= 2 ** 15;
    this.cells = wide ? cells : Int16Array.from(cells);
  }

  /** Index of the polygon containing (x, y), which lies in raster cell `cell`; -1 for none. */
  find(cell: number, x: number, y: number): number {
    const v = this.cells[cell]!;
    if (v >= -1) return v;
    const list = this.lists[-v - 2]!;
    for (let k = 0; k < list.length; k++) {
      if (pointInPolygon(x, y, this.layer.items[list[k]!]!.geometry)) return list[k]!;
    }
    return -1;
  }
}
