import type { Geometry } from 'geojson';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { memberOf, storedDefault, type LayerTable } from '../layers/columns.js';
import { ADDRESSES, ALIASES, AREAS, COMPONENTS, GRIDS, HOUSES, POIS, ROADS, type Address, type AdminArea, type Alias, type Component, type Grid, type House, type Layer, type Poi, type Road } from '../model.js';

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

/**
 * The box of something that lies nowhere (min +∞, max −∞: it meets no box). An alias has no
 * geometry of its own; borrowing its canonical area's box would make a tile cache that drops
 * tiles by box throw away a whole district's tiles for a rename that draws nothing.
 */
export const EMPTY_BBOX: Readonly<BBox> = Object.freeze({ minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity });

/**
 * The row mapping of a layer table (src/layers/<layer>.ts), as SQLite holds its rows and the
 * PostGIS store reads them back (postgis.ts casts to the same text): booleans as 0 or 1, dates
 * as YYYY-MM-DD text, lists and geometries as JSON text, a geometry's box in min_x … max_y.
 */
function tableMapping<R>(layer: LayerTable): TableMapping<R> {
  const placed = layer.columns.some((c) => c.type === 'geometry');
  const columns = layer.columns.map((c) => ({ ...c, member: memberOf(c.name) }));
  return {
    table: layer.table,
    key: layer.key,
    columns: [...columns.map((c) => c.name), ...(placed ? BBOX_COLUMNS : [])],
    jsonColumns: columns.filter((c) => c.type === 'geometry' || c.type === 'names').map((c) => c.name),
    bbox: placed ? (row) => ({ minX: row.min_x as number, minY: row.min_y as number, maxX: row.max_x as number, maxY: row.max_y as number }) : () => EMPTY_BBOX,
    toRow(record) {
      const values = record as Record<string, unknown>;
      const row: Row = {};
      for (const c of columns) {
        const value = values[c.member];
        if (c.type === 'geometry') {
          const box = geometryBBox(value as Geometry);
          Object.assign(row, { min_x: box.minX, min_y: box.minY, max_x: box.maxX, max_y: box.maxY });
          row[c.name] = JSON.stringify(value);
        } else {
          const stored = value === undefined ? (storedDefault(c) ?? null) : value;
          row[c.name] = c.type === 'names' ? JSON.stringify(stored) : c.type === 'boolean' && stored !== null ? (stored ? 1 : 0) : stored;
        }
      }
      return row;
    },
    fromRow(row) {
      const record: Record<string, unknown> = {};
      for (const c of columns) {
        const value = row[c.name];
        // a logged row older than the column lacks it: what the column's schema default gave it
        if (value === undefined) record[c.member] = storedDefault(c) ?? null;
        else if (value === null) record[c.member] = c.type === 'names' ? [] : null;
        else if (c.type === 'geometry' || c.type === 'names') record[c.member] = JSON.parse(value as string);
        else if (c.type === 'boolean') record[c.member] = value === 1 || value === true;
        else if (c.type === 'integer' || c.type === 'real') record[c.member] = Number(value);
        else record[c.member] = String(value);
      }
      return record as R;
    },
  };
}

export const areaRows = tableMapping<AdminArea>(AREAS);
export const gridRows = tableMapping<Grid>(GRIDS);
export const componentRows = tableMapping<Component>(COMPONENTS);
export const houseRows = tableMapping<House>(HOUSES);
export const addressRows = tableMapping<Address>(ADDRESSES);
export const roadRows = tableMapping<Road>(ROADS);
export const poiRows = tableMapping<Poi>(POIS);
export const aliasRows = tableMapping<Alias>(ALIASES);

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
