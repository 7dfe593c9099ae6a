import { ConflictError, UnavailableError } from '../../errors.js';
import type { Layer } from '../../model.js';
import { changesSince, lastChangeSeq, type StoreChange } from '../changes.js';
import { LAYER_ROWS, type TableMapping } from '../rows.js';
import type { Store } from '../store.js';
import type { TransactionSql } from 'postgres';
import type { PostgisFollower } from './follow.js';
import { connectPostgis, rowWithJsonText, TEXT_CAST_COLUMNS } from './postgis.js';

/** Thrown inside the local transaction to undo a dry run once its changes are read. */
const DRY_RUN = Symbol('dry run');

class KeyTaken extends Error {}

/** How long a write waits for the copy to catch up with the database before answering 503. */
const CATCH_UP_MS = 10_000;

/**
 * How a replica commits an API write (issue 10): PostgreSQL decides, the local copy follows.
 *
 * 1. The write runs as usual against the local copy — every rule, scope check, derived field and
 *    the id or serial it allocates — inside a transaction that is then rolled back; what it would
 *    have changed is read from the local change log (before and after of each row).
 * 2. Those changes are written to PostGIS in one transaction. A changed row must still be, in
 *    the database, the row this replica read (compare-and-set on the whole row): otherwise
 *    someone else changed it since, and the write is a 409 Conflict — read it again and retry.
 *    A new row must not exist yet: when another replica took the same serial or id at the same
 *    moment, the write runs once more holding the database's write lock (the one every logged
 *    write takes, schema.ts) with the copy caught up to the last change, so the serial or id it
 *    then chooses is the database's next free one: allocation never collides and never starves.
 * 3. The change-log trigger logs and announces the write; the replica waits until its follower
 *    has applied it to the copy, so the answer and the next read agree (read your writes), and
 *    every other replica sees it within a second.
 *
 * Writes through one replica are taken one at a time. Returns the `commit` the write routes use.
 */
export function writeThroughPostgis(url: string, store: Store, follower: PostgisFollower): { commit: <T>(work: () => T) => Promise<T>; close: () => Promise<void> } {
  const sql = connectPostgis(url, { max: 2 });
  let queue: Promise<unknown> = Promise.resolve();

  // waits, polling, until the copy has change `seq`; never spins: a follower that cannot read the
  // database (or was stopped at shutdown) makes poll() return at once, so it is asked every 50 ms
  // and given up on after CATCH_UP_MS
  const caughtUp = async (seq: number, committed: boolean): Promise<void> => {
    const started = performance.now();
    for (;;) {
      await follower.poll();
      if (follower.seq >= seq) return;
      if (performance.now() - started > CATCH_UP_MS) {
        const what = committed
          ? `the write was committed in the database (change ${seq}) but this server could not read it back; it shows once the server reaches the database again`
          : 'this server cannot bring its copy up to date with the database; nothing was written';
        throw new UnavailableError('database_unavailable', what, 5);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  async function once<T>(work: () => T): Promise<T> {
    try {
      const { result, changes } = dryRun(store, work);
      if (changes.length === 0) return result;
      await caughtUp(await sql.begin((tx) => push(tx, changes)), true);
      return result;
    } catch (error) {
      if (!(error instanceof KeyTaken)) throw error;
    }
    // another replica took the key: again, in turn with every other writer, from an up-to-date copy
    const { result, seq } = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(110101, 2)`;
      const [{ last }] = (await tx`SELECT coalesce(max(seq), 0) AS last FROM changes`) as unknown as [{ last: number }];
      await caughtUp(last, false);
      const run = dryRun(store, work);
      try {
        return { result: run.result, seq: run.changes.length === 0 ? 0 : await push(tx, run.changes) };
      } catch (error) {
        // cannot happen while every logged write takes the lock; a writer that bypasses it gets a conflict
        throw error instanceof KeyTaken ? new ConflictError(error.message) : error;
      }
    });
    await caughtUp(seq, true);
    return result;
  }

  return {
    commit<T>(work: () => T): Promise<T> {
      const next = queue.then(() => once(work)).catch((error: unknown) => {
        throw unreachable(error) ?? error;
      });
      queue = next.catch(() => undefined);
      return next;
    },
    close: () => sql.end({ timeout: 1 }),
  };
}

/** Runs `work` on the local copy and undoes it: its result and the changes it would have logged. */
function dryRun<T>(store: Store, work: () => T): { result: T; changes: StoreChange[] } {
  const from = lastChangeSeq(store.db);
  let outcome: { result: T; changes: StoreChange[] } | undefined;
  try {
    store.transaction(() => {
      const result = work();
      outcome = { result, changes: changesSince(store.db, from) };
      throw DRY_RUN;
    });
  } catch (error) {
    if (error !== DRY_RUN) throw error;
  }
  return outcome!;
}

/** Writes the changes to PostGIS in the transaction `tx` (module doc, step 2); the last change-log seq it made. */
async function push(tx: TransactionSql, changes: StoreChange[]): Promise<number> {
  // the write lock first, before any row lock: wangge's writers then never wait on each other in a circle
  await tx`SELECT pg_advisory_xact_lock(110101, 2)`;
  await tx`SELECT set_config('wangge.actor', ${changes[0]!.actor}, true)`;
  for (const change of changes) {
    const mapping = LAYER_ROWS[change.layer] as unknown as TableMapping<unknown>;
    const after = fullRow(mapping, change.after!);
    const columns = mapping.columns;
    const values = columns.map((c) => after[c] ?? null);
    const placeholders = columns.map((c, i) => (c === 'geometry' ? `ST_SetSRID(ST_GeomFromGeoJSON($${i + 1}), 4326)` : `$${i + 1}`));
    if (change.layer === 'grids' && change.before !== null) {
      // a new version: the current one (as this replica read it) closes the day the new one starts
      const [current] = await tx.unsafe(`SELECT ${readColumns(mapping)} FROM grids WHERE scheme = $1 AND code = $2 AND valid_to IS NULL FOR UPDATE`, [after.scheme as string, after.code as string]);
      if (current === undefined || !sameRow(mapping, current, { ...change.before, valid_to: null })) throw changedElsewhere(change);
      await tx.unsafe('UPDATE grids SET valid_to = $1 WHERE scheme = $2 AND code = $3 AND valid_to IS NULL', [after.valid_from as string, after.scheme as string, after.code as string]);
    }
    if (change.before === null || change.layer === 'grids') {
      const conflictTarget = change.layer === 'grids' ? '(scheme, code, valid_from)' : `(${mapping.key})`;
      const inserted = await tx.unsafe(`INSERT INTO ${mapping.table} (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) ON CONFLICT ${conflictTarget} DO NOTHING RETURNING 1`, values as never[]);
      if (inserted.length === 0) throw new KeyTaken(`${nounOf(change.layer)} ${change.key} was created by another writer at the same time; send the request again`);
      continue;
    }
    const [current] = await tx.unsafe(`SELECT ${readColumns(mapping)} FROM ${mapping.table} WHERE ${mapping.key} = $1 FOR UPDATE`, [change.key]);
    if (current === undefined || !sameRow(mapping, current, change.before)) throw changedElsewhere(change);
    const assignments = placeholders.map((p, i) => `${columns[i]} = ${p}`);
    await tx.unsafe(`UPDATE ${mapping.table} SET ${assignments.join(', ')} WHERE ${mapping.key} = $${columns.length + 1}`, [...values, change.key] as never[]);
  }
  const [{ seq }] = (await tx`SELECT currval(pg_get_serial_sequence('changes', 'seq')) AS seq`) as unknown as [{ seq: number }];
  return seq;
}

/** Error codes of a database that cannot be reached or went away (the postgres client's, the socket's, PostgreSQL's shutdown states). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03']);

/** A 503 for a write the database could not take because it cannot be reached; undefined for other errors. */
function unreachable(error: unknown): UnavailableError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !UNREACHABLE.has(code)) return undefined;
  // the connection may have gone during COMMIT: then the write may have been made after all
  return new UnavailableError('database_unavailable', `the database (PostGIS) cannot be reached (${code}); the write was not acknowledged — read the feature before sending it again`, 5, { cause: error });
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
