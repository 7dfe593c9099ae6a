import { existsSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { ConflictError } from '../../errors.js';
import { buildDistrictDatabase } from '../../store/build-district.js';
import { buildDistrictPostgis, redacted } from '../../store/postgis/build-district-postgis.js';
import { integerFlag, parseFlags } from '../args.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP } from '../command-database.js';
import type { Io } from '../io.js';

export const generateHelp = `wangge generate [--seed N] [--scale K] [--db PATH | --store URL] [--force]

Builds the default district (Dongcheng, 110101) into a new database: streets, communities,
~2,300 unit grids, 589 social grids, roads, ~29,000 houses with door plates, ~200,000 components,
~1,200 named places and the shipped aliases (data/aliases-110101.json).
  --seed N             generator seed (default 1, or $WANGGE_SEED); the same seed gives the same district
  --scale K            lay out K districts side by side with distinct codes (10 ≈ a city)
${DATABASE_HELP}
                       PostGIS: the schema is created or migrated and every layer loaded with
                       COPY; the user needs rights to create the postgis extension, or it must
                       exist already
  --force              replace an existing database (PostGIS: empty its wangge tables first)`;

export async function generateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('generate', argv, {
    seed: { type: 'string' },
    scale: { type: 'string' },
    ...DATABASE_FLAGS,
    force: { type: 'boolean' },
  });
  if (values.help) return io.out(generateHelp), 0;
  const chosen = chosenDatabase(values);
  const config = loadConfig({ dbPath: chosen.dbPath, seed: values.seed });
  const scale = integerFlag(values.scale, 'scale', 1, 1);
  if (chosen.postgisUrl !== undefined) {
    const started = performance.now();
    const counts = await buildDistrictPostgis(chosen.postgisUrl, { seed: config.seed, scale, replace: values.force, onProgress: (m) => io.err(m) });
    io.out(`${redacted(chosen.postgisUrl)}: ${JSON.stringify(counts)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (existsSync(config.dbPath) && !values.force) {
    throw new ConflictError(`${config.dbPath} exists; pass --force to replace it`);
  }
  const started = performance.now();
  const counts = buildDistrictDatabase(config.dbPath, { seed: config.seed, scale, onProgress: (m) => io.err(m) });
  const seconds = (performance.now() - started) / 1000;
  io.out(`${config.dbPath}: ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s`);
  return 0;
}
