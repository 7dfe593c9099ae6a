import { ConflictError } from '../../errors.js';
import { LAYERS } from '../../model.js';
import { generatedDistricts, recordsOf, type BuildOptions } from '../build-district.js';
import type { Sql } from 'postgres';
import { COUNT_QUERIES, type StoreCounts } from '../store.js';
import { connectPostgis, copyLayer, advanceIdSequences } from './postgis.js';
import { migratePostgis } from './schema.js';

/** Tables a replacing build empties: every layer, the change log, keys and meta (as a new SQLite file has none). */
const BUILT_TABLES = ['admin_areas', 'grids', 'components', 'houses', 'addresses', 'roads', 'pois', 'aliases', 'changes', 'api_keys', 'meta'];

/**
 * Generates the default district (Dongcheng) into the PostGIS database at `url`, as
 * `buildDistrictDatabase` does into a SQLite file: the schema is created or migrated, each layer
 * is loaded with COPY, and ids allocated later follow the loaded ones; all in one transaction, so
 * a failed build leaves the database as it was. A database that already holds a district is
 * refused unless `replace` (then emptied first).
 */
export async function buildDistrictPostgis(url: string, options: BuildOptions & { replace?: boolean } = {}): Promise<StoreCounts> {
  const sql = connectPostgis(url);
  try {
    await migratePostgis(sql);
    const [{ areas } = { areas: 0 }] = await sql<{ areas: number }[]>`SELECT count(*) AS areas FROM admin_areas`;
    if (areas > 0 && !options.replace) throw new ConflictError(`${redacted(url)} already holds a district (${areas} areas); pass --force to replace it`);
    const generated = generatedDistricts(options);
    await sql.begin(async (tx) => {
      // a build is not logged as changes, as in SQLite (the change log trigger reads this)
      await tx`SELECT set_config('wangge.bulk', 'on', true)`;
      await tx.unsafe(`TRUNCATE ${BUILT_TABLES.join(', ')}`);
      for (const district of generated.districts) {
        for (const layer of LAYERS) await copyLayer(tx, layer, recordsOf(district, layer));
      }
      await tx`INSERT INTO meta (key, value) VALUES ('generator', ${generated.meta})`;
      await advanceIdSequences((statement) => tx.unsafe(statement));
    });
    // fresh statistics, so the first spatial queries plan with the GiST indexes
    await sql`ANALYZE`;
    return await countsOf(sql);
  } finally {
    await sql.end();
  }
}

/** Feature counts as /health reports them (Store.counts), read from PostGIS. */
async function countsOf(sql: Sql): Promise<StoreCounts> {
  const counts = {} as StoreCounts;
  for (const [name, query] of Object.entries(COUNT_QUERIES)) {
    const [row] = await sql.unsafe<{ count: number }[]>(query);
    counts[name as keyof StoreCounts] = row!.count;
  }
  return counts;
}

/** A database URL as messages show it: without its password. */
export function redacted(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
