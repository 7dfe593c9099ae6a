import type { Geometry, LineString, MultiPolygon, Point, Polygon } from 'geojson';

/**
 * The records wangge stores, one interface per table. Codes follow docs/codes.md;
 * geometries are WGS84 GeoJSON with RFC 7946 winding. Dates are ISO `YYYY-MM-DD`.
 */

export type AreaGeometry = Polygon | MultiPolygon;

export type AdminLevel = 'district' | 'street' | 'community';

/** A district, street (街道) or community (社区) with its boundary. */
export interface AdminArea {
  code: string;
  level: AdminLevel;
  name: string;
  /** the enclosing area's code; null for a district */
  parentCode: string | null;
  geometry: AreaGeometry;
}

export type GridScheme = 'unit' | 'social';

/** One version of a grid; history is kept by closing `validTo` and adding a new row. */
export interface Grid {
  scheme: GridScheme;
  /** unit grid: the 15-digit code; social grid: the 16-digit static code */
  code: string;
  /** social grids only: the 6-digit boundary version (year + version) */
  dynamicCode: string | null;
  name: string;
  communityCode: string;
  geometry: AreaGeometry;
  areaM2: number;
  validFrom: string;
  /** null while the version is current */
  validTo: string | null;
}

export const COMPONENT_STATUSES = ['完好', '破损', '丢失', '占用', '废弃'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** A city component (部件): manhole cover, street lamp, hydrant, … */
export interface Component {
  code: string;
  major: string;
  minor: string;
  name: string;
  status: ComponentStatus;
  /** 主管部门 */
  deptMain: string;
  /** 权属单位 */
  deptOwner: string | null;
  /** 养护单位 */
  deptMaintain: string | null;
  initialDate: string;
  changeDate: string | null;
  dataSource: string | null;
  geometry: Point | LineString | Polygon;
  /** the unit grid holding the component's representative point */
  unitGridCode: string | null;
}

/** Houses and door plates are never deleted: a retired one (废弃) keeps its record and the day it was retired. */
export const LIFE_STATUSES = ['在用', '废弃'] as const;
export type LifeStatus = (typeof LIFE_STATUSES)[number];

/** A building: footprint plus what a 2.5D map and the population base need. */
export interface House {
  id: number;
  geometry: Polygon;
  floors: number;
  floorsBelow: number;
  heightM: number;
  use: string;
  yearBuilt: number | null;
  households: number;
  /** canonical door-plate address, e.g. 北京市东城区东华门街道多福巷社区多福巷12号 */
  address: string | null;
  unitGridCode: string | null;
  socialStaticCode: string | null;
  status: LifeStatus;
  retiredOn: string | null;
}

/** A door plate (门楼牌): `<road>N号`, or `<road>N号院M号楼` in a compound. */
export interface Address {
  id: number;
  road: string;
  number: number;
  /** true for a compound gate (N号院) */
  compound: boolean;
  building: number | null;
  unit: number | null;
  geometry: Point;
  houseId: number | null;
  status: LifeStatus;
  retiredOn: string | null;
}

/** A named road, street or hutong centreline. */
export interface Road {
  id: number;
  name: string;
  kind: 'main' | 'hutong';
  geometry: LineString;
}

/**
 * A named place (地名 / 兴趣点): a landmark, school, hospital, park, residential compound (小区 / 院),
 * market, subway entrance … Geocoding answers a query naming it at level `poi`.
 */
export interface Poi {
  id: number;
  name: string;
  /** other names people use for it (地坛 for 地坛公园); may be empty */
  aliases: string[];
  /** what kind of place: 学校, 医院, 公园, 小区, 市场, 地铁站出入口, 景点, 公交站, … (free text) */
  category: string;
  geometry: Point | Polygon | MultiPolygon;
  /** its door-plate address when known */
  address: string | null;
  /** the grids holding its representative point, assigned on import */
  unitGridCode: string | null;
  socialStaticCode: string | null;
}

export const ALIAS_LEVELS = ['district', 'street', 'community', 'road'] as const;
export type AliasLevel = (typeof ALIAS_LEVELS)[number];

/**
 * Another name for a district, street, community or road: a former name (崇文区, merged into 东城区
 * in 2010), a colloquial short form (崇外 for 崇文门外), a common misspelling. The geocoder reads
 * the alias as the canonical name and says so in its answer.
 */
export interface Alias {
  id: number;
  /** the name people write: 崇文区 */
  alias: string;
  level: AliasLevel;
  /** today's name as the store spells it: 东城区 */
  canonical: string;
  /** today's code of the canonical area (6/9/12 digits), null for roads */
  code: string | null;
  /** the days the alias was the official name (validTo: the day it stopped); null = open */
  validFrom: string | null;
  validTo: string | null;
  note: string | null;
}

export type Layer = 'areas' | 'grids' | 'components' | 'houses' | 'addresses' | 'roads' | 'pois' | 'aliases';
export const LAYERS: readonly Layer[] = ['areas', 'grids', 'components', 'houses', 'addresses', 'roads', 'pois', 'aliases'];

/** The layers keyed by an integer id, which import hands out in order when a record brings none. */
export type IdLayer = 'houses' | 'addresses' | 'roads' | 'pois' | 'aliases';

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
