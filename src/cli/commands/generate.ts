import { existsSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { ConflictError } from '../../errors.js';
import { buildDistrictDatabase } from '../../store/build-district.js';
import { buildDistrictPostgis, redacted } from '../../store/postgis/build-district-postgis.js';
import { isPostgresUrl } from '../../store/postgis/postgis.js';
import { integerFlag, parseFlags, UsageError } from '../args.js';
import type { Io } from '../io.js';

export const generateHelp = `wangge generate [--seed N] [--scale K] [--db PATH | --store URL] [--force]

Builds the default district (Dongcheng, 110101) into a new database: streets, communities,
~2,300 unit grids, 589 social grids, roads, ~29,000 houses with door plates, ~200,000 components,
~1,200 named places and the shipped aliases (data/aliases-110101.json).
  --seed N     generator seed (default 1, or $WANGGE_SEED); the same seed gives the same district
  --scale K    lay out K districts side by side with distinct codes (10 ≈ a city)
  --db PATH    database file (default data/dongcheng.db, or $WANGGE_DB)
  --store URL  a PostGIS database instead (postgres://user:password@host/db, or $WANGGE_STORE):
               the schema is created or migrated and every layer loaded with COPY; the user
               needs rights to create the postgis extension, or it must exist already
  --force      replace an existing database (PostGIS: empty its wangge tables first)`;

export async function generateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('generate', argv, {
    seed: { type: 'string' },
    scale: { type: 'string' },
    db: { type: 'string' },
    store: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help) return io.out(generateHelp), 0;
  const config = loadConfig({ dbPath: values.db, seed: values.seed });
  const scale = integerFlag(values.scale, 'scale', 1, 1);
  const store = values.store ?? process.env.WANGGE_STORE;
  if (store !== undefined && isPostgresUrl(store)) {
    if (values.db !== undefined) throw new UsageError('give --db (a SQLite file) or --store (a PostGIS URL), not both');
    const started = performance.now();
    const counts = await buildDistrictPostgis(store, { seed: config.seed, scale, replace: values.force, onProgress: (m) => io.err(m) });
    io.out(`${redacted(store)}: ${JSON.stringify(counts)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (store !== undefined) throw new UsageError(`--store: expected a postgres:// URL, got "${store}" (a SQLite file is given with --db)`);
  if (existsSync(config.dbPath) && !values.force) {
    throw new ConflictError(`${config.dbPath} exists; pass --force to replace it`);
  }
  const started = performance.now();
  const counts = buildDistrictDatabase(config.dbPath, { seed: config.seed, scale, onProgress: (m) => io.err(m) });
  const seconds = (performance.now() - started) / 1000;
  io.out(`${config.dbPath}: ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s`);
  return 0;
}
