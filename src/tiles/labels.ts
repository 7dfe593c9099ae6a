import polylabel from 'polylabel';
import type { AdminArea, AreaGeometry, Grid } from '../model.js';
import { gridChangeKey } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { LABEL_MINZOOMS, MAX_ZOOM, type LabelKind } from './layers.js';
import type { TileFeature } from './tile-features.js';
import { worldX, worldY } from './tile-coords.js';

/**
 * Label points (the `labels` tile layer): one point per street, community, social grid and unit
 * grid, so a name is drawn once however many tiles its polygon is cut into (a polygon layer's
 * symbols repeat once per tile piece: 63 unit-grid codes for 40 grids at z17 before this).
 */

/**
 * polylabel stops within 4 pixels at the deepest zoom (256-pixel tiles; ~2 m in Beijing), in world
 * units: one pixel took 4× as long (0.4 s for the default district's 3,105 polygons) for no visible gain.
 */
const PRECISION = 2 ** -(MAX_ZOOM + 6);

/**
 * The pole of inaccessibility of an area in world coordinates (tile-coords.ts): the inside point
 * farthest from every edge, found in Web Mercator so distances are alike in x and y (in lng/lat a
 * degree of longitude is shorter). A multipolygon's label goes in its roomiest part.
 * @example labelPoint({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] }) // ≈ [worldX(0.5), worldY(0.5)]
 */
export function labelPoint(geometry: AreaGeometry): [number, number] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best: [number, number] | null = null;
  let bestDistance = -Infinity;
  for (const rings of polygons) {
    const pole = polylabel(rings.map((ring) => ring.map(([lng, lat]): [number, number] => [worldX(lng!), worldY(lat!)])), PRECISION);
    if (pole.distance > bestDistance) {
      best = [pole[0], pole[1]];
      bestDistance = pole.distance;
    }
  }
  if (best === null) throw new Error('a label point needs an area with at least one polygon, got an empty MultiPolygon');
  return best;
}

/** A label as a tile feature: its id is the id of the polygon it names (ids of the kinds never meet: 9, 12, 16 and 15 digits). */
function label(key: string, kind: LabelKind, code: string, name: string, geometry: AreaGeometry): TileFeature {
  const [x, y] = labelPoint(geometry);
  return {
    key,
    id: Number(code),
    tags: { kind, code, name },
    bbox: { minX: x, minY: y, maxX: x, maxY: y },
    rank: 0,
    minzoom: LABEL_MINZOOMS[kind],
    type: 1,
    points: Float64Array.of(x, y),
  };
}

/** The label of a street or community (null for a district: the map is of one). Keyed by the area code, as its change is. */
export function areaLabel(area: AdminArea): TileFeature | null {
  if (area.level !== 'street' && area.level !== 'community') return null;
  return label(area.code, area.level, area.code, area.name, area.geometry);
}

/** The label of a grid's current version; a social grid is labelled by its 16-digit static code. */
export function gridLabel(grid: Grid): TileFeature {
  return label(gridChangeKey(grid.scheme, grid.code), grid.scheme === 'social' ? 'social_grid' : 'unit_grid', grid.code, grid.name, grid.geometry);
}

/** Every label, read from the store's areas and current grids. */
export function* readLabels(store: Store): Generator<TileFeature> {
  for (const area of store.iterate('areas')) {
    const feature = areaLabel(area);
    if (feature) yield feature;
  }
  for (const grid of store.iterate('grids')) yield gridLabel(grid);
}

/** The current label for a change-log key of an area (its code) or a grid (`scheme:code`); null when it is gone. */
export function readChangedLabel(store: Store, key: string): TileFeature | null {
  if (!key.includes(':')) {
    const area = store.getArea(key);
    return area && areaLabel(area);
  }
  const [scheme, code] = key.split(':') as [string, string];
  if (scheme !== 'social' && scheme !== 'unit') return null;
  const grid = store.getGrid(scheme, code);
  return grid && gridLabel(grid);
}
