import { loadConfig } from '../config.js';
import { StoreError } from '../errors.js';
import type { Layer } from '../model.js';
import { redacted } from '../store/postgis/build-district-postgis.js';
import { isPostgresUrl } from '../store/postgis/postgis.js';
import { openWorkingCopy } from '../store/postgis/working-copy.js';
import { UsageError } from './args.js';
import type { Io } from './io.js';

/** The flags that choose a command's database; every command takes them. */
export const DATABASE_FLAGS = { db: { type: 'string' }, store: { type: 'string' } } as const;

export const DATABASE_HELP = `  --db PATH            database file (default data/dongcheng.db, or $WANGGE_DB)
  --store URL|PATH     the store: a PostGIS database (postgres://user:password@host/db) or a
                       database file; or $WANGGE_STORE`;

/** The database a command runs on: a SQLite file, or a PostGIS database. */
export type ChosenDatabase = { dbPath: string; postgisUrl?: undefined } | { postgisUrl: string; dbPath?: undefined };

/**
 * Reads --db / --store. The flags beat the environment: --store, then --db, then $WANGGE_STORE,
 * then $WANGGE_DB and the default file (config.ts). `--store FILE` is the same as `--db FILE`.
 */
export function chosenDatabase(values: { db?: string; store?: string }): ChosenDatabase {
  if (values.store !== undefined && values.db !== undefined) throw new UsageError('give --db (a database file) or --store (a PostGIS URL or a file), not both');
  // an empty $WANGGE_STORE is unset, as shells and service files leave it
  const store = values.store ?? (values.db === undefined ? process.env.WANGGE_STORE || undefined : undefined);
  if (store === '') throw new UsageError('--store is empty: give a postgres:// URL or a database file');
  if (store !== undefined && isPostgresUrl(store)) return { postgisUrl: store };
  return { dbPath: loadConfig({ dbPath: store ?? values.db }).dbPath };
}

/**
 * Runs a one-shot command on its database: a file as it is; a PostGIS database through a working
 * copy (store/postgis/working-copy.ts) that the command reads like a file, and — when it `writes`
 * and succeeds (exit 0) — whose changes then go back to PostGIS in one transaction. `layers`:
 * the only layers the command reads, when it reads few (the copy is then that much quicker).
 */
export async function onChosenDatabase(
  chosen: ChosenDatabase,
  { writes, io, layers }: { writes: boolean; io: Io; layers?: readonly Layer[] },
  run: (dbPath: string) => Promise<number>,
): Promise<number> {
  if (chosen.postgisUrl === undefined) return run(chosen.dbPath);
  const copy = await openWorkingCopy(chosen.postgisUrl, { layers }).catch((error: unknown) => {
    throw new StoreError(`cannot read ${redacted(chosen.postgisUrl)}: ${(error as Error).message}`, { cause: error });
  });
  try {
    const code = await run(copy.path);
    if (!writes || code !== 0) return code;
    const written = await copy.writeBack();
    io.err(`${redacted(chosen.postgisUrl)}: wrote ${written.changes} changes${written.keys > 0 ? ` and ${written.keys} API keys` : ''}`);
    return code;
  } finally {
    copy.remove();
  }
}
