import type { Geometry, MultiPolygon, Polygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { ConflictError } from '../errors.js';
import { geometryAreaM2 } from '../geo/area.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { changedBoxOfAll } from '../geo/changed-box.js';
import { clipped } from '../geo/clipping-failure.js';
import { describePart } from '../geo/part-outside.js';
import { rewindGeometry } from '../geo/validate.js';
import { representativePoint } from '../ingest/layer-records.js';
import type { AreaGeometry, Grid } from '../model.js';
import { TOLERANCE_M2 } from './tolerance.js';

/** What a redraw needs from the store, read before it is planned (grid-redraw.ts `prepare`). */
export interface RedrawInput {
  /** the grid's current version */
  current: Grid;
  /** its new boundary, checked and wound as RFC 7946 asks */
  boundary: AreaGeometry;
  /** neighbours the request names, each with the boundary given for it */
  named: { grid: Grid; geometry: AreaGeometry }[];
  /** current social grids (not the grid itself) whose boxes meet the new boundary's: those it may take area from */
  nearby: Grid[];
  /** the communities of the grid and of each named neighbour, by code (absent: not stored) */
  communities: Record<string, { name: string; geometry: AreaGeometry }>;
}

/** The new shapes of a redraw. */
export interface RedrawPlan {
  /** the grid's new shape */
  shape: AreaGeometry;
  /** neighbours that change, with their new shapes; `taken` describes what the boundary takes from one not named */
  changed: { grid: Grid; geometry: AreaGeometry; taken: string | null }[];
  /** where the old and new shapes differ (geo/changed-box.ts), the box of the houses that may change grid; null when none does */
  changedBox: BBox | null;
}

/**
 * The new shapes of a social grid and the neighbours a redraw changes, computed from what was read
 * (pure: it runs on a worker thread, redraw-thread.ts, as a 2,000-vertex redraw takes 50–120 ms
 * of polygon clipping). Neighbours the new boundary takes area from lose it; those named get the
 * boundaries given. Refused (ConflictError, 409) with the place and size of any gap or overlap it
 * would leave, or if a grid would leave its community; slivers within the rounding tolerance are
 * cut off where a new boundary reaches beyond its community or over a grid that keeps its version,
 * so no boundary ever overlaps one that does not change.
 */
export function planRedraw(input: RedrawInput): RedrawPlan {
  return clipped('the redraw', () => {
    const { current, communities } = input;
    const boundary = withinCommunity(current, input.boundary, communities[current.communityCode], 'the new boundary');
    // what the new boundary takes beyond the grid, and the grids it may take that from (their boxes meet it)
    const gained = polygonClipping.difference(geom(boundary), geom(current.geometry));
    const gainedBox = areaOf(gained) > TOLERANCE_M2 ? geometryBBox({ type: 'MultiPolygon', coordinates: gained } as MultiPolygon) : null;
    const given = new Map(input.named.map((n) => [n.grid.code, n]));
    const changed = new Map<string, { grid: Grid; geometry: AreaGeometry; taken: string | null }>();
    for (const { grid, geometry } of input.named) {
      changed.set(grid.code, { grid, geometry: withinCommunity(grid, geometry, communities[grid.communityCode], `the new boundary of neighbour ${grid.code}`), taken: null });
    }
    // a neighbour not named loses what the new boundary takes from it: grids tile, so that is what it shares with the gain
    for (const grid of input.nearby) {
      if (given.has(grid.code) || gainedBox === null || !boxesMeet(geometryBBox(grid.geometry), gainedBox)) continue;
      const taken = polygonClipping.intersection(geom(grid.geometry), gained);
      if (areaOf(taken) <= TOLERANCE_M2) continue;
      const rest = polygonClipping.difference(geom(grid.geometry), geom(boundary));
      if (areaOf(rest) <= TOLERANCE_M2) throw new ConflictError(`the new boundary covers all of social grid ${grid.code} ${grid.name}; merge grids explicitly instead`);
      changed.set(grid.code, { grid, geometry: fromClipped(rest), taken: describe(taken) });
    }
    const list = [...changed.values()];
    const [shape, ...neighbours] = settleTiling(current, boundary, list);
    const settled = list.map((c, k) => ({ ...c, geometry: neighbours[k]! }));
    const changedBox = changedBoxOfAll([[current.geometry, shape!], ...settled.map((c): [AreaGeometry, AreaGeometry] => [c.grid.geometry, c.geometry])]);
    return { shape: shape!, changed: settled, changedBox };
  });
}

/**
 * A grid's new shape within its community: refused (409) when more than rounding lies outside
 * it, a sliver outside cut off (issue 12: a neighbour given another community's area moved there).
 */
function withinCommunity(grid: Grid, shape: AreaGeometry, community: { name: string; geometry: AreaGeometry } | undefined, what: string): AreaGeometry {
  if (community === undefined) return shape;
  const outside = polygonClipping.difference(geom(shape), geom(community.geometry));
  if (areaOf(outside) > TOLERANCE_M2) {
    throw new ConflictError(`${what} reaches ${describe(outside)} outside community ${grid.communityCode} ${community.name}; a social grid stays inside its community`);
  }
  return outside.length === 0 ? shape : cut(shape, outside, what);
}

/**
 * The new shapes (the grid's, then the changed neighbours') once they cover exactly what the old
 * ones did: refused when they leave a gap, cover more, or overlap; slivers of rounding beyond the
 * old shapes lie over grids that keep their version (or none) and are cut off, so that a
 * tolerated sliver never makes two current grids overlap (issue 12: a 4 mm × 77 m strip did).
 */
function settleTiling(current: Grid, boundary: AreaGeometry, changed: { grid: Grid; geometry: AreaGeometry }[]): AreaGeometry[] {
  const before = polygonClipping.union(geom(current.geometry), ...changed.map((c) => geom(c.grid.geometry)));
  const drawn = [boundary, ...changed.map((c) => c.geometry)];
  const after = polygonClipping.union(geom(drawn[0]!), ...drawn.slice(1).map(geom));
  const gap = polygonClipping.difference(before, after);
  if (areaOf(gap) > TOLERANCE_M2) {
    throw new ConflictError(`the redraw would leave ${describe(gap)} that no grid covers; name the neighbour that takes it in "neighbours" with its new boundary`);
  }
  const spill = polygonClipping.difference(after, before);
  if (areaOf(spill) > TOLERANCE_M2) throw new ConflictError(`the redraw would cover ${describe(spill)} that no changed grid covered before`);
  const names = [current.code, ...changed.map((c) => c.grid.code)];
  const spillBox = spill.length === 0 ? null : geometryBBox({ type: 'MultiPolygon', coordinates: spill } as MultiPolygon);
  const shapes = drawn.map((shape, k) =>
    spillBox === null || !boxesMeet(geometryBBox(shape), spillBox) ? shape : cut(shape, spill, `the new boundary of ${names[k]}`),
  );
  for (let i = 0; i < shapes.length; i++) {
    for (let j = i + 1; j < shapes.length; j++) {
      const overlap = polygonClipping.intersection(geom(shapes[i]!), geom(shapes[j]!));
      if (areaOf(overlap) > TOLERANCE_M2) throw new ConflictError(`the new boundaries of ${names[i]} and ${names[j]} would overlap by ${describe(overlap)}`);
    }
  }
  return shapes;
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
