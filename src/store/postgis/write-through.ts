import { ConflictError, UnavailableError } from '../../errors.js';
import { changesSince, lastChangeSeq, type StoreChange } from '../changes.js';
import type { Store } from '../store.js';
import type { PostgisFollower } from './follow.js';
import { KeyTaken, pushChanges } from './push-changes.js';
import { connectionLost, transactionPool } from './transactions.js';

/** Thrown inside the local transaction to undo a dry run once its changes are read. */
const DRY_RUN = Symbol('dry run');

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
  const pool = transactionPool(url, { max: 2 });
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
      await caughtUp(await pool.transaction((tx) => pushChanges(tx, changes)), true);
      return result;
    } catch (error) {
      if (!(error instanceof KeyTaken)) throw error;
    }
    // another replica took the key: again, in turn with every other writer, from an up-to-date copy
    const { result, seq } = await pool.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(110101, 2)');
      const [{ last }] = (await tx.query<{ last: number }>('SELECT coalesce(max(seq), 0) AS last FROM changes')) as [{ last: number }];
      await caughtUp(last, false);
      const run = dryRun(store, work);
      try {
        return { result: run.result, seq: run.changes.length === 0 ? 0 : await pushChanges(tx, run.changes) };
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
    close: () => pool.end(),
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

/** A 503 for a write the database could not take because it cannot be reached; undefined for other errors. */
function unreachable(error: unknown): UnavailableError | undefined {
  if (!connectionLost(error)) return undefined;
  const why = (error as { code?: unknown }).code ?? (error as Error).message;
  // the connection may have gone during COMMIT: then the write may have been made after all
  return new UnavailableError('database_unavailable', `the database (PostGIS) cannot be reached (${String(why)}); the write was not acknowledged — read the feature before sending it again`, 5, { cause: error });
}

