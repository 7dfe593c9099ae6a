import type Database from 'better-sqlite3';
import { storedDefault, type Column, type LayerTable } from '../layers/columns.js';
import { LAYER_TABLES, LAYERS, type Layer } from '../model.js';

/**
 * The columns of both engines as the layer modules (src/layers/) declare them. The migrations
 * (schema.ts, postgis/schema.ts) are history and stay as released; a column a layer module has
 * and a database lacks — a field added since — is added when the database is migrated, with its
 * type, NOT NULL and default, and its checks. `schema-columns.test.ts` and the PostGIS suite
 * check that what the migrations built is exactly what the modules say.
 */

const SQLITE_TYPES: Readonly<Record<Column['type'], string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  date: 'TEXT',
  names: 'TEXT',
  geometry: 'TEXT',
};

const POSTGIS_TYPES: Readonly<Record<Column['type'], string>> = {
  text: 'text',
  integer: 'integer',
  real: 'double precision',
  boolean: 'smallint',
  date: 'date',
  names: 'jsonb',
  geometry: 'geometry(Geometry, 4326)',
};

/** The SQL type of a column in each engine; in PostGIS an id, or a reference to one (`house_id`), is a bigint. */
export function columnType(column: Column, engine: 'sqlite' | 'postgis'): string {
  if (engine === 'postgis' && column.type === 'integer' && /(^|_)id$/.test(column.name)) return 'bigint';
  return (engine === 'sqlite' ? SQLITE_TYPES : POSTGIS_TYPES)[column.type];
}

/** `name TYPE [NOT NULL DEFAULT …] [CHECK (…)]`, as ALTER TABLE … ADD COLUMN takes it. */
export function columnDefinition(table: string, column: Column, engine: 'sqlite' | 'postgis'): string {
  const parts = [column.name, columnType(column, engine)];
  const fallback = storedDefault(column);
  if (fallback === undefined) {
    throw new Error(`${table}.${column.name} may not be null and has no constant default, so rows already stored have no value for it: add it with a migration`);
  }
  if (fallback !== null) parts.push(column.nullable ? 'DEFAULT' : 'NOT NULL DEFAULT', sqlLiteral(Array.isArray(fallback) ? JSON.stringify(fallback) : (fallback as string | number | boolean)));
  const checks = [
    column.values && `${column.name} IN (${column.values.map(sqlLiteral).join(', ')})`,
    column.type === 'boolean' && `${column.name} IN (0, 1)`,
    column.attribute?.min !== undefined && `${column.name} >= ${column.attribute.min}`,
    column.attribute?.max !== undefined && `${column.name} <= ${column.attribute.max}`,
  ].filter((check): check is string => typeof check === 'string');
  if (checks.length > 0) parts.push(`CHECK (${checks.join(' AND ')})`);
  return parts.join(' ');
}

function sqlLiteral(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

/** The layer tables, by layer: the modules' (tests pass others). */
type LayerTables = Readonly<Record<Layer, LayerTable>>;

/** Adds to a SQLite database the layer columns it lacks (inside the caller's transaction). */
export function addMissingColumns(db: Database.Database, tables: LayerTables = LAYER_TABLES): void {
  for (const layer of LAYERS) {
    const { table, columns } = tables[layer];
    const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    for (const column of columns) if (!present.has(column.name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${columnDefinition(table, column, 'sqlite')}`);
  }
}

/**
 * The statements that add to a PostGIS database the layer columns it lacks, given the columns
 * each table has; views over a table that gained columns are made again to show them.
 */
export function missingPostgisColumns(present: ReadonlyMap<string, ReadonlySet<string>>, tables: LayerTables = LAYER_TABLES): string[] {
  const statements: string[] = [];
  for (const layer of LAYERS) {
    const { table, columns } = tables[layer];
    const missing = columns.filter((c) => !present.get(table)?.has(c.name));
    for (const column of missing) statements.push(`ALTER TABLE ${table} ADD COLUMN ${columnDefinition(table, column, 'postgis')}`);
    const view = CURRENT_VIEWS[table];
    if (missing.length > 0 && view !== undefined) statements.push(`CREATE OR REPLACE VIEW current_${table} AS SELECT * FROM ${table} WHERE ${view}`);
  }
  return statements;
}

/** The views of current features (postgis/schema.ts migration 1): table → its condition. */
export const CURRENT_VIEWS: Readonly<Record<string, string>> = {
  grids: 'valid_to IS NULL',
  houses: "status = '在用'",
  addresses: "status = '在用'",
};
