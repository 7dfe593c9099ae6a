import { ConflictError } from '../../errors.js';
import type { Layer } from '../../model.js';
import type { StoreChange } from '../changes.js';
import { LAYER_ROWS, type TableMapping } from '../rows.js';
import { rowWithJsonText, TEXT_CAST_COLUMNS } from './postgis.js';
import type { Transaction } from './transactions.js';

/** A row the changes create exists already in the database: another writer took its key. */
export class KeyTaken extends Error {}

/**
 * Writes changes a local copy logged (write-through.ts, working-copy.ts) to PostGIS in the
 * transaction `tx`, holding the database's write lock (schema.ts). A changed row must still be,
 * in the database, the row the copy read (compare-and-set on the whole row), or ConflictError; a
 * created row must not exist yet, or KeyTaken. Returns the last change-log seq it made.
 */
export async function pushChanges(tx: Transaction, changes: StoreChange[]): Promise<number> {
  // the write lock first, before any row lock: wangge's writers then never wait on each other in a circle
  await tx.query('SELECT pg_advisory_xact_lock(110101, 2)');
  await tx.query("SELECT set_config('wangge.actor', $1, true)", [changes[0]!.actor]);
  for (const change of changes) {
    const mapping = LAYER_ROWS[change.layer] as unknown as TableMapping<unknown>;
    const after = fullRow(mapping, change.after!);
    const columns = mapping.columns;
    const values = columns.map((c) => after[c] ?? null);
    const placeholders = columns.map((c, i) => (c === 'geometry' ? `ST_SetSRID(ST_GeomFromGeoJSON($${i + 1}), 4326)` : `$${i + 1}`));
    if (change.layer === 'grids' && change.before !== null) {
      // a new version: the current one (as this replica read it) closes the day the new one starts
      const [current] = await tx.query(`SELECT ${readColumns(mapping)} FROM grids WHERE scheme = $1 AND code = $2 AND valid_to IS NULL FOR UPDATE`, [after.scheme as string, after.code as string]);
      if (current === undefined || !sameRow(mapping, current, { ...change.before, valid_to: null })) throw changedElsewhere(change);
      await tx.query('UPDATE grids SET valid_to = $1 WHERE scheme = $2 AND code = $3 AND valid_to IS NULL', [after.valid_from as string, after.scheme as string, after.code as string]);
    }
    if (change.before === null || change.layer === 'grids') {
      const conflictTarget = change.layer === 'grids' ? '(scheme, code, valid_from)' : `(${mapping.key})`;
      const inserted = await tx.query(`INSERT INTO ${mapping.table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) ON CONFLICT ${conflictTarget} DO NOTHING RETURNING 1`, values);
      if (inserted.length === 0) throw new KeyTaken(`${nounOf(change.layer)} ${change.key} was created by another writer at the same time; send the request again`);
      continue;
    }
    const [current] = await tx.query(`SELECT ${readColumns(mapping)} FROM ${mapping.table} WHERE ${mapping.key} = $1 FOR UPDATE`, [change.key]);
    if (current === undefined || !sameRow(mapping, current, change.before)) throw changedElsewhere(change);
    const assignments = placeholders.map((p, i) => `${columns[i]} = ${p}`);
    await tx.query(`UPDATE ${mapping.table} SET ${assignments.join(', ')} WHERE ${mapping.key} = $${columns.length + 1}`, [...values, change.key]);
  }
  const [{ seq }] = (await tx.query<{ seq: number }>("SELECT currval(pg_get_serial_sequence('changes', 'seq')) AS seq")) as [{ seq: number }];
  return seq;
}

function changedElsewhere(change: StoreChange): ConflictError {
  return new ConflictError(`${nounOf(change.layer)} ${change.key} was changed by another writer since this server read it; read it again and retry`);
}

function nounOf(layer: Layer): string {
  return { areas: 'area', grids: 'grid', components: 'component', houses: 'house', addresses: 'door plate', roads: 'road', pois: 'place', aliases: 'alias' }[layer];
}

/** A logged row (JSON columns parsed, no bounding box) as the table's full row: bounding box added, JSON as text. */
function fullRow(mapping: TableMapping<unknown>, logged: Record<string, unknown>): Record<string, unknown> {
  return mapping.toRow(mapping.fromRow(rowWithJsonText(mapping, logged)));
}

/** The columns a logged row holds, read as the change log holds them: GeoJSON and JSON parsed, dates as text. */
function readColumns(mapping: TableMapping<unknown>): string {
  return mapping.columns
    .filter((c) => !/^(min|max)_[xy]$/.test(c))
    .map((c) => (c === 'geometry' ? 'ST_AsGeoJSON(geometry, 17)::jsonb AS geometry' : TEXT_CAST_COLUMNS.has(c) && c !== 'aliases' ? `${c}::text AS ${c}` : c))
    .join(', ');
}

/** Whether the database's row is the row the replica read (every logged column, key order aside). */
function sameRow(mapping: TableMapping<unknown>, current: Record<string, unknown>, read: Record<string, unknown>): boolean {
  return mapping.columns.filter((c) => !/^(min|max)_[xy]$/.test(c)).every((c) => canonical(current[c]) === canonical(read[c]));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
