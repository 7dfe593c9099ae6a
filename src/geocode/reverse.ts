import type { AdminArea, Grid } from '../model.js';
import type { Store } from '../store/store.js';
import { CellRaster, OUTSIDE } from './cell-raster.js';
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

/** The answer for points outside every area (shared, never mutated). */
export const NOWHERE: Resolution = Object.freeze({ district: null, street: null, community: null, unitGrid: null, socialGrid: null });

const LEVELS = ['district', 'street', 'community', 'unitGrid', 'socialGrid'] as const;

/**
 * Point → district, street, community, unit grid and social grid, for one set of grid versions.
 * Five polygon layers (flatbush + exact point-in-polygon) answer exactly; a lookup raster over
 * all of them answers most points with one array read and sends the rest to the exact test.
 * Results are shared frozen objects, one per distinct combination, so a lookup allocates nothing.
 */
export class PointResolver {
  private readonly layers: readonly PolygonLayer<unknown>[];
  private readonly raster: CellRaster | null;
  private readonly combinations: Resolution[] = [];
  private readonly combinationIds = new Map<string, number>();

  constructor(areas: readonly AdminArea[], grids: readonly Grid[], rasterOptions?: { maxCells?: number; targetCellDeg?: number }) {
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
    const extents = this.layers.map((l) => l.extent).filter((e) => e !== null);
    if (extents.length === 0) {
      this.raster = null;
      return;
    }
    const extent = {
      minX: Math.min(...extents.map((e) => e.minX)),
      minY: Math.min(...extents.map((e) => e.minY)),
      maxX: Math.max(...extents.map((e) => e.maxX)),
      maxY: Math.max(...extents.map((e) => e.maxY)),
    };
    const geometries = this.layers.flatMap((l) => l.items.map((item) => item.geometry));
    this.raster = new CellRaster(extent, geometries, (x, y) => this.exactId(x, y), rasterOptions);
  }

  /** Resolves a WGS84 point. */
  resolve(lng: number, lat: number): Resolution {
    const id = this.raster === null ? OUTSIDE : this.raster.lookup(lng, lat);
    if (id >= 0) return this.combinations[id]!;
    if (id === OUTSIDE) return NOWHERE;
    const exact = this.exactId(lng, lat);
    return exact === OUTSIDE ? NOWHERE : this.combinations[exact]!;
  }

  /** Share of the covered box answered by the raster alone. */
  rasterShare(): number {
    return this.raster?.resolvedShare() ?? 0;
  }

  private exactId(x: number, y: number): number {
    const found = this.layers.map((layer) => layer.findIndex(x, y));
    if (found.every((k) => k < 0)) return OUTSIDE;
    const key = found.join(',');
    let id = this.combinationIds.get(key);
    if (id === undefined) {
      const resolution = Object.fromEntries(
        LEVELS.map((level, n) => [level, found[n]! < 0 ? null : this.layers[n]!.items[found[n]!]!.value]),
      ) as unknown as Resolution;
      id = this.combinations.push(Object.freeze(resolution)) - 1;
      this.combinationIds.set(key, id);
    }
    return id;
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
      resolver = new PointResolver(this.areas, valid);
      // a handful of historical dates are asked for at a time; keep memory bounded
      if (this.resolvers.size >= 4) this.resolvers.delete(this.resolvers.keys().next().value!);
      this.resolvers.set(interval, resolver);
    }
    return resolver;
  }
}
