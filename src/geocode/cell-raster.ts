import type { Position } from 'geojson';
import type { BBox } from '../geo/bbox.js';
import type { AreaGeometry } from '../model.js';

/** Raster values besides a class id: no polygon edge crosses the cell, yet it lies in no polygon … */
export const OUTSIDE = -1;
/** … or some polygon edge touches the cell, so points in it need the exact test. */
export const MIXED = -2;
/** a cell of a window not labelled yet (never left in a result) */
const UNLABELLED = -3;

/** Where a raster sits and how fine it is; rasters sharing one can be read with the same cell index. */
export interface RasterGrid {
  minX: number;
  minY: number;
  size: number;
  columns: number;
  rows: number;
}

/** A rectangle of cells, columns i0–i1 and rows j0–j1 inclusive. */
export interface CellWindow {
  i0: number;
  j0: number;
  i1: number;
  j1: number;
}

/** A grid of about `maxCells` cells (never finer than `minCellDeg`, ~5 m at Beijing) over `extent`. */
export function rasterGrid(extent: BBox, { maxCells = 1_000_000, minCellDeg = 0.00005 } = {}): RasterGrid {
  const width = Math.max(extent.maxX - extent.minX, 1e-9);
  const height = Math.max(extent.maxY - extent.minY, 1e-9);
  const size = Math.max(minCellDeg, Math.sqrt((width * height) / maxCells));
  return { minX: extent.minX, minY: extent.minY, size, columns: Math.max(1, Math.ceil(width / size)), rows: Math.max(1, Math.ceil(height / size)) };
}

/** Column of x, clamped to the raster: one monotonic function, so an edge and a point on it agree. */
function column(grid: RasterGrid, inverseSize: number, x: number): number {
  return Math.min(grid.columns - 1, Math.max(0, Math.floor((x - grid.minX) * inverseSize)));
}

function row(grid: RasterGrid, inverseSize: number, y: number): number {
  return Math.min(grid.rows - 1, Math.max(0, Math.floor((y - grid.minY) * inverseSize)));
}

/** The cells a box touches (clamped to the raster). */
export function windowOf(grid: RasterGrid, box: BBox): CellWindow {
  const inverseSize = 1 / grid.size;
  return { i0: column(grid, inverseSize, box.minX), j0: row(grid, inverseSize, box.minY), i1: column(grid, inverseSize, box.maxX), j1: row(grid, inverseSize, box.maxY) };
}

/** The world box of a window's cells, grown by a cell on every side (so rounding never loses an edge). */
export function windowBox(grid: RasterGrid, w: CellWindow): BBox {
  return {
    minX: grid.minX + (w.i0 - 1) * grid.size,
    minY: grid.minY + (w.j0 - 1) * grid.size,
    maxX: grid.minX + (w.i1 + 2) * grid.size,
    maxY: grid.minY + (w.j1 + 2) * grid.size,
  };
}

/** Whether a box lies inside the raster (a polygon reaching beyond it needs a new raster). */
export function gridCovers(grid: RasterGrid, box: BBox): boolean {
  return box.minX >= grid.minX && box.minY >= grid.minY && box.maxX <= grid.minX + grid.columns * grid.size && box.maxY <= grid.minY + grid.rows * grid.size;
}

/** Centre of the cell at place `at` of a window's labels, in world coordinates. */
export function cellCentre(grid: RasterGrid, window: CellWindow, at: number): [number, number] {
  const width = window.i1 - window.i0 + 1;
  const i = at % width;
  const j = (at - i) / width;
  return [grid.minX + (window.i0 + i + 0.5) * grid.size, grid.minY + (window.j0 + j + 0.5) * grid.size];
}

/**
 * Labels the cells of one window of a raster over some polygons: every cell a polygon edge
 * touches is MIXED; the rest is split into connected regions of untouched cells, each of which
 * lies inside the same polygon of every layer, so one exact point-in-polygon test per region
 * labels all its cells. A region cut by the window's border is still connected and untouched,
 * so labelling a window alone gives the cells the same answers as labelling the whole raster:
 * that is what lets a changed polygon relabel only the cells its old and new boxes cover.
 * Exactness: cell indexes come from one monotonic function, and an edge marks, row by row, the
 * cells its x-range in that row (widened by a margin far above rounding) touches, so a point on an
 * edge always lands in a MIXED cell.
 *
 * @param geometries every polygon whose edges may touch the window (more is harmless), with the number `onTouch` reports
 * @param classify the class id of a point strictly inside a region (same for the whole region), or OUTSIDE
 * @param onTouch called for every cell of the window an edge of polygon `id` marks (`at`: its place in the result)
 * @param into an array to label into, reused between windows (a raster's fine cells are labelled
 *   band by band: a new pair of arrays a band made the collector sweep ~40 % of a build)
 * @returns the labels, row by row over the window (`into` when given, at least as long)
 */
/** the flood fill's stack, shared by every call (it is empty between them) */
let floodStack = new Int32Array(0);

export function labelWindow(
  grid: RasterGrid,
  window: CellWindow,
  geometries: Iterable<{ id: number; geometry: AreaGeometry }>,
  classify: (x: number, y: number) => number,
  onTouch?: (at: number, id: number) => void,
  into?: Int32Array,
): Int32Array {
  const width = window.i1 - window.i0 + 1;
  const height = window.j1 - window.j0 + 1;
  const labels = into ?? new Int32Array(width * height);
  labels.fill(UNLABELLED, 0, width * height);
  const inverseSize = 1 / grid.size;
  for (const { id, geometry } of geometries) {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    for (const rings of polygons) for (const ring of rings) markRing(grid, inverseSize, window, width, labels, ring, id, onTouch);
  }
  // a flood fill per region; a cell is labelled when pushed, so the label marks it as seen
  if (floodStack.length < width * height) floodStack = new Int32Array(width * height);
  const stack = floodStack;
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== UNLABELLED) continue;
    const si = start % width;
    const sj = (start - si) / width;
    const label = classify(grid.minX + (window.i0 + si + 0.5) * grid.size, grid.minY + (window.j0 + sj + 0.5) * grid.size);
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const cell = stack[--top]!;
      const ci = cell % width;
      if (ci > 0 && labels[cell - 1] === UNLABELLED) (labels[cell - 1] = label), (stack[top++] = cell - 1);
      if (ci < width - 1 && labels[cell + 1] === UNLABELLED) (labels[cell + 1] = label), (stack[top++] = cell + 1);
      if (cell >= width && labels[cell - width] === UNLABELLED) (labels[cell - width] = label), (stack[top++] = cell - width);
      if (cell < (height - 1) * width && labels[cell + width] === UNLABELLED) (labels[cell + width] = label), (stack[top++] = cell + width);
    }
  }
  return labels;
}

function markRing(
  grid: RasterGrid,
  inverseSize: number,
  w: CellWindow,
  width: number,
  labels: Int32Array,
  ring: Position[],
  id: number,
  onTouch?: (at: number, id: number) => void,
): void {
  // rounding in the row's x-range is far below this margin, so no cell the edge crosses is missed
  const margin = grid.size * 1e-6;
  for (let k = 0; k < ring.length - 1; k++) {
    const [ax, ay] = ring[k] as [number, number];
    const [bx, by] = ring[k + 1] as [number, number];
    const loX = Math.min(ax, bx);
    const hiX = Math.max(ax, bx);
    if (Math.max(w.i0, column(grid, inverseSize, loX)) > Math.min(w.i1, column(grid, inverseSize, hiX))) continue;
    const loY = Math.min(ay, by);
    const hiY = Math.max(ay, by);
    const j0 = Math.max(w.j0, row(grid, inverseSize, loY));
    const j1 = Math.min(w.j1, row(grid, inverseSize, hiY));
    const slope = ay === by ? 0 : (bx - ax) / (by - ay);
    for (let j = j0; j <= j1; j++) {
      // the edge's x-range within this row (a slanted edge crosses a few cells a row, not its whole box)
      let x0 = loX;
      let x1 = hiX;
      if (ay !== by) {
        const y0 = Math.max(loY, grid.minY + j * grid.size - margin);
        const y1 = Math.min(hiY, grid.minY + (j + 1) * grid.size + margin);
        const xa = ax + (y0 - ay) * slope;
        const xb = ax + (y1 - ay) * slope;
        x0 = Math.max(loX, Math.min(xa, xb) - margin);
        x1 = Math.min(hiX, Math.max(xa, xb) + margin);
      }
      const i0 = Math.max(w.i0, column(grid, inverseSize, x0));
      const i1 = Math.min(w.i1, column(grid, inverseSize, x1));
      if (i0 > i1) continue;
      const at = (j - w.j0) * width - w.i0;
      labels.fill(MIXED, at + i0, at + i1 + 1);
      if (onTouch) for (let i = i0; i <= i1; i++) onTouch(at + i, id);
    }
  }
}

/** Copies a window's labels into a raster's cells, widening 2-byte cells to 4 when a label needs it; returns the cells. */
export function writeWindow(
  grid: RasterGrid,
  cells: Int16Array | Int32Array,
  window: CellWindow,
  labels: ArrayLike<number>,
): Int16Array | Int32Array {
  const width = window.i1 - window.i0 + 1;
  if (cells instanceof Int16Array) {
    for (let k = 0; k < labels.length; k++) {
      if (labels[k]! >= 2 ** 15 || labels[k]! < -(2 ** 15)) {
        cells = Int32Array.from(cells);
        break;
      }
    }
  }
  for (let j = window.j0; j <= window.j1; j++) {
    const from = (j - window.j0) * width;
    const to = j * grid.columns + window.i0;
    for (let k = 0; k < width; k++) cells[to + k] = labels[from + k]!;
  }
  return cells;
}

/** Fine cells a side of one cell of a `CellRaster`. */
const SUB = 4;

/**
 * A lookup raster over several polygon layers (see `labelWindow`) in two levels: a cell holds the
 * class id of the region it lies in, OUTSIDE, or MIXED where an edge touches it; a MIXED cell has
 * SUB × SUB fine cells labelled the same way, so most points by an edge still resolve with a
 * read or two, and only those in fine cells an edge touches need the exact test. The cells stay
 * 2 bytes while class ids fit (the processor cache holds more of them, which is what lookups wait
 * on); the fine cells sit apart, read only beside edges. It is labelled window by window: bands of
 * rows when built, the cells around a changed polygon afterwards.
 *
 * Exactness across the levels: a point's fine cell is found by the fine grid's own function and
 * kept within its cell's block; where rounding puts the two functions an ulp apart, the fine cell
 * read is a neighbour of the point's, and an edge within the marking margin would have made that
 * neighbour MIXED — so a clean neighbour answers the point rightly too.
 */
export class CellRaster {
  private readonly grid: RasterGrid;
  private readonly fine: RasterGrid;
  private readonly inverseSize: number;
  private readonly fineInverseSize: number;
  private cells: Int16Array | Int32Array;
  /** per MIXED cell, where its SUB × SUB fine labels start in `fineCells` */
  private readonly blockOf: Int32Array;
  /** fine labels, row by row per block: class id, OUTSIDE, or what `relabel`'s `mixed` gave */
  private fineCells = new Int32Array(SUB * SUB * 1024);
  private blocksUsed = 0;
  /** blocks of cells relabelled since, for reuse */
  private readonly freeBlocks: number[] = [];
  /** where a window's fine cells are labelled (kept: bands one after another) */
  private fineScratch = new Int32Array(0);

  /** An unlabelled raster: `relabel` labels it window by window, and must cover it before it is read. */
  constructor(grid: RasterGrid) {
    this.grid = grid;
    this.fine = { minX: grid.minX, minY: grid.minY, size: grid.size / SUB, columns: grid.columns * SUB, rows: grid.rows * SUB };
    this.inverseSize = 1 / grid.size;
    this.fineInverseSize = 1 / this.fine.size;
    this.cells = new Int16Array(grid.columns * grid.rows);
    this.blockOf = new Int32Array(grid.columns * grid.rows).fill(-1);
  }

  /**
   * Labels one window again (after polygons in it changed); `geometries` are all that may touch it.
   * `mixed` gives the label of the fine cells an edge touches in cell `cell` (by its index), ≤ MIXED.
   */
  relabel(window: CellWindow, geometries: Iterable<AreaGeometry>, classify: (x: number, y: number) => number, mixed: (cell: number) => number): void {
    const fineWindow = { i0: window.i0 * SUB, j0: window.j0 * SUB, i1: window.i1 * SUB + SUB - 1, j1: window.j1 * SUB + SUB - 1 };
    const fineCount = (window.i1 - window.i0 + 1) * (window.j1 - window.j0 + 1) * SUB * SUB;
    if (this.fineScratch.length < fineCount) this.fineScratch = new Int32Array(fineCount);
    const fineLabels = labelWindow(this.fine, fineWindow, numbered(geometries), classify, undefined, this.fineScratch);
    const width = window.i1 - window.i0 + 1;
    const fineWidth = width * SUB;
    // where fine cell b (row by row within its cell) lies from the cell's first fine cell
    const offsets = Int32Array.from({ length: SUB * SUB }, (_, b) => Math.floor(b / SUB) * fineWidth + (b % SUB));
    const labels = new Int32Array(width * (window.j1 - window.j0 + 1));
    for (let at = 0; at < labels.length; at++) {
      const i = at % width;
      const j = (at - i) / width;
      const cell = (window.j0 + j) * this.grid.columns + window.i0 + i;
      if (this.blockOf[cell]! >= 0) {
        this.freeBlocks.push(this.blockOf[cell]!);
        this.blockOf[cell] = -1;
      }
      const first = j * SUB * fineWidth + i * SUB;
      const label = fineLabels[first]!;
      let same = label !== MIXED;
      for (let b = 0; b < SUB * SUB && same; b++) same = fineLabels[first + offsets[b]!] === label;
      if (same) {
        labels[at] = label;
        continue;
      }
      labels[at] = MIXED;
      const block = this.newBlock();
      this.blockOf[cell] = block;
      const edge = mixed(cell);
      for (let b = 0; b < SUB * SUB; b++) {
        const fineLabel = fineLabels[first + offsets[b]!]!;
        this.fineCells[block + b] = fineLabel === MIXED ? edge : fineLabel;
      }
    }
    this.cells = writeWindow(this.grid, this.cells, window, labels);
  }

  /**
   * What the raster holds for a point: the class id of its region, OUTSIDE (also off the raster:
   * it covers every polygon), or — in a fine cell an edge touches — the label `relabel`'s `mixed`
   * gave its cell.
   */
  labelAt(x: number, y: number): number {
    const grid = this.grid;
    const i = Math.floor((x - grid.minX) * this.inverseSize);
    const j = Math.floor((y - grid.minY) * this.inverseSize);
    if (i < 0 || j < 0 || i >= grid.columns || j >= grid.rows) return OUTSIDE;
    const cell = j * grid.columns + i;
    const label = this.cells[cell]!;
    if (label !== MIXED) return label;
    const fi = Math.min(SUB - 1, Math.max(0, Math.floor((x - grid.minX) * this.fineInverseSize) - i * SUB));
    const fj = Math.min(SUB - 1, Math.max(0, Math.floor((y - grid.minY) * this.fineInverseSize) - j * SUB));
    return this.fineCells[this.blockOf[cell]! + fj * SUB + fi]!;
  }

  /** Share of the raster's area that resolves without the exact test (for the bench and the README). */
  resolvedShare(): number {
    let mixed = 0;
    for (let cell = 0; cell < this.cells.length; cell++) {
      if (this.cells[cell] !== MIXED) continue;
      const block = this.blockOf[cell]!;
      for (let b = 0; b < SUB * SUB; b++) if (this.fineCells[block + b]! <= MIXED) mixed += 1 / (SUB * SUB);
    }
    return 1 - mixed / this.cells.length;
  }

  private newBlock(): number {
    const reused = this.freeBlocks.pop();
    if (reused !== undefined) return reused;
    const block = this.blocksUsed * SUB * SUB;
    this.blocksUsed++;
    if (this.fineCells.length < this.blocksUsed * SUB * SUB) {
      const grown = new Int32Array(this.fineCells.length * 2);
      grown.set(this.fineCells);
      this.fineCells = grown;
    }
    return block;
  }
}

function* numbered(geometries: Iterable<AreaGeometry>): Generator<{ id: number; geometry: AreaGeometry }> {
  let id = 0;
  for (const geometry of geometries) yield { id: id++, geometry };
}
