import type { Position } from 'geojson';
import type { BBox } from '../geo/bbox.js';
import type { AreaGeometry } from '../model.js';

/** Raster values besides a class id: no polygon edge crosses the cell, yet it lies in no polygon … */
export const OUTSIDE = -1;
/** … or some polygon edge touches the cell, so points in it need the exact test. */
export const MIXED = -2;

/** Where a raster sits and how fine it is; rasters sharing one can be read with the same cell index. */
export interface RasterGrid {
  minX: number;
  minY: number;
  size: number;
  columns: number;
  rows: number;
}

/** A grid of about `maxCells` cells (never finer than `minCellDeg`, ~5 m at Beijing) over `extent`. */
export function rasterGrid(extent: BBox, { maxCells = 1_000_000, minCellDeg = 0.00005 } = {}): RasterGrid {
  const width = Math.max(extent.maxX - extent.minX, 1e-9);
  const height = Math.max(extent.maxY - extent.minY, 1e-9);
  const size = Math.max(minCellDeg, Math.sqrt((width * height) / maxCells));
  return { minX: extent.minX, minY: extent.minY, size, columns: Math.max(1, Math.ceil(width / size)), rows: Math.max(1, Math.ceil(height / size)) };
}

/**
 * A lookup raster over several polygon layers. Every cell that a polygon edge touches is MIXED;
 * the rest is split into connected regions of untouched cells, each of which lies inside the
 * same polygon of every layer, so one exact point-in-polygon test per region labels all its
 * cells. Most points then resolve with one array read; the rest fall back to the exact test.
 * Exactness: cell indexes come from one monotonic function, and an edge marks every cell its
 * bounding box touches, so a point on an edge always lands in a MIXED cell.
 */
export class CellRaster {
  readonly columns: number;
  readonly rows: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly inverseSize: number;
  cells: Int16Array | Int32Array;

  /**
   * @param grid where the raster lies and its cell size (see `rasterGrid`)
   * @param classify the class id of a point strictly inside a region (same for the whole region), or OUTSIDE
   * @param classCount upper bound of class ids: below 2^15 the raster takes 2 bytes a cell, else 4
   * @param onTouch called for every cell an edge of geometry number `geometry` marks
   */
  constructor(
    grid: RasterGrid,
    geometries: Iterable<AreaGeometry>,
    classify: (x: number, y: number) => number,
    classCount: number,
    onTouch?: (cell: number, geometry: number) => void,
  ) {
    this.columns = grid.columns;
    this.rows = grid.rows;
    this.minX = grid.minX;
    this.minY = grid.minY;
    this.inverseSize = 1 / grid.size;
    const size = grid.size;
    // smaller cells keep more of the raster in the processor cache, which is what lookups wait on
    this.cells = (classCount < 2 ** 15 ? new Int16Array(this.columns * this.rows) : new Int32Array(this.columns * this.rows)).fill(OUTSIDE);
    let n = 0;
    for (const geometry of geometries) this.markEdges(geometry, n++, onTouch);
    this.labelRegions(size, classify);
    // the class count was only a bound: keep 2 bytes a cell when the ids turned out small
    if (this.cells instanceof Int32Array && this.cells.every((v) => v < 2 ** 15)) this.cells = Int16Array.from(this.cells);
  }

  /** Index of the cell holding the point, -1 off the raster; the same for every raster of one grid. */
  cellIndex(x: number, y: number): number {
    const i = Math.floor((x - this.minX) * this.inverseSize);
    const j = Math.floor((y - this.minY) * this.inverseSize);
    if (i < 0 || j < 0 || i >= this.columns || j >= this.rows) return -1;
    return j * this.columns + i;
  }

  /** Share of cells that resolve without the exact test (for the bench and the README). */
  resolvedShare(): number {
    let mixed = 0;
    for (const v of this.cells) if (v === MIXED) mixed++;
    return 1 - mixed / this.cells.length;
  }

  private column(x: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((x - this.minX) * this.inverseSize)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) * this.inverseSize)));
  }

  /** Centre of a cell, in the raster's coordinates. */
  cellCentre(cell: number): [number, number] {
    const i = cell % this.columns;
    const j = (cell - i) / this.columns;
    return [this.minX + (i + 0.5) / this.inverseSize, this.minY + (j + 0.5) / this.inverseSize];
  }

  private markEdges(geometry: AreaGeometry, n: number, onTouch?: (cell: number, geometry: number) => void): void {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const rings of polygons) for (const ring of rings) this.markRing(ring, n, onTouch);
  }

  private markRing(ring: Position[], n: number, onTouch?: (cell: number, geometry: number) => void): void {
    for (let k = 0; k < ring.length - 1; k++) {
      const [ax, ay] = ring[k] as [number, number];
      const [bx, by] = ring[k + 1] as [number, number];
      const i0 = this.column(Math.min(ax, bx));
      const i1 = this.column(Math.max(ax, bx));
      const j0 = this.row(Math.min(ay, by));
      const j1 = this.row(Math.max(ay, by));
      for (let j = j0; j <= j1; j++) {
        this.cells.fill(MIXED, j * this.columns + i0, j * this.columns + i1 + 1);
        if (onTouch) for (let i = i0; i <= i1; i++) onTouch(j * this.columns + i, n);
      }
    }
  }

  private labelRegions(size: number, classify: (x: number, y: number) => number): void {
    const { columns, rows, cells } = this;
    const UNSEEN = OUTSIDE;
    // labels are written as class ids, so a region is "seen" once its first cell is labelled;
    // track visits separately because a class id may equal OUTSIDE
    const visited = new Uint8Array(cells.length);
    const stack = new Int32Array(cells.length);
    for (let start = 0; start < cells.length; start++) {
      if (visited[start] || cells[start] !== UNSEEN) continue;
      const i = start % columns;
      const j = (start - i) / columns;
      const label = classify(this.minX + (i + 0.5) * size, this.minY + (j + 0.5) * size);
      let top = 0;
      stack[top++] = start;
      visited[start] = 1;
      while (top > 0) {
        const cell = stack[--top]!;
        cells[cell] = label;
        const ci = cell % columns;
        if (ci > 0 && !visited[cell - 1] && cells[cell - 1] !== MIXED) (visited[cell - 1] = 1), (stack[top++] = cell - 1);
        if (ci < columns - 1 && !visited[cell + 1] && cells[cell + 1] !== MIXED) (visited[cell + 1] = 1), (stack[top++] = cell + 1);
        if (cell >= columns && !visited[cell - columns] && cells[cell - columns] !== MIXED) (visited[cell - columns] = 1), (stack[top++] = cell - columns);
        if (cell < (rows - 1) * columns && !visited[cell + columns] && cells[cell + columns] !== MIXED) (visited[cell + columns] = 1), (stack[top++] = cell + columns);
      }
    }
  }
}
