import type { Geometry, Position } from 'geojson';
import { componentClassName } from '../codes/index.js';
import type { BBox } from '../geo/bbox.js';
import { attributesOf, memberOf, type LayerTable } from '../layers/columns.js';
import { COMPONENTS, HOUSES, type AdminArea, type Component, type Grid, type House } from '../model.js';
import { gridChangeKey, type StoreChange } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { readChangedLabel, readLabels } from './labels.js';
import { TILE_LAYERS, tileAttributeFields, type TileLayerName } from './layers.js';
import { worldX, worldY } from './tile-coords.js';

/** An attribute value as MVT stores it. */
export type TagValue = string | number;

/**
 * A feature ready for tiling: geometry already projected to world coordinates (tile-coords.ts),
 * as flat x,y arrays. Polygon rings keep RFC 7946 winding and their closing point.
 */
export type TileFeature = {
  /** the store key it came from (change-log key), so a change can replace it */
  key: string;
  /** numeric MVT feature id (stable: derived from the code or id) */
  id: number;
  tags: Record<string, TagValue>;
  /** the tags drawn below the layer's `allFieldsFrom` zoom (layers.ts), when it has one */
  lowZoomTags?: Record<string, TagValue>;
  bbox: BBox;
  /** thinning rank for layers thinned at low zoom: lower is kept first */
  rank: number;
  /** not in tiles below this zoom, for a layer whose features start at different zooms (labels.ts) */
  minzoom?: number;
} & (
  | { type: 1; points: Float64Array }
  | { type: 2; lines: Float64Array[] }
  | { type: 3; polygons: Float64Array[][] }
);

function project(positions: Position[]): Float64Array {
  const out = new Float64Array(positions.length * 2);
  for (let i = 0; i < positions.length; i++) {
    out[2 * i] = worldX(positions[i]![0]!);
    out[2 * i + 1] = worldY(positions[i]![1]!);
  }
  return out;
}

function boxOf(arrays: Float64Array[]): BBox {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const a of arrays) {
    for (let i = 0; i < a.length; i += 2) {
      if (a[i]! < box.minX) box.minX = a[i]!;
      if (a[i]! > box.maxX) box.maxX = a[i]!;
      if (a[i + 1]! < box.minY) box.minY = a[i + 1]!;
      if (a[i + 1]! > box.maxY) box.maxY = a[i + 1]!;
    }
  }
  return box;
}

type Shape = Pick<TileFeature, 'type'> & ({ type: 1; points: Float64Array } | { type: 2; lines: Float64Array[] } | { type: 3; polygons: Float64Array[][] });

function shapeOf(geometry: Geometry): Shape & { bbox: BBox } {
  switch (geometry.type) {
    case 'Point':
    case 'MultiPoint': {
      const points = project(geometry.type === 'Point' ? [geometry.coordinates] : geometry.coordinates);
      return { type: 1, points, bbox: boxOf([points]) };
    }
    case 'LineString':
    case 'MultiLineString': {
      const lines = (geometry.type === 'LineString' ? [geometry.coordinates] : geometry.coordinates).map(project);
      return { type: 2, lines, bbox: boxOf(lines) };
    }
    case 'Polygon':
    case 'MultiPolygon': {
      const polygons = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).map((rings) => rings.map(project));
      return { type: 3, polygons, bbox: boxOf(polygons.map((rings) => rings[0]!)) };
    }
    default:
      throw new Error(`geometry type ${geometry.type} cannot be tiled`);
  }
}

function feature(key: string, id: number, geometry: Geometry, tags: Record<string, TagValue | null>, rank = 0, lowZoomFields?: readonly string[]): TileFeature {
  const clean: Record<string, TagValue> = {};
  for (const [name, value] of Object.entries(tags)) if (value !== null) clean[name] = value;
  const made = { key, id, tags: clean, rank, ...shapeOf(geometry) } as TileFeature;
  if (lowZoomFields) made.lowZoomTags = Object.fromEntries(lowZoomFields.filter((f) => f in clean).map((f) => [f, clean[f]!]));
  return made;
}

export function streetFeature(area: AdminArea): TileFeature {
  return feature(area.code, Number(area.code), area.geometry, { code: area.code, name: area.name });
}

export function communityFeature(area: AdminArea): TileFeature {
  return feature(area.code, Number(area.code), area.geometry, { code: area.code, name: area.name, street: area.parentCode });
}

export function socialGridFeature(grid: Grid): TileFeature {
  return feature(gridChangeKey(grid.scheme, grid.code), Number(grid.code), grid.geometry, {
    static_code: grid.code,
    dynamic_code: grid.dynamicCode,
    name: grid.name,
    community: grid.communityCode,
  });
}

export function unitGridFeature(grid: Grid): TileFeature {
  return feature(gridChangeKey(grid.scheme, grid.code), Number(grid.code), grid.geometry, { code: grid.code, community: grid.communityCode });
}

/** A house as drawn (retired ones, status 废弃, are not). */
export function houseFeature(house: House): TileFeature {
  return feature(String(house.id), house.id, house.geometry, {
    height: house.heightM,
    min_height: 0,
    render_height: house.heightM,
    render_min_height: 0,
    ...tileAttributes(HOUSES, house),
    unit_grid: house.unitGridCode,
    social_static: house.socialStaticCode,
  }, 0, TILE_LAYERS.houses.lowZoomFields);
}

/** The attributes of a record its layer's tiles carry (`tile` in src/layers/<layer>.ts); a boolean as 1 or 0. */
function tileAttributes(table: LayerTable, record: object): Record<string, TagValue | null> {
  const tags: Record<string, TagValue | null> = {};
  for (const column of attributesOf(table)) {
    if (column.attribute.tile === undefined) continue;
    const value = (record as Record<string, unknown>)[memberOf(column.name)];
    tags[column.name] = typeof value === 'boolean' ? Number(value) : ((value ?? null) as TagValue | null);
  }
  return tags;
}

/**
 * Which classes survive thinning first (layers.ts documents the order): rare, safety- and
 * service-relevant classes before the tens of thousands of manhole covers and street trees.
 */
const MAJOR_CLASS_RANK: Readonly<Record<string, number>> = { '06': 0, '03': 1, '02': 2, '05': 3, '01': 4, '04': 5 };
const LOCAL_CLASS_RANK = 6;

/** What a component's tile feature is made of. */
export type DrawnComponent = Pick<Component, 'code' | 'major' | 'minor' | 'name' | 'status' | 'geometry'> & Partial<Component>;

/** The component attributes its tiles carry, read with the drawn columns. */
const COMPONENT_TILE_COLUMNS = Object.keys(tileAttributeFields(COMPONENTS));

export function componentFeature(component: DrawnComponent): TileFeature {
  const className = componentClassName(component.major, component.minor) ?? component.name;
  return feature(
    component.code,
    Number(component.code),
    component.geometry,
    { code: component.code, major: component.major, minor: component.minor, class: className, status: component.status, ...tileAttributes(COMPONENTS, component) },
    MAJOR_CLASS_RANK[component.major] ?? LOCAL_CLASS_RANK,
  );
}

/** Components retired from service (废弃) are kept in the store for the record, not drawn. */
export function isDrawnComponent(component: Pick<Component, 'status'>): boolean {
  return component.status !== '废弃';
}

/** Every feature of a tile layer, read from the store. */
export function* readLayerFeatures(store: Store, layer: TileLayerName): Generator<TileFeature> {
  switch (layer) {
    case 'streets':
    case 'communities': {
      const level = layer === 'streets' ? 'street' : 'community';
      for (const area of store.iterate('areas')) if (area.level === level) yield layer === 'streets' ? streetFeature(area) : communityFeature(area);
      return;
    }
    case 'social_grids':
    case 'unit_grids': {
      const scheme = layer === 'social_grids' ? 'social' : 'unit';
      for (const grid of store.iterate('grids')) if (grid.scheme === scheme) yield scheme === 'social' ? socialGridFeature(grid) : unitGridFeature(grid);
      return;
    }
    case 'houses':
      for (const house of store.iterate('houses')) if (house.status !== '废弃') yield houseFeature(house);
      return;
    case 'components':
      // ~200k rows per district: read just the columns drawn, without building whole records
      for (const [code, major, minor, name, status, geometry, ...attributes] of store.scan('components', ['code', 'major', 'minor', 'name', 'status', 'geometry', ...COMPONENT_TILE_COLUMNS])) {
        const drawn = { code, major, minor, name, status, geometry: JSON.parse(geometry as string) };
        const component = { ...drawn, ...Object.fromEntries(COMPONENT_TILE_COLUMNS.map((c, i) => [memberOf(c), attributes[i]])) } as DrawnComponent;
        if (isDrawnComponent(component)) yield componentFeature(component);
      }
      return;
    case 'labels':
      yield* readLabels(store);
  }
}

/** The tile layers a logged change can touch; areas and grids go to one layer by level / scheme, and to their labels. */
export function tileLayersOfChange(change: Pick<StoreChange, 'layer' | 'key'>): TileLayerName[] {
  switch (change.layer) {
    case 'areas':
      return change.key.length === 9 ? ['streets', 'labels'] : change.key.length === 12 ? ['communities', 'labels'] : [];
    case 'grids':
      return change.key.startsWith('social:') ? ['social_grids', 'labels'] : ['unit_grids', 'labels'];
    case 'houses':
      return ['houses'];
    case 'components':
      return ['components'];
    default:
      return [];
  }
}

/** The current feature of a tile layer for a change-log key, or null if it is gone or not drawn there. */
export function readChangedFeature(store: Store, layer: TileLayerName, key: string): TileFeature | null {
  switch (layer) {
    case 'streets':
    case 'communities': {
      const area = store.getArea(key);
      if (!area || area.level !== (layer === 'streets' ? 'street' : 'community')) return null;
      return layer === 'streets' ? streetFeature(area) : communityFeature(area);
    }
    case 'social_grids':
    case 'unit_grids': {
      const [scheme, code] = key.split(':') as [string, string];
      if (scheme !== (layer === 'social_grids' ? 'social' : 'unit')) return null;
      const grid = store.getGrid(scheme, code);
      return grid && (scheme === 'social' ? socialGridFeature(grid) : unitGridFeature(grid));
    }
    case 'houses': {
      const house = store.getHouse(Number(key));
      return house && house.status !== '废弃' ? houseFeature(house) : null;
    }
    case 'components': {
      const component = store.getComponent(key);
      return component && isDrawnComponent(component) ? componentFeature(component) : null;
    }
    case 'labels':
      return readChangedLabel(store, key);
  }
}
