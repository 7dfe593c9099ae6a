import type { AdminArea, Grid } from '../model.js';
import type { Store } from '../store/store.js';
import { CellRaster, OUTSIDE, rasterGrid } from './cell-raster.js';
import { LayerRaster } from './layer-raster.js';
import { PolygonLayer } from './polygon-layer.js';

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

/** The answer for points outside every area (shared, never mutated). */
export const NOWHERE: Resolution = Object.freeze({ district: null, street: null, community: null, unitGrid: null, socialGrid: null });

const LEVELS = ['district', 'street', 'community', 'unitGrid', 'socialGrid'] as const;

/**
 * Point → district, street, community, unit grid and social grid, for one set of grid versions.
 * Five polygon layers (flatbush + exact point-in-polygon) answer exactly. Rasters speed them up:
 * one over all layers answers most points with one array read (a cell no edge touches lies in
 * one polygon of every layer); where edges touch a cell, a raster per layer answers the layers
 * with no edge there and tests only a short candidate list for the rest (layer-raster.ts).
 * Results are shared frozen objects, one per distinct combination, so a lookup allocates nothing.
 */
export class PointResolver {
  private readonly layers: readonly PolygonLayer<unknown>[];
  private readonly combined: CellRaster | null = null;
  private readonly perLayer: readonly LayerRaster[] = [];
  private readonly combinations: Resolution[] = [];
  private readonly combinationIds = new Map<number | string, number>();
  /** radix of each layer in the numeric combination key, or null when the key would not fit 2^53 */
  private readonly radix: number[] | null;
  private readonly found: Int32Array;

  /** `raster: false` skips the rasters: slower lookups, no build cost (for a few lookups). */
  constructor(
    areas: readonly AdminArea[],
    grids: readonly Grid[],
    { raster = {} }: { raster?: false | { maxCells?: number; minCellDeg?: number } } = {},
  ) {
    const areaLayer = (level: AdminArea['level']) =>
      new PolygonLayer(
        areas.filter((a) => a.level === level).map((a) => ({ geometry: a.geometry, value: Object.freeze({ code: a.code, name: a.name }) })),
      );
    const unit = grids.filter((g) => g.scheme === 'unit');
    const social = grids.filter((g) => g.scheme === 'social');
    this.layers = [
      areaLayer('district'),
      areaLayer('street'),
      areaLayer('community'),
      new PolygonLayer(unit.map((g) => ({ geometry: g.geometry, value: Object.freeze({ code: g.code }) }))),
      new PolygonLayer(
        social.map((g) => ({ geometry: g.geometry, value: Object.freeze({ staticCode: g.code, dynamicCode: g.dynamicCode!, name: g.name }) })),
      ),
    ];
    this.found = new Int32Array(this.layers.length);
    const sizes = this.layers.map((l) => l.items.length + 1);
    this.radix = sizes.reduce((a, b) => a * b, 1) < 2 ** 53 ? sizes : null;
    const extents = this.layers.map((l) => l.extent).filter((e) => e !== null);
    if (extents.length === 0 || raster === false) return;
    const grid = rasterGrid(
      {
        minX: Math.min(...extents.map((e) => e.minX)),
        minY: Math.min(...extents.map((e) => e.minY)),
        maxX: Math.max(...extents.map((e) => e.maxX)),
        maxY: Math.max(...extents.map((e) => e.maxY)),
      },
      raster,
    );
    this.perLayer = this.layers.map((layer) => new LayerRaster(grid, layer));
    const geometries = this.layers.flatMap((l) => l.items.map((item) => item.geometry));
    // a combination id per distinct answer; there are at most as many as cells
    this.combined = new CellRaster(grid, geometries, (x, y) => this.exactId(x, y), grid.columns * grid.rows);
  }

  /** Resolves a WGS84 point. */
  resolve(lng: number, lat: number): Resolution {
    if (this.combined === null) return this.combination(this.exactIndexes(lng, lat));
    const cell = this.combined.cellIndex(lng, lat);
    // the rasters cover every polygon, so a point off them is outside all
    if (cell < 0) return NOWHERE;
    const id = this.combined.cells[cell]!;
    if (id >= 0) return this.combinations[id]!;
    if (id === OUTSIDE) return NOWHERE;
    const found = this.found;
    for (let n = 0; n < this.layers.length; n++) found[n] = this.perLayer[n]!.find(cell, lng, lat);
    return this.combination(found);
  }

  /** Share of the covered box answered by one raster read. */
  rasterShare(): number {
    return this.combined?.resolvedShare() ?? 0;
  }

  private exactIndexes(x: number, y: number): Int32Array {
    for (let n = 0; n < this.layers.length; n++) this.found[n] = this.layers[n]!.findIndex(x, y);
    return this.found;
  }

  private exactId(x: number, y: number): number {
    const resolution = this.combination(this.exactIndexes(x, y));
    return resolution === NOWHERE ? OUTSIDE : this.combinationIds.get(this.key(this.found))!;
  }

  private key(found: Int32Array): number | string {
    if (this.radix === null) return found.join(',');
    let key = 0;
    for (let n = 0; n < found.length; n++) key = key * this.radix[n]! + found[n]! + 1;
    return key;
  }

  /** The shared result for one polygon index per layer (-1: none). */
  private combination(found: Int32Array): Resolution {
    const key = this.key(found);
    if (key === 0) return NOWHERE;
    let id = this.combinationIds.get(key);
    if (id === undefined) {
      const resolution = Object.fromEntries(
        LEVELS.map((level, n) => [level, found[n]! < 0 ? null : this.layers[n]!.items[found[n]!]!.value]),
      ) as unknown as Resolution;
      id = this.combinations.push(Object.freeze(resolution)) - 1;
      this.combinationIds.set(key, id);
    }
    return this.combinations[id]!;
  }
}

/**
 * Reverse geocoding over the stored history: the current grid versions answer by default,
 * `at` answers with the versions valid that day. Versions only change on the dates where some
 * version starts or ends, so resolvers are cached per interval between those dates.
 */
export class ReverseGeocoder {
  private readonly areas: readonly AdminArea[];
  private readonly versions: readonly Grid[];
  /** sorted distinct valid_from / valid_to dates */
  private readonly changeDates: readonly string[];
  private readonly resolvers = new Map<number, PointResolver>();
  private readonly current: PointResolver;

  constructor(areas: readonly AdminArea[], versions: readonly Grid[]) {
    this.areas = areas;
    this.versions = versions;
    const dates = new Set<string>();
    for (const v of versions) {
      dates.add(v.validFrom);
      if (v.validTo !== null) dates.add(v.validTo);
    }
    this.changeDates = [...dates].sort();
    this.current = new PointResolver(areas, versions.filter((v) => v.validTo === null));
  }

  static fromStore(store: Store): ReverseGeocoder {
    return new ReverseGeocoder([...store.iterate('areas')], [...store.iterateGridVersions()]);
  }

  /** Resolves a WGS84 point against the versions valid on `at` (YYYY-MM-DD), current by default. */
  resolve(lng: number, lat: number, at?: string): Resolution {
    return this.resolverAt(at).resolve(lng, lat);
  }

  /** The resolver for a date, built on first use; the current one when nothing changed since. */
  resolverAt(at?: string): PointResolver {
    if (at === undefined) return this.current;
    // the interval index: how many change dates are on or before `at`
    let interval = 0;
    while (interval < this.changeDates.length && this.changeDates[interval]! <= at) interval++;
    // on or after the last change, the versions valid are the current ones
    if (interval === this.changeDates.length) return this.current;
    let resolver = this.resolvers.get(interval);
    if (resolver === undefined) {
      const valid = this.versions.filter((v) => v.validFrom <= at && (v.validTo === null || v.validTo > at));
      // history is asked for far less than the present: a small raster builds in a fraction of the time
      resolver = new PointResolver(this.areas, valid, { raster: { maxCells: HISTORY_RASTER_CELLS } });
      if (this.resolvers.size >= HISTORY_RESOLVERS) this.resolvers.delete(this.resolvers.keys().next().value!);
    } else {
      this.resolvers.delete(interval);
    }
    // least recently used first, so the eviction above drops the date asked for longest ago
    this.resolvers.set(interval, resolver);
    return resolver;
  }
}
