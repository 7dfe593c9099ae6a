import type { AdminArea, AreaGeometry, Grid } from '../model.js';
import type { Store } from '../store/store.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { changedBox } from '../geo/changed-box.js';
import { CellRaster, gridCovers, OUTSIDE, rasterGrid, windowBox, windowOf, type CellWindow, type RasterGrid } from './cell-raster.js';
import { LayerRaster } from './layer-raster.js';
import { PolygonLayer, type LayerItem } from './polygon-layer.js';

export interface NamedCode {
  code: string;
  name: string;
}

/** What a point resolves to; members are null where nothing contains the point. */
export interface Resolution {
  district: NamedCode | null;
  street: NamedCode | null;
  community: NamedCode | null;
  unitGrid: { code: string } | null;
  socialGrid: { staticCode: string; dynamicCode: string; name: string } | null;
}

const HISTORY_RESOLVERS = 8;
const HISTORY_RASTER_CELLS = 100_000;
/** slots a layer may gain in place before its combination keys run out (then it is rebuilt) */
const SPARE_SLOTS = 64;

/**
 * `make(id)` made once per combination id (-1: outside every area) and kept: what a batch writes
 * for each distinct answer (its bytes, its CSV fields), for one batch.
 */
export function perCombination<T>(make: (id: number) => T): (id: number) => T {
  const made: T[] = [];
  return (id) => (made[id + 1] ??= make(id));
}

/** The answer for points outside every area (shared, never mutated). */
export const NOWHERE: Resolution = Object.freeze({ district: null, street: null, community: null, unitGrid: null, socialGrid: null });

const LEVELS = ['district', 'street', 'community', 'unitGrid', 'socialGrid'] as const;
const UNIT = 3;
const SOCIAL = 4;

/** raster cells labelled in one step of a build */
const BAND_CELLS = 8_192;

export interface ResolverOptions {
  /** false: no rasters (slower lookups, no build cost, for a few lookups); else their size */
  raster?: false | { maxCells?: number; minCellDeg?: number };
  /** leave the rasters to `labelRasters` (PointResolver.inSteps) */
  inSteps?: boolean;
}

/** The five polygon layers: district, street, community, unit grid, social grid. */
function layersOf(areas: readonly AdminArea[], grids: readonly Grid[]): PolygonLayer<unknown>[] {
  const areaLayer = (level: AdminArea['level']) =>
    new PolygonLayer(areas.filter((a) => a.level === level).map((a) => ({ key: a.code, geometry: a.geometry, value: Object.freeze({ code: a.code, name: a.name }) })));
  return [
    areaLayer('district'),
    areaLayer('street'),
    areaLayer('community'),
    new PolygonLayer(grids.filter((g) => g.scheme === 'unit').map(gridItem)),
    new PolygonLayer(grids.filter((g) => g.scheme === 'social').map(gridItem)),
  ];
}

/** What a lookup answers for a grid (frozen: answers share it). */
function gridItem(g: Grid): LayerItem<unknown> {
  const value = g.scheme === 'unit' ? { code: g.code } : { staticCode: g.code, dynamicCode: g.dynamicCode!, name: g.name };
  return { key: g.code, geometry: g.geometry, value: Object.freeze(value) };
}

/**
 * Point → district, street, community, unit grid and social grid, for one set of grid versions.
 * Five polygon layers (flatbush + exact point-in-polygon) answer exactly. Rasters speed them up:
 * one over all layers answers most points with one array read (a cell no edge touches lies in
 * one polygon of every layer), and the cells edges touch have finer cells that answer most of
 * the rest with a second read (cell-raster.ts); in a fine cell an edge touches, a raster per layer
 * answers the layers with no edge there and tests only a short candidate list for the rest
 * (layer-raster.ts), on edge tables that keep each polygon's edges together (edge-table.ts).
 * Results are shared frozen objects, one per distinct combination, so a lookup allocates nothing.
 * Grids change in place (`putGrids`): the polygon layers take the new shapes beside their trees
 * and only the raster cells the old and new boxes cover are labelled again — a redrawn social
 * grid costs about a millisecond instead of a new resolver (~0.6 s).
 */
export class PointResolver {
  private readonly layers: readonly PolygonLayer<unknown>[];
  private readonly grid: RasterGrid | null = null;
  private combined: CellRaster | null = null;
  private readonly perLayer: LayerRaster[] = [];
  /**
   * The combined raster's edge cells hold -(record + 2): a record is the five layer rasters'
   * values at the cell, side by side, so an edge cell costs one more read instead of five
   * scattered ones. Cells along one edge share their record.
   */
  private records = new Int32Array(LEVELS.length * 1024);
  private recordCount = 0;
  private readonly recordIds = new Map<string, number>();
  private readonly combinations: Resolution[] = [];
  /** the slot per layer each combination was made of */
  private readonly combinationSlots: Int32Array[] = [];
  /** per layer, the combinations naming each slot (grid layers only: those change in place) */
  private readonly combinationsOf: Map<number, number[]>[] = LEVELS.map(() => new Map());
  private readonly combinationIds = new Map<number | string, number>();
  /** radix of each layer in the numeric combination key, or null when the key would not fit 2^53 */
  private readonly radix: number[] | null;
  private readonly found: Int32Array;

  /** `raster: false` skips the rasters: slower lookups, no build cost (for a few lookups). */
  constructor(areas: readonly AdminArea[], grids: readonly Grid[], options: ResolverOptions = {}) {
    this.layers = layersOf(areas, grids);
    this.found = new Int32Array(this.layers.length);
    // room for slots added in place: a key stays the same number while the layer grows
    const sizes = this.layers.map((l) => l.size + 1 + SPARE_SLOTS);
    this.radix = sizes.reduce((a, b) => a * b, 1) < 2 ** 53 ? sizes : null;
    const extents = this.layers.map((l) => l.extent).filter((e) => e !== null);
    if (extents.length === 0 || options.raster === false) return;
    const grid = rasterGrid(
      {
        minX: Math.min(...extents.map((e) => e.minX)),
        minY: Math.min(...extents.map((e) => e.minY)),
        maxX: Math.max(...extents.map((e) => e.maxX)),
        maxY: Math.max(...extents.map((e) => e.maxY)),
      },
      options.raster,
    );
    this.grid = grid;
    if (!options.inSteps) for (const _ of this.labelRasters());
  }

  /**
   * A resolver built in steps of a few milliseconds — one band of one raster each — so a server
   * can answer requests between them (a rebuild after an import of areas). It must not be used
   * before the generator returns it.
   */
  static *inSteps(areas: readonly AdminArea[], grids: readonly Grid[], options: Omit<ResolverOptions, 'inSteps'> = {}): Generator<void, PointResolver> {
    const resolver = new PointResolver(areas, grids, { ...options, inSteps: true });
    yield* resolver.labelRasters();
    return resolver;
  }

  /** Makes the rasters (a step each) and labels them band by band (~8,000 cells), yielding after each raster's band. */
  private *labelRasters(): Generator<void> {
    const grid = this.grid;
    if (grid === null) return;
    for (const layer of this.layers) {
      this.perLayer.push(new LayerRaster(grid, layer));
      yield;
    }
    this.combined = new CellRaster(grid);
    yield;
    const rows = Math.max(1, Math.floor(BAND_CELLS / grid.columns));
    for (let j0 = 0; j0 < grid.rows; j0 += rows) {
      const band = { i0: 0, j0, i1: grid.columns - 1, j1: Math.min(grid.rows - 1, j0 + rows - 1) };
      for (const raster of this.perLayer) {
        raster.relabel(band);
        yield;
      }
      this.relabelCombined(band);
      yield;
    }
  }

  /** Labels one window of the raster over all layers again; its class ids are combination ids. */
  private relabelCombined(window: CellWindow): void {
    const near = windowBox(this.grid!, window);
    const geometries: AreaGeometry[] = [];
    for (const layer of this.layers) for (const slot of layer.search(near)) geometries.push(layer.item(slot)!.geometry);
    this.combined!.relabel(
      window,
      geometries,
      (x, y) => this.combinationId(this.exactIndexes(x, y)),
      (cell) => -(this.recordOf(cell) + 2),
    );
  }

  /** The record of the layer rasters' values at a cell (a new one when no cell had them yet). */
  private recordOf(cell: number): number {
    const values = this.perLayer.map((raster) => raster.valueAt(cell));
    const key = values.join(',');
    let id = this.recordIds.get(key);
    if (id === undefined) {
      id = this.recordCount++;
      if (this.records.length < this.recordCount * LEVELS.length) {
        const grown = new Int32Array(this.records.length * 2);
        grown.set(this.records);
        this.records = grown;
      }
      this.records.set(values, id * LEVELS.length);
      this.recordIds.set(key, id);
    }
    return id;
  }

  /** Resolves a WGS84 point. */
  resolve(lng: number, lat: number): Resolution {
    return this.resolution(this.idOf(lng, lat));
  }

  /**
   * Resolves many points without an object per point: `ids[k]` becomes the combination id of
   * point k of `positions` (packed: x, y pairs, as the HTTP body check gives them), -1 outside
   * every area, for k in from … to − 1; `resolution(id)` names it. The CLI and the HTTP batch
   * answers read these, so a batch allocates nothing per point.
   */
  resolveInto(positions: Float64Array, ids: Int32Array, from = 0, to = positions.length >> 1): void {
    for (let k = from; k < to; k++) ids[k] = this.idOf(positions[2 * k]!, positions[2 * k + 1]!);
  }

  /** What combination id `id` (≥ 0) names; the same frozen object for every point with it. */
  resolution(id: number): Resolution {
    return id < 0 ? NOWHERE : this.combinations[id]!;
  }

  /** Combination id of a point, -1 outside every area; `resolution(id)` names it. */
  idOf(lng: number, lat: number): number {
    if (this.combined === null) return this.combinationId(this.exactIndexes(lng, lat));
    const label = this.combined.labelAt(lng, lat);
    if (label >= OUTSIDE) return label;
    // by an edge: the layer rasters' values there, in the cell's record
    const at = (-label - 2) * LEVELS.length;
    const records = this.records;
    const found = this.found;
    for (let n = 0; n < LEVELS.length; n++) found[n] = this.perLayer[n]!.findIn(records[at + n]!, lng, lat);
    return this.combinationId(found);
  }

  /** Share of the covered box answered by raster reads alone (no polygon test). */
  rasterShare(): number {
    return this.combined?.resolvedShare() ?? 0;
  }

  /**
   * Puts grids in place: each `grid` becomes the current shape of its scheme and code (null
   * removes the code). Returns false, changing nothing, when it cannot — a new grid beyond the
   * spare slots, or one reaching off the raster; the caller then builds a new resolver.
   */
  putGrids(changes: readonly { scheme: Grid['scheme']; code: string; grid: Grid | null }[]): boolean {
    const added = [0, 0, 0, 0, 0];
    for (const { scheme, code, grid } of changes) {
      if (grid === null) continue;
      const layer = this.layers[n(scheme)]!;
      if (layer.slot(code) === undefined && this.radix !== null && layer.size + ++added[n(scheme)]! >= this.radix[n(scheme)]!) return false;
      if (this.grid !== null && !gridCovers(this.grid, geometryBox(grid))) return false;
    }
    const boxes: BBox[] = [];
    const changed = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
    for (const { scheme, code, grid } of changes) {
      const layer = this.layers[n(scheme)]!;
      const slot = layer.slot(code);
      const before = slot === undefined ? null : layer.item(slot);
      const put = layer.put(code, grid === null ? null : gridItem(grid));
      if (put.slot >= 0) changed[n(scheme)]!.add(put.slot);
      const box = changedBox(before?.geometry ?? null, grid?.geometry ?? null);
      if (box !== null) boxes.push(box);
    }
    // answers that name a changed grid name its new version
    for (const n of [UNIT, SOCIAL]) {
      for (const slot of changed[n]!) {
        for (const id of this.combinationsOf[n]!.get(slot) ?? []) this.combinations[id] = this.resolutionOf(this.combinationSlots[id]!);
      }
    }
    if (this.grid === null || this.combined === null) return true;
    for (const window of mergedWindows(this.grid, boxes)) {
      // the layers first: the combined raster's edge cells record their values
      for (let n = 0; n < this.layers.length; n++) if (changed[n]!.size > 0) this.perLayer[n]!.relabel(window);
      this.relabelCombined(window);
    }
    return true;
  }

  private exactIndexes(x: number, y: number): Int32Array {
    for (let n = 0; n < this.layers.length; n++) this.found[n] = this.layers[n]!.findIndex(x, y);
    return this.found;
  }

  private key(found: Int32Array): number | string {
    if (this.radix === null) return found.join(',');
    let key = 0;
    for (let n = 0; n < found.length; n++) key = key * this.radix[n]! + found[n]! + 1;
    return key;
  }

  /** Id of the shared result for one polygon slot per layer (-1: none), OUTSIDE (-1) for none at all. */
  private combinationId(found: Int32Array): number {
    const key = this.key(found);
    if (key === 0) return OUTSIDE;
    let id = this.combinationIds.get(key);
    if (id === undefined) {
      const slots = Int32Array.from(found);
      this.combinationSlots.push(slots);
      id = this.combinations.push(this.resolutionOf(slots)) - 1;
      this.combinationIds.set(key, id);
      for (const n of [UNIT, SOCIAL]) {
        if (slots[n]! < 0) continue;
        const ids = this.combinationsOf[n]!.get(slots[n]!);
        if (ids) ids.push(id);
        else this.combinationsOf[n]!.set(slots[n]!, [id]);
      }
    }
    return id;
  }

  private resolutionOf(slots: Int32Array): Resolution {
    const resolution = Object.fromEntries(LEVELS.map((level, n) => [level, slots[n]! < 0 ? null : (this.layers[n]!.item(slots[n]!)?.value ?? null)]));
    return Object.freeze(resolution) as unknown as Resolution;
  }
}

function geometryBox(grid: Grid): BBox {
  return geometryBBox(grid.geometry);
}

/** The layer of a grid scheme. */
const n = (scheme: Grid['scheme']): number => (scheme === 'unit' ? UNIT : SOCIAL);

/**
 * The raster windows covering some boxes: boxes whose windows meet are merged (a redraw's old
 * and new shapes and its neighbours' overlap), so no cell is labelled twice.
 */
function mergedWindows(grid: RasterGrid, boxes: readonly BBox[]): CellWindow[] {
  const windows = boxes.map((b) => windowOf(grid, b));
  for (let merged = true; merged; ) {
    merged = false;
    for (let a = 0; a < windows.length && !merged; a++) {
      for (let b = a + 1; b < windows.length; b++) {
        const p = windows[a]!;
        const q = windows[b]!;
        if (p.i0 > q.i1 || q.i0 > p.i1 || p.j0 > q.j1 || q.j0 > p.j1) continue;
        windows[a] = { i0: Math.min(p.i0, q.i0), j0: Math.min(p.j0, q.j0), i1: Math.max(p.i1, q.i1), j1: Math.max(p.j1, q.j1) };
        windows.splice(b, 1);
        merged = true;
        break;
      }
    }
  }
  return windows;
}

/**
 * Reverse geocoding over the stored history: the current grid versions answer by default,
 * `at` answers with the versions valid that day. Versions only change on the dates where some
 * version starts or ends, so resolvers are cached per interval between those dates.
 * New and changed versions are taken in place (`putVersions`): the current resolver changes
 * only where the grids did, and cached resolvers of intervals the change reaches are dropped.
 */
export class ReverseGeocoder {
  private readonly areas: readonly AdminArea[];
  /** every version of every grid, by `scheme:code` */
  private readonly history = new Map<string, Grid[]>();
  /** how many versions start or end on each date */
  private readonly dateUses = new Map<string, number>();
  /** sorted distinct valid_from / valid_to dates */
  private changeDates: readonly string[];
  /** by interval, `${first day}|${day after the last}` */
  private readonly resolvers = new Map<string, PointResolver>();
  private current: PointResolver;

  /** @param current the resolver of the current versions, when built already (`inSteps`) */
  constructor(areas: readonly AdminArea[], versions: readonly Grid[], current?: PointResolver) {
    this.areas = areas;
    for (const v of versions) this.add(v);
    this.changeDates = [...this.dateUses.keys()].sort();
    this.current = current ?? new PointResolver(areas, versions.filter((v) => v.validTo === null));
  }

  static fromStore(store: Store): ReverseGeocoder {
    return new ReverseGeocoder([...store.iterate('areas')], [...store.iterateGridVersions()]);
  }

  /**
   * A geocoder over the store as it is from the first step on, built in steps of a few
   * milliseconds (see PointResolver.inSteps). The first step reads the areas; grid versions are
   * read a page a step, so the caller must replay the grid versions written after the first step.
   */
  static *inSteps(store: Store): Generator<void, ReverseGeocoder> {
    const areas = [...store.iterate('areas')];
    yield;
    const versions: Grid[] = [];
    for (const page of store.gridVersionPages()) {
      versions.push(...page);
      yield;
    }
    // the order fromStore reads them in, so both build the same resolver
    versions.sort((a, b) => (a.scheme !== b.scheme ? (a.scheme > b.scheme ? -1 : 1) : a.code !== b.code ? (a.code < b.code ? -1 : 1) : a.validFrom < b.validFrom ? -1 : 1));
    const current = yield* PointResolver.inSteps(areas, versions.filter((v) => v.validTo === null));
    return new ReverseGeocoder(areas, versions, current);
  }

  /** Resolves a WGS84 point against the versions valid on `at` (YYYY-MM-DD), current by default. */
  resolve(lng: number, lat: number, at?: string): Resolution {
    return this.resolverAt(at).resolve(lng, lat);
  }

  /**
   * Takes grid versions in place, each new or replacing the stored version of its scheme, code
   * and valid_from (a version closed by a newer one comes again with its valid_to). The current
   * resolver changes where the grids did; resolvers of past intervals the change reaches are
   * dropped and built again when asked for.
   */
  putVersions(changed: readonly Grid[]): void {
    if (changed.length === 0) return;
    let datesChanged = false;
    let from = changed[0]!.validFrom;
    for (const version of changed) datesChanged = this.add(version) || datesChanged;
    for (const version of changed) if (version.validFrom < from) from = version.validFrom;
    const touched = new Map(changed.map((v) => [`${v.scheme}:${v.code}`, { scheme: v.scheme, code: v.code, grid: null as Grid | null }]));
    for (const [key, t] of touched) t.grid = this.history.get(key)!.find((v) => v.validTo === null) ?? null;
    if (!this.current.putGrids([...touched.values()])) this.current = new PointResolver(this.areas, this.allVersions().filter((v) => v.validTo === null));
    if (datesChanged) this.changeDates = [...this.dateUses.keys()].sort();
    // an interval that ends on or before the first day the change reaches answers as before
    for (const key of [...this.resolvers.keys()]) if (key.slice(key.indexOf('|') + 1) > from) this.resolvers.delete(key);
  }

  /** The resolver for a date, built on first use; the current one when nothing changed since. */
  resolverAt(at?: string): PointResolver {
    if (at === undefined) return this.current;
    // the interval index: how many change dates are on or before `at`
    let interval = 0;
    while (interval < this.changeDates.length && this.changeDates[interval]! <= at) interval++;
    // on or after the last change, the versions valid are the current ones
    if (interval === this.changeDates.length) return this.current;
    const key = `${this.changeDates[interval - 1] ?? ''}|${this.changeDates[interval]!}`;
    let resolver = this.resolvers.get(key);
    if (resolver === undefined) {
      const valid = this.allVersions().filter((v) => v.validFrom <= at && (v.validTo === null || v.validTo > at));
      // history is asked for far less than the present: a small raster builds in a fraction of the time
      resolver = new PointResolver(this.areas, valid, { raster: { maxCells: HISTORY_RASTER_CELLS } });
      if (this.resolvers.size >= HISTORY_RESOLVERS) this.resolvers.delete(this.resolvers.keys().next().value!);
    } else {
      this.resolvers.delete(key);
    }
    // least recently used first, so the eviction above drops the date asked for longest ago
    this.resolvers.set(key, resolver);
    return resolver;
  }

  private allVersions(): Grid[] {
    return [...this.history.values()].flat();
  }

  /** Adds a version, or replaces the one of its grid with the same valid_from; true when a date came or went. */
  private add(version: Grid): boolean {
    const key = `${version.scheme}:${version.code}`;
    let versions = this.history.get(key);
    if (versions === undefined) this.history.set(key, (versions = []));
    const k = versions.findIndex((v) => v.validFrom === version.validFrom);
    let changed = false;
    if (k >= 0) {
      changed = this.useDates(versions[k]!, -1);
      versions[k] = version;
    } else {
      versions.push(version);
    }
    return this.useDates(version, 1) || changed;
  }

  private useDates(version: Grid, by: 1 | -1): boolean {
    let changed = false;
    for (const date of version.validTo === null ? [version.validFrom] : [version.validFrom, version.validTo]) {
      const uses = (this.dateUses.get(date) ?? 0) + by;
      if (uses === 0) this.dateUses.delete(date), (changed = true);
      else {
        if (uses === 1 && by === 1) changed = true;
        this.dateUses.set(date, uses);
      }
    }
    return changed;
  }
}

