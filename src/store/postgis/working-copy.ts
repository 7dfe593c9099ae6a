import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictError } from '../../errors.js';
import type { Layer } from '../../model.js';
import { changesSince, lastChangeSeq } from '../changes.js';
import { Store } from '../store.js';
import { redacted } from './build-district-postgis.js';
import { advanceIdSequences } from './postgis.js';
import { KeyTaken, pushChanges } from './push-changes.js';
import { copyPostgisToFile, localKeyRows, type KeyRow } from './replica.js';
import { transactionPool, type Transaction } from './transactions.js';

/** A PostGIS database as a one-shot command sees it: a SQLite file, and a way to write back. */
export interface WorkingCopy {
  /** the copy: open it with Store.open, as any database file */
  path: string;
  /**
   * Writes what the command changed in the copy back to PostGIS in one transaction: the layer
   * rows it logged (compare-and-set, as replica writes: a row someone changed in the database
   * since the copy was made fails it all, nothing written) and the API keys it created or revoked.
   * Returns how many changes and keys were written.
   */
  writeBack(): Promise<{ changes: number; keys: number }>;
  /** removes the copy */
  remove(): void;
}

/**
 * How the one-shot commands (import, export, keys, tiles export, reverse, geocode) take
 * `--store postgres://…`: the database is copied into a temporary SQLite file in one snapshot
 * (replica.ts, a few seconds for a district), the command runs on the copy exactly as on a file —
 * every rule, message and exit code the same — and a command that writes hands its changes back
 * with `writeBack`. One code path for both engines, at the price of a copy per command; a GIS user
 * who wants a single row reads it with SQL. A command that reads few layers names them in
 * `layers` and waits for those alone (`keys`: the areas its scopes name, well under a second).
 */
export async function openWorkingCopy(url: string, { layers }: { layers?: readonly Layer[] } = {}): Promise<WorkingCopy> {
  const dir = mkdtempSync(join(tmpdir(), 'wangge-copy-'));
  const path = join(dir, 'copy.db');
  try {
    await copyPostgisToFile(url, path, { layers });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const copied = Store.open(path, { readonly: true });
  const fromSeq = lastChangeSeq(copied.db);
  const keysBefore = new Map(localKeyRows(copied).map((k) => [k.id, JSON.stringify(k)]));
  copied.close();

  return {
    path,
    async writeBack() {
      const store = Store.open(path, { readonly: true });
      // -1: every change, however many an import made
      const changes = changesSince(store.db, fromSeq, -1);
      const keys = localKeyRows(store).filter((k) => keysBefore.get(k.id) !== JSON.stringify(k));
      store.close();
      if (changes.length === 0 && keys.length === 0) return { changes: 0, keys: 0 };
      const pool = transactionPool(url, { max: 1 });
      try {
        await pool.transaction(async (tx) => {
          if (changes.length > 0) await pushChanges(tx, changes);
          for (const key of keys) await writeKey(tx, key, keysBefore.has(key.id));
          // ids were chosen by the copy: SQL inserts after this one must not take them again
          await advanceIdSequences((statement) => tx.query(statement));
        });
      } catch (error) {
        if (error instanceof KeyTaken || error instanceof ConflictError) {
          throw new ConflictError(`${error.message.replace(/; (send the request|read it) again.*$/, '')}; nothing was written to ${redacted(url)} — run the command again`);
        }
        throw error;
      } finally {
        await pool.end();
      }
      return { changes: changes.length, keys: keys.length };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A key the command created (insert, its id as the copy chose it) or revoked (revocation time set once). */
async function writeKey(tx: Transaction, key: KeyRow, existed: boolean): Promise<void> {
  if (existed) {
    await tx.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1::timestamptz) WHERE id = $2', [key.revoked_at, key.id]);
    return;
  }
  const inserted = await tx.query(
    `INSERT INTO api_keys (id, name, scope, secret_hash, prefix, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO NOTHING RETURNING 1`,
    [key.id, key.name, key.scope, key.secret_hash, key.prefix, key.created_at, key.revoked_at],
  );
  if (inserted.length === 0) throw new KeyTaken(`API key id ${key.id} was taken by another key created at the same time`);
}
