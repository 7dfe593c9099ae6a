import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { decodeSocialGridCode, nextDynamicCode } from '../codes/index.js';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors.js';
import { geometryAreaM2 } from '../geo/area.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { changedBox } from '../geo/changed-box.js';
import { clipped } from '../geo/clipping-failure.js';
import { describePart } from '../geo/part-outside.js';
import { rewindGeometry, validateGeometry } from '../geo/validate.js';
import { PointResolver } from '../geocode/reverse.js';
import { representativePoint } from '../ingest/layer-records.js';
import type { AreaGeometry, Grid, House } from '../model.js';
import type { Store } from '../store/store.js';
import type { Writer } from './feature-writer.js';
import { TOLERANCE_M2 } from './tolerance.js';

/** A redraw as the API takes it (snake_case, as in docs/write-api.md). */
export interface RedrawRequest {
  geometry: unknown;
  valid_from?: string;
  name?: string;
  /** neighbours' new boundaries, where taking area from them is not enough (the grid shrinks) */
  neighbours?: { static_code: string; geometry: unknown }[];
}

export interface RedrawResult {
  grid: Grid;
  neighbours: Grid[];
  /** records whose assigned grid changed */
  reassigned: { houses: number; components: number; addresses: number };
}

/**
 * Redraws a social grid's boundary: its current version is closed and a version with the next
 * dynamic code opens; neighbours the new boundary takes area from get new versions without it,
 * neighbours named in the request get the boundaries given. The writer's scope must hold the
 * grid and every neighbour that changes (403). The request is refused (409) with the place and
 * size of any gap or overlap it would leave, or if a grid would leave its community. Slivers
 * within the rounding tolerance are cut off where a new boundary reaches beyond its community or
 * over a grid that keeps its version, so no boundary ever overlaps one that does not change.
 * Houses are then assigned to the grids they now stand in. One transaction. Components and door
 * plates hold no social grid, so none is reassigned by a redraw.
 */
export class GridRedraw {
  constructor(
    private readonly store: Store,
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {}

  redraw(staticCode: string, request: RedrawRequest, by: Writer): RedrawResult {
    const parsed = decodeSocialGridCode(staticCode);
    if (parsed.dynamicCode !== null) throw new InvalidRequestError(`give the static code alone (${parsed.staticCode}), not a full code with a dynamic part`);
    const validFrom = request.valid_from ?? this.today();
    return this.store.transaction(() => clipped('the redraw', () => {
      const current = this.store.getGrid('social', staticCode);
      if (!current) throw new NotFoundError(`no current social grid with static code ${staticCode}`);
      by.authorize({ unitGridCode: null, socialStaticCode: staticCode }, `redraw social grid ${staticCode}`);
      const boundary = this.withinCommunity(current, areaGeometry(request.geometry, 'geometry'), 'the new boundary');

      // what the new boundary takes beyond the grid, and the grids it may take that from (their boxes meet it); those named
      const gained = polygonClipping.difference(geom(boundary), geom(current.geometry));
      const gainedBox = areaOf(gained) > TOLERANCE_M2 ? geometryBBox({ type: 'MultiPolygon', coordinates: gained } as MultiPolygon) : null;
      const others = new Map(gainedBox === null ? [] : this.store.gridsMeeting('social', gainedBox).filter((g) => g.code !== staticCode).map((g) => [g.code, g]));
      const given = new Map<string, AreaGeometry>();
      for (const [i, n] of (request.neighbours ?? []).entries()) {
        const named = n.static_code === staticCode ? null : (others.get(n.static_code) ?? this.store.getGrid('social', n.static_code));
        if (named === null) throw new InvalidRequestError(`neighbours[${i}].static_code ${n.static_code} is not a current social grid`);
        by.authorize({ unitGridCode: null, socialStaticCode: named.code }, `change neighbouring social grid ${named.code}`);
        others.set(named.code, named);
        given.set(n.static_code, this.withinCommunity(named, areaGeometry(n.geometry, `neighbours[${i}].geometry`), `the new boundary of neighbour ${named.code}`));
      }
      // a neighbour not named loses what the new boundary takes from it: grids tile, so that is what it shares with the gain
      const changed = new Map<string, { old: Grid; geometry: AreaGeometry }>();
      for (const grid of others.values()) {
        const explicit = given.get(grid.code);
        if (explicit) {
          changed.set(grid.code, { old: grid, geometry: explicit });
          continue;
        }
        if (gainedBox === null || !boxesMeet(geometryBBox(grid.geometry), gainedBox)) continue;
        const taken = polygonClipping.intersection(geom(grid.geometry), gained);
        if (areaOf(taken) <= TOLERANCE_M2) continue;
        const rest = polygonClipping.difference(geom(grid.geometry), geom(boundary));
        if (areaOf(rest) <= TOLERANCE_M2) throw new ConflictError(`the new boundary covers all of social grid ${grid.code} ${grid.name}; merge grids explicitly instead`);
        by.authorize({ unitGridCode: null, socialStaticCode: grid.code }, `change neighbouring social grid ${grid.code}, which the new boundary takes ${describe(taken)} from`);
        changed.set(grid.code, { old: grid, geometry: fromClipped(rest) });
      }
      const [settled, ...settledNeighbours] = this.settleTiling(current, boundary, [...changed.values()]);
      for (const [k, c] of [...changed.values()].entries()) c.geometry = settledNeighbours[k]!;

      const year = Number(validFrom.slice(0, 4));
      const version = (old: Grid, geometry: AreaGeometry, name = old.name): Grid => ({
        ...old,
        name,
        geometry,
        areaM2: geometryAreaM2(geometry),
        dynamicCode: nextDynamicCode(old.dynamicCode!, year),
        validFrom,
        validTo: null,
      });
      const grid = version(current, settled!, request.name ?? current.name);
      this.store.addGridVersion(grid, { actor: by.name });
      const neighbours = [...changed.values()].map(({ old, geometry }) => {
        const next = version(old, geometry);
        this.store.addGridVersion(next, { actor: by.name });
        return next;
      });
      const houses = this.reassignHouses([grid, ...neighbours], [current, ...[...changed.values()].map((c) => c.old)], by);
      return { grid, neighbours, reassigned: { houses, components: 0, addresses: 0 } };
    }));
  }

  /**
   * A grid's new shape within its community: refused (409) when more than rounding lies outside
   * it, a sliver outside cut off (issue 12: a neighbour given another community's area moved there).
   */
  private withinCommunity(grid: Grid, shape: AreaGeometry, what: string): AreaGeometry {
    const community = this.store.getArea(grid.communityCode);
    if (!community) return shape;
    const outside = polygonClipping.difference(geom(shape), geom(community.geometry));
    if (areaOf(outside) > TOLERANCE_M2) {
      throw new ConflictError(`${what} reaches ${describe(outside)} outside community ${community.code} ${community.name}; a social grid stays inside its community`);
    }
    return outside.length === 0 ? shape : cut(shape, outside, what);
  }

  /**
   * The new shapes (the grid's, then the changed neighbours') once they cover exactly what the old
   * ones did: refused when they leave a gap, cover more, or overlap; slivers of rounding beyond the
   * old shapes lie over grids that keep their version (or none) and are cut off, so that a
   * tolerated sliver never makes two current grids overlap (issue 12: a 4 mm × 77 m strip did).
   */
  private settleTiling(current: Grid, boundary: AreaGeometry, changed: { old: Grid; geometry: AreaGeometry }[]): AreaGeometry[] {
    const before = polygonClipping.union(geom(current.geometry), ...changed.map((c) => geom(c.old.geometry)));
    const drawn = [boundary, ...changed.map((c) => c.geometry)];
    const after = polygonClipping.union(geom(drawn[0]!), ...drawn.slice(1).map(geom));
    const gap = polygonClipping.difference(before, after);
    if (areaOf(gap) > TOLERANCE_M2) {
      throw new ConflictError(
        `the redraw would leave ${describe(gap)} that no grid covers; name the neighbour that takes it in "neighbours" with its new boundary`,
      );
    }
    const spill = polygonClipping.difference(after, before);
    if (areaOf(spill) > TOLERANCE_M2) throw new ConflictError(`the redraw would cover ${describe(spill)} that no changed grid covered before`);
    const names = [current.code, ...changed.map((c) => c.old.code)];
    const spillBox = spill.length === 0 ? null : geometryBBox({ type: 'MultiPolygon', coordinates: spill } as MultiPolygon);
    const shapes = drawn.map((shape, k) =>
      spillBox === null || !boxesMeet(geometryBBox(shape), spillBox) ? shape : cut(shape, spill, `the new boundary of ${names[k]}`),
    );
    for (let i = 0; i < shapes.length; i++) {
      for (let j = i + 1; j < shapes.length; j++) {
        const overlap = polygonClipping.intersection(geom(shapes[i]!), geom(shapes[j]!));
        if (areaOf(overlap) > TOLERANCE_M2) {
          throw new ConflictError(`the new boundaries of ${names[i]} and ${names[j]} would overlap by ${describe(overlap)}`);
        }
      }
    }
    return shapes;
  }

  /**
   * Puts the houses of the changed grids into the grid they now stand in; returns how many moved.
   * Only houses in the box where old and new shapes differ can have moved (geo/changed-box.ts).
   */
  private reassignHouses(newVersions: Grid[], oldVersions: Grid[], by: Writer): number {
    let box: BBox | null = null;
    for (const [k, old] of oldVersions.entries()) box = union(box, changedBox(old.geometry, newVersions[k]!.geometry));
    if (box === null) return 0;
    const resolver = new PointResolver([], newVersions, { raster: false });
    const moved: House[] = [];
    for (const house of this.store.houseFootprintsInSocialGrids(oldVersions.map((g) => g.code), box)) {
      const [lng, lat] = representativePoint(house.geometry);
      const now = resolver.resolve(lng!, lat!).socialGrid?.staticCode ?? house.socialStaticCode;
      if (now !== house.socialStaticCode) moved.push({ ...this.store.getHouse(house.id)!, socialStaticCode: now });
    }
    if (moved.length > 0) this.store.upsert('houses', moved, { actor: by.name });
    return moved.length;
  }
}

function union(a: BBox | null, b: BBox | null): BBox | null {
  if (a === null || b === null) return a ?? b;
  return { minX: Math.min(a.minX, b.minX), minY: Math.min(a.minY, b.minY), maxX: Math.max(a.maxX, b.maxX), maxY: Math.max(a.maxY, b.maxY) };
}

function areaGeometry(value: unknown, where: string): AreaGeometry {
  const problems = validateGeometry(value, { expect: ['Polygon', 'MultiPolygon'] });
  if (problems.length > 0) throw new InvalidRequestError(`${where}: ${problems.slice(0, 3).join('; ')}`);
  return rewindGeometry(value as AreaGeometry);
}

const geom = (g: AreaGeometry): Geom => g.coordinates as Geom;

/** A shape with slivers cut off; refused when nothing is left of it. */
function cut(shape: AreaGeometry, slivers: polygonClipping.MultiPolygon, what: string): AreaGeometry {
  const rest = polygonClipping.difference(geom(shape), slivers);
  if (rest.length === 0) throw new ConflictError(`${what} lies wholly beyond its community or over grids the redraw does not change`);
  return fromClipped(rest);
}

function fromClipped(parts: polygonClipping.MultiPolygon): AreaGeometry {
  const geometry: Polygon | MultiPolygon = parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! } : { type: 'MultiPolygon', coordinates: parts };
  return rewindGeometry(geometry);
}

function areaOf(parts: polygonClipping.MultiPolygon): number {
  return parts.length === 0 ? 0 : geometryAreaM2({ type: 'MultiPolygon', coordinates: parts } as Geometry);
}

/** "37 m² around 116.41234, 39.92345" — where a gap or overlap is, for the 409's detail. */
function describe(parts: polygonClipping.MultiPolygon): string {
  return describePart({ size: areaOf(parts), unit: 'm²', at: representativePoint({ type: 'Polygon', coordinates: parts[0]! as Position[][] }) });
}

function boxesMeet(p: BBox, q: BBox): boolean {
  return p.minX <= q.maxX && q.minX <= p.maxX && p.minY <= q.maxY && q.minY <= p.maxY;
}
