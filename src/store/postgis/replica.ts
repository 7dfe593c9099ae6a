import type { Sql, TransactionSql } from 'postgres';
import { LAYERS, type Layer } from '../../model.js';
import { Store } from '../store.js';
import { connectPostgis, readLayer } from './postgis.js';
import { redacted } from './build-district-postgis.js';
import { migratePostgis } from './schema.js';

/** Where a replica's copy came from, kept in its meta table. */
export const REPLICA_SOURCE_KEY = 'postgis_source';

/**
 * Copies the PostGIS database at `url` into a new SQLite file at `path`: every layer (grid
 * history included), the API keys and meta, so a `wangge serve` replica builds its in-memory
 * geocoding and tile indexes, and answers feature lookups, exactly as over its own file.
 * PostgreSQL stays the database of record; the copy is the replica's local cache of it, made at
 * start-up (`serve --store postgres://…`) and thrown away at exit. The copy is read in one
 * REPEATABLE READ transaction: one consistent moment of the database, even while it is written.
 * Brings the database's schema up to date first. Returns the change log position the copy is at.
 * `layers` limits the copy to what a one-shot command reads (API keys and meta are always copied).
 */
export async function copyPostgisToFile(url: string, path: string, { layers = LAYERS }: { layers?: readonly Layer[] } = {}): Promise<{ changeSeq: number }> {
  const sql = connectPostgis(url, { max: 1 });
  const store = Store.open(path, { bulk: true });
  try {
    // a database loaded by an older wangge gets this one's later migrations (all additive)
    await migratePostgis(sql);
    const changeSeq = await sql.begin('ISOLATION LEVEL REPEATABLE READ READ ONLY', async (tx) => {
      for (const layer of layers) {
        const records = await readLayer(tx, layer);
        store.transaction(() => store.insert(layer, records));
      }
      const keys = await readKeyRows(tx);
      const meta = await tx<{ key: string; value: string }[]>`SELECT key, value FROM meta`;
      const [{ seq } = { seq: 0 }] = await tx<{ seq: number }[]>`SELECT coalesce(max(seq), 0) AS seq FROM changes`;
      store.transaction(() => {
        replaceKeyRows(store, keys);
        for (const { key, value } of meta) store.setMeta(key, value);
        store.setMeta(REPLICA_SOURCE_KEY, JSON.stringify({ url: redacted(url), changeSeq: seq }));
      });
      return seq;
    });
    return { changeSeq };
  } finally {
    store.close();
    await sql.end();
  }
}

/** An API key row as both engines hold it, timestamps as the ISO text SQLite keeps. */
export interface KeyRow {
  id: number;
  name: string;
  scope: string;
  secret_hash: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
}

/** Every API key row in the PostGIS database, by id. */
export function readKeyRows(sql: Sql | TransactionSql): Promise<KeyRow[]> {
  return sql<KeyRow[]>`
    SELECT id, name, scope, secret_hash, prefix,
           to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at, to_char(revoked_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS revoked_at
    FROM api_keys ORDER BY id`;
}

/** Every API key row in a local copy, by id. */
export function localKeyRows(store: Store): KeyRow[] {
  return store.db.prepare('SELECT id, name, scope, secret_hash, prefix, created_at, revoked_at FROM api_keys ORDER BY id').all() as KeyRow[];
}

/** Makes a local copy's API keys these rows (inside the caller's transaction). */
export function replaceKeyRows(store: Store, rows: KeyRow[]): void {
  store.db.prepare('DELETE FROM api_keys').run();
  const insert = store.db.prepare('INSERT INTO api_keys (id, name, scope, secret_hash, prefix, created_at, revoked_at) VALUES (@id, @name, @scope, @secret_hash, @prefix, @created_at, @revoked_at)');
  for (const row of rows) insert.run(row);
}
