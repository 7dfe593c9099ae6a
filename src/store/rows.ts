import type { Geometry } from 'geojson';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import type { Address, AdminArea, Alias, Component, Grid, House, Layer, LifeStatus, Poi, Road } from '../model.js';

/** How one layer's records map to and from its table's rows. */
export interface TableMapping<R> {
  table: string;
  /** the column that identifies a record (for upserts and lookups) */
  key: string;
  columns: readonly string[];
  /** columns holding JSON text, which the change log keeps parsed */
  jsonColumns: readonly string[];
  toRow(record: R): Record<string, unknown>;
  fromRow(row: Record<string, unknown>): R;
  /** where a stored row lies, for the change log */
  bbox(row: Record<string, unknown>): BBox;
}

type Row = Record<string, unknown>;

const BBOX_COLUMNS = ['min_x', 'min_y', 'max_x', 'max_y'] as const;

/** What every table with a geometry shares: the GeoJSON column and the box kept beside it. */
const PLACED = {
  jsonColumns: ['geometry'],
  bbox: (row: Row): BBox => ({ minX: row.min_x as number, minY: row.min_y as number, maxX: row.max_x as number, maxY: row.max_y as number }),
} as const;

/**
 * The box of something that lies nowhere (min +∞, max −∞: it meets no box). An alias has no
 * geometry of its own; borrowing its canonical area's box would make a tile cache that drops
 * tiles by box throw away a whole district's tiles for a rename that draws nothing.
 */
export const EMPTY_BBOX: Readonly<BBox> = Object.freeze({ minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity });

function withGeometry(row: Row, geometry: Geometry): Row {
  const box = geometryBBox(geometry);
  return { ...row, geometry: JSON.stringify(geometry), min_x: box.minX, min_y: box.minY, max_x: box.maxX, max_y: box.maxY };
}

const parse = <G>(row: Row): G => JSON.parse(row.geometry as string) as G;
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const areaRows: TableMapping<AdminArea> = {
  ...PLACED,
  table: 'admin_areas',
  key: 'code',
  columns: ['code', 'level', 'name', 'parent_code', 'geometry', ...BBOX_COLUMNS],
  toRow: (a) => withGeometry({ code: a.code, level: a.level, name: a.name, parent_code: a.parentCode }, a.geometry),
  fromRow: (r) => ({
    code: r.code as string,
    level: r.level as AdminArea['level'],
    name: r.name as string,
    parentCode: text(r.parent_code),
    geometry: parse(r),
  }),
};

export const gridRows: TableMapping<Grid> = {
  ...PLACED,
  table: 'grids',
  key: 'id',
  columns: ['scheme', 'code', 'dynamic_code', 'name', 'community_code', 'geometry', 'area_m2', 'valid_from', 'valid_to', ...BBOX_COLUMNS],
  toRow: (g) =>
    withGeometry(
      {
        scheme: g.scheme,
        code: g.code,
        dynamic_code: g.dynamicCode,
        name: g.name,
        community_code: g.communityCode,
        area_m2: g.areaM2,
        valid_from: g.validFrom,
        valid_to: g.validTo,
      },
      g.geometry,
    ),
  fromRow: (r) => ({
    scheme: r.scheme as Grid['scheme'],
    code: r.code as string,
    dynamicCode: text(r.dynamic_code),
    name: r.name as string,
    communityCode: r.community_code as string,
    geometry: parse(r),
    areaM2: r.area_m2 as number,
    validFrom: r.valid_from as string,
    validTo: text(r.valid_to),
  }),
};

export const componentRows: TableMapping<Component> = {
  ...PLACED,
  table: 'components',
  key: 'code',
  columns: [
    'code', 'major', 'minor', 'name', 'status', 'dept_main', 'dept_owner', 'dept_maintain',
    'initial_date', 'change_date', 'data_source', 'geometry', 'unit_grid_code', ...BBOX_COLUMNS,
  ],
  toRow: (c) =>
    withGeometry(
      {
        code: c.code,
        major: c.major,
        minor: c.minor,
        name: c.name,
        status: c.status,
        dept_main: c.deptMain,
        dept_owner: c.deptOwner,
        dept_maintain: c.deptMaintain,
        initial_date: c.initialDate,
        change_date: c.changeDate,
        data_source: c.dataSource,
        unit_grid_code: c.unitGridCode,
      },
      c.geometry,
    ),
  fromRow: (r) => ({
    code: r.code as string,
    major: r.major as string,
    minor: r.minor as string,
    name: r.name as string,
    status: r.status as Component['status'],
    deptMain: r.dept_main as string,
    deptOwner: text(r.dept_owner),
    deptMaintain: text(r.dept_maintain),
    initialDate: r.initial_date as string,
    changeDate: text(r.change_date),
    dataSource: text(r.data_source),
    geometry: parse(r),
    unitGridCode: text(r.unit_grid_code),
  }),
};

export const houseRows: TableMapping<House> = {
  ...PLACED,
  table: 'houses',
  key: 'id',
  columns: [
    'id', 'geometry', 'floors', 'floors_below', 'height_m', 'use', 'year_built', 'households',
    'address', 'unit_grid_code', 'social_static_code', 'status', 'retired_on', ...BBOX_COLUMNS,
  ],
  toRow: (h) =>
    withGeometry(
      {
        id: h.id,
        floors: h.floors,
        floors_below: h.floorsBelow,
        height_m: h.heightM,
        use: h.use,
        year_built: h.yearBuilt,
        households: h.households,
        address: h.address,
        unit_grid_code: h.unitGridCode,
        social_static_code: h.socialStaticCode,
        status: h.status,
        retired_on: h.retiredOn,
      },
      h.geometry,
    ),
  fromRow: (r) => ({
    id: r.id as number,
    geometry: parse(r),
    floors: r.floors as number,
    floorsBelow: r.floors_below as number,
    heightM: r.height_m as number,
    use: r.use as string,
    yearBuilt: int(r.year_built),
    households: r.households as number,
    address: text(r.address),
    unitGridCode: text(r.unit_grid_code),
    socialStaticCode: text(r.social_static_code),
    status: (r.status as LifeStatus | undefined) ?? '在用',
    retiredOn: text(r.retired_on),
  }),
};

export const addressRows: TableMapping<Address> = {
  ...PLACED,
  table: 'addresses',
  key: 'id',
  columns: ['id', 'road', 'number', 'compound', 'building', 'unit', 'geometry', 'house_id', 'status', 'retired_on', ...BBOX_COLUMNS],
  toRow: (a) =>
    withGeometry(
      {
        id: a.id,
        road: a.road,
        number: a.number,
        compound: a.compound ? 1 : 0,
        building: a.building,
        unit: a.unit,
        house_id: a.houseId,
        status: a.status,
        retired_on: a.retiredOn,
      },
      a.geometry,
    ),
  fromRow: (r) => ({
    id: r.id as number,
    road: r.road as string,
    number: r.number as number,
    compound: r.compound === 1,
    building: int(r.building),
    unit: int(r.unit),
    geometry: parse(r),
    houseId: int(r.house_id),
    status: (r.status as LifeStatus | undefined) ?? '在用',
    retiredOn: text(r.retired_on),
  }),
};

export const roadRows: TableMapping<Road> = {
  ...PLACED,
  table: 'roads',
  key: 'id',
  columns: ['id', 'name', 'kind', 'geometry', ...BBOX_COLUMNS],
  toRow: (r) => withGeometry({ id: r.id, name: r.name, kind: r.kind }, r.geometry),
  fromRow: (r) => ({ id: r.id as number, name: r.name as string, kind: r.kind as Road['kind'], geometry: parse(r) }),
};

export const poiRows: TableMapping<Poi> = {
  ...PLACED,
  jsonColumns: ['geometry', 'aliases'],
  table: 'pois',
  key: 'id',
  columns: ['id', 'name', 'aliases', 'category', 'geometry', 'address', 'unit_grid_code', 'social_static_code', ...BBOX_COLUMNS],
  toRow: (p) =>
    withGeometry(
      {
        id: p.id,
        name: p.name,
        aliases: JSON.stringify(p.aliases),
        category: p.category,
        address: p.address,
        unit_grid_code: p.unitGridCode,
        social_static_code: p.socialStaticCode,
      },
      p.geometry,
    ),
  fromRow: (r) => ({
    id: r.id as number,
    name: r.name as string,
    aliases: JSON.parse(r.aliases as string) as string[],
    category: r.category as string,
    geometry: parse(r),
    address: text(r.address),
    unitGridCode: text(r.unit_grid_code),
    socialStaticCode: text(r.social_static_code),
  }),
};

export const aliasRows: TableMapping<Alias> = {
  table: 'aliases',
  key: 'id',
  columns: ['id', 'alias', 'level', 'canonical', 'code', 'valid_from', 'valid_to', 'note'],
  jsonColumns: [],
  bbox: () => EMPTY_BBOX,
  toRow: (a) => ({
    id: a.id,
    alias: a.alias,
    level: a.level,
    canonical: a.canonical,
    code: a.code,
    valid_from: a.validFrom,
    valid_to: a.validTo,
    note: a.note,
  }),
  fromRow: (r) => ({
    id: r.id as number,
    alias: r.alias as string,
    level: r.level as Alias['level'],
    canonical: r.canonical as string,
    code: text(r.code),
    validFrom: text(r.valid_from),
    validTo: text(r.valid_to),
    note: text(r.note),
  }),
};

/** The mapping of each layer, for code that handles layers generically (import, export, counts). */
export const LAYER_ROWS = {
  areas: areaRows,
  grids: gridRows,
  components: componentRows,
  houses: houseRows,
  addresses: addressRows,
  roads: roadRows,
  pois: poiRows,
  aliases: aliasRows,
  // `any` here only checks the keys; each entry keeps its own record type
} as const satisfies Record<Layer, TableMapping<any>>;

export type LayerRecord<L extends Layer> = (typeof LAYER_ROWS)[L] extends TableMapping<infer R> ? R : never;
