import type { Geometry } from 'geojson';
import { ADDRESSES, type Address } from './layers/addresses.js';
import { ALIASES, type Alias } from './layers/aliases.js';
import { AREAS, type AdminArea } from './layers/areas.js';
import type { LayerTable } from './layers/columns.js';
import { COMPONENTS, type Component } from './layers/components.js';
import { GRIDS, type Grid } from './layers/grids.js';
import { HOUSES, type House } from './layers/houses.js';
import { POIS, type Poi } from './layers/pois.js';
import { ROADS, type Road } from './layers/roads.js';

/**
 * The records wangge stores: each layer's record type and table live in its own module,
 * src/layers/<layer>.ts, and are gathered here. Codes follow docs/codes.md; geometries are WGS84
 * GeoJSON with RFC 7946 winding. Dates are ISO `YYYY-MM-DD`.
 */

export { ADMIN_LEVELS, AREAS, type AdminArea, type AdminLevel, type AreaGeometry } from './layers/areas.js';
export { GRID_SCHEMES, GRIDS, type Grid, type GridScheme } from './layers/grids.js';
export { COMPONENT_STATUSES, COMPONENTS, type Component, type ComponentStatus } from './layers/components.js';
export { LIFE_STATUSES, type LifeStatus } from './layers/life-status.js';
export { HOUSES, type House } from './layers/houses.js';
export { ADDRESSES, type Address } from './layers/addresses.js';
export { ROADS, ROAD_KINDS, type Road } from './layers/roads.js';
export { POIS, type Poi } from './layers/pois.js';
export { ALIASES, ALIAS_LEVELS, type Alias, type AliasLevel } from './layers/aliases.js';

export type Layer = 'areas' | 'grids' | 'components' | 'houses' | 'addresses' | 'roads' | 'pois' | 'aliases';
export const LAYERS: readonly Layer[] = ['areas', 'grids', 'components', 'houses', 'addresses', 'roads', 'pois', 'aliases'];

/** The layers keyed by an integer id, which import hands out in order when a record brings none. */
export type IdLayer = 'houses' | 'addresses' | 'roads' | 'pois' | 'aliases';

/** Every layer's table: its columns, attributes and key (src/layers/<layer>.ts). */
export const LAYER_TABLES = { areas: AREAS, grids: GRIDS, components: COMPONENTS, houses: HOUSES, addresses: ADDRESSES, roads: ROADS, pois: POIS, aliases: ALIASES } as const satisfies Record<Layer, LayerTable>;

/** Everything a store holds, as written by import and generate. */
export type AnyRecord = AdminArea | Grid | Component | House | Address | Road | Poi | Alias;

export type { Geometry };

/** The door-plate text of an address: `多福巷12号`, or `安定门外大街3号院2号楼` in a compound. */
export function formatDoorPlate(address: Pick<Address, 'road' | 'number' | 'compound' | 'building' | 'unit'>): string {
  let text = `${address.road}${address.number}号`;
  if (address.compound) text += '院';
  if (address.building !== null) text += `${address.building}号楼`;
  if (address.unit !== null) text += `${address.unit}单元`;
  return text;
}
