/**
 * What a layer module (src/layers/<layer>.ts) says about each column of its table, from which
 * the rest of wangge derives its part: the SQLite and PostGIS columns (store/rows.ts,
 * store/schema-columns.ts), import and write validation (ingest/layer-records.ts), the API's
 * feature properties and their OpenAPI schemas (http), and the tile attributes (tiles).
 *
 * One name everywhere: the snake_case `name` is the SQL column, the feature and import property
 * and the tile attribute; the record member is its camelCase (`floors_below` → `floorsBelow`).
 *
 * Adding a field is one edit in one module: a column in the table and the member in the record
 * type beside it (`layerTable` refuses to build when they disagree). A member the district
 * generator does not fill is optional (`roofColor?: string | null`): stored as null, or as the
 * column's default. `src/layers/added-field.test.ts` makes such an edit and follows the field
 * through import, export, the API, OpenAPI and the tiles.
 */

/** How a column's values are held (SQLite / PostgreSQL): */
export type ColumnType =
  /** TEXT / text */
  | 'text'
  /** INTEGER / integer (an id: bigint) */
  | 'integer'
  /** REAL / double precision */
  | 'real'
  /** INTEGER 0 or 1 / smallint 0 or 1 (one row mapping reads both) */
  | 'boolean'
  /** ISO YYYY-MM-DD as TEXT / date */
  | 'date'
  /** a list of text as JSON TEXT / jsonb */
  | 'names'
  /** GeoJSON TEXT with the box in min_x … max_y / geometry(Geometry, 4326) */
  | 'geometry';

/**
 * The rules of an attribute: a column the import and the write API read and check from its type
 * and these alone, that API features carry and OpenAPI documents, and tiles when `tile` says so.
 * Adding one to a layer's table is all it takes for a new field to reach them.
 */
export interface AttributeRules {
  /** the import refuses a feature without it */
  required?: boolean;
  /** inclusive bounds of a number */
  min?: number;
  max?: number;
  /** longest text an API write takes (imports are not limited) */
  maxLength?: number;
  /** the value when the input leaves it out: a constant, or one computed from the record's other members */
  default?: string | number | boolean | ((record: Readonly<Record<string, unknown>>) => unknown);
  /** what the OpenAPI document says of the default when it is computed */
  defaultText?: string;
  /** in the layer's vector tiles under its name: at every zoom, or from full detail on */
  tile?: 'every zoom' | 'full detail';
}

export interface Column {
  name: string;
  type: ColumnType;
  /** may be null (absent: never null) */
  nullable?: boolean;
  /** the only values it may take */
  values?: readonly string[];
  /** what it holds, for the API documentation and TileJSON */
  description?: string;
  /**
   * Present for an attribute (see AttributeRules). Absent for what the layer's own rules set:
   * keys, codes assigned by location, class and life-cycle fields, geometry.
   */
  attribute?: AttributeRules;
}

/** A layer's table: its name, the column that identifies a record, and its columns in order. */
export interface LayerTable {
  table: string;
  /** the column that identifies a record (for upserts and lookups) */
  key: string;
  columns: readonly Column[];
}

/** The record member a column fills: its name in camelCase. */
export function memberOf(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export type AttributeColumn = Column & { attribute: AttributeRules };

// per table, once: the import, API features and tiles ask for every record
const attributeColumns = new WeakMap<LayerTable, readonly AttributeColumn[]>();

/** The attribute columns of a layer, in table order. */
export function attributesOf(layer: LayerTable): readonly AttributeColumn[] {
  let columns = attributeColumns.get(layer);
  if (columns === undefined) attributeColumns.set(layer, (columns = layer.columns.filter((c): c is AttributeColumn => c.attribute !== undefined)));
  return columns;
}

/**
 * What a row holds for a column it was given no value for — a row stored before the column was
 * added (the database's DEFAULT), a record without the member, a logged row older than the
 * column: the constant default, else the first allowed value, else an empty list, else null for
 * a nullable column. Undefined when there is none: such a column cannot be added to stored rows.
 */
export function storedDefault(column: Column): string | number | boolean | readonly string[] | null | undefined {
  const fallback = column.attribute?.default;
  if (fallback !== undefined && typeof fallback !== 'function') return fallback;
  if (column.values !== undefined) return column.values[0];
  if (column.type === 'names') return [];
  return column.nullable ? null : undefined;
}

/** The attributes of a record as feature properties, in table order. */
export function attributeProperties(layer: LayerTable, record: object): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const column of attributesOf(layer)) properties[column.name] = (record as Record<string, unknown>)[memberOf(column.name)];
  return properties;
}

/** The record with its members in column order, whichever order it was built in. */
export function inColumnOrder<R extends object>(layer: LayerTable, record: R): R {
  const values = record as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const column of layer.columns) {
    const member = memberOf(column.name);
    if (member in values) ordered[member] = values[member];
  }
  return ordered as R;
}

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/**
 * A layer table checked against its record type at compile time: every member has a column and
 * every column a member, so a field added to one and not the other does not build.
 * @example export const HOUSES = layerTable<House>()({ table: 'houses', key: 'id', columns: [...] });
 */
export function layerTable<R>() {
  return <const C extends readonly Column[]>(
    table: { table: string; key: string; columns: C } & ([Exclude<keyof R, CamelCase<C[number]['name']>>] extends [never]
      ? [Exclude<CamelCase<C[number]['name']>, keyof R>] extends [never]
        ? unknown
        : { columnsWithoutMember: Exclude<CamelCase<C[number]['name']>, keyof R> }
      : { membersWithoutColumn: Exclude<keyof R, CamelCase<C[number]['name']>> }),
  ): LayerTable & { columns: C } => table;
}
