import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import { LAYER_TABLES, LAYERS, type Layer } from '../../model.js';
import { LAYER_ROWS, type LayerRecord, type TableMapping } from '../rows.js';

/** Whether a `--store` / WANGGE_STORE value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(store: string): boolean {
  return /^postgres(ql)?:\/\//i.test(store);
}

/**
 * A connection pool to a PostGIS database. Integers of 64 bits come back as numbers (ids and
 * sequence numbers stay far below 2^53), dates in ISO form, and the server's notices (such as
 * "extension already exists") are not printed.
 * @example const sql = connectPostgis('postgres://wangge@127.0.0.1/wangge'); … await sql.end();
 */
export function connectPostgis(url: string, { max = 4 }: { max?: number } = {}): Sql {
  return postgres(url, {
    max,
    // a database that is down is found out in seconds, not the default 30: a write answers 503 meanwhile
    connect_timeout: 3,
    // reconnects after an outage at most a second apart (the client's default grows to 20 s, so a
    // replica's follower could lag that long behind a database that is back)
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    onnotice: () => {},
    connection: { DateStyle: 'ISO, YMD', TimeZone: 'UTC', application_name: 'wangge' },
    types: {
      bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (text: string) => Number(text) },
    },
  });
}

/** Columns PostgreSQL types as date or jsonb, read back as the text SQLite holds. */
export const TEXT_CAST_COLUMNS = new Set(LAYERS.flatMap((layer) => LAYER_TABLES[layer].columns.filter((c) => c.type === 'date' || c.type === 'names').map((c) => c.name)));

/**
 * Bulk-loads records into their layer's table with COPY, inside the caller's transaction (so a
 * build is all or nothing): rows go as text into a temporary table whose geometry column is
 * GeoJSON text, then into the table through ST_GeomFromGeoJSON in one INSERT, so PostGIS itself
 * reads the geometries (exactly: it parses the same decimal text). Ids are kept as given.
 * Returns the number of rows loaded.
 */
export async function copyLayer<L extends Layer>(tx: TransactionSql, layer: L, records: Iterable<LayerRecord<L>>): Promise<number> {
  const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
  const { table, columns } = mapping;
  const stage = `load_${table}`;
  // only the loaded columns, without constraints (grids' id comes from its identity)
  await tx.unsafe(`CREATE TEMP TABLE ${stage} AS SELECT ${columns.join(', ')} FROM ${table} WITH NO DATA`);
  if (columns.includes('geometry')) await tx.unsafe(`ALTER TABLE ${stage} ALTER COLUMN geometry TYPE text`);
  let rows = 0;
  function* lines(): Generator<string> {
    let chunk = '';
    for (const record of records) {
      const row = mapping.toRow(record);
      chunk += columns.map((column) => copyText(row[column])).join('\t') + '\n';
      rows++;
      // fewer, larger writes, and a bounded buffer
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  // pipeline: an error on either side (a row PostgreSQL refuses) rejects, and the stream is closed
  await pipeline(Readable.from(lines()), await tx.unsafe(`COPY ${stage} (${columns.join(', ')}) FROM STDIN`).writable());
  const select = columns.map((column) => (column === 'geometry' ? 'ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326)' : column)).join(', ');
  await tx.unsafe(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select} FROM ${stage}`);
  await tx.unsafe(`DROP TABLE ${stage}`);
  return rows;
}

/** A value in COPY's text format: \N for null, backslash escapes for the characters it reserves. */
function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * Every record of a layer, in key order (grids: every version, in id order), mapped by the
 * same row mapping as the SQLite store (rows.ts): geometries come back as GeoJSON with every
 * digit a double needs, dates and JSON as the text SQLite holds.
 */
export async function readLayer<L extends Layer>(sql: Sql | TransactionSql, layer: L): Promise<LayerRecord<L>[]> {
  const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
  const select = mapping.columns
    .map((column) => (column === 'geometry' ? 'ST_AsGeoJSON(geometry, 17) AS geometry' : TEXT_CAST_COLUMNS.has(column) ? `${column}::text AS ${column}` : column))
    .join(', ');
  const order = layer === 'grids' ? 'id' : mapping.key;
  const rows = await sql.unsafe<Record<string, unknown>[]>(`SELECT ${select} FROM ${mapping.table} ORDER BY ${order}`);
  return rows.map((row) => mapping.fromRow(row));
}

/**
 * Moves each id sequence past the largest id stored, never back, so ids the database allocates
 * later never collide with ids given by a load or chosen by a working copy. `run` runs one
 * statement in the caller's transaction (either client). The change log's `seq` is not among
 * them: only the database allocates it.
 */
export async function advanceIdSequences(run: (statement: string) => Promise<unknown>): Promise<void> {
  for (const table of ['grids', 'houses', 'addresses', 'roads', 'pois', 'aliases', 'api_keys']) {
    await run(
      `SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence('${table}', 'id')::regclass AS s, (SELECT max(id) FROM ${table}) AS m) ids
       WHERE m IS NOT NULL AND m > coalesce(pg_sequence_last_value(s), 0)`,
    );
  }
}

/** A row with JSON columns parsed (the change log's form) as the row mapping reads it: JSON columns as text, as SQLite holds them. */
export function rowWithJsonText(mapping: TableMapping<unknown>, row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const column of mapping.jsonColumns) if (typeof out[column] !== 'string') out[column] = JSON.stringify(out[column]);
  return out;
}
