import { randomBytes } from 'node:crypto';
import { connectPostgis } from '../store/postgis/postgis.js';

/**
 * The PostgreSQL server the PostGIS suites use: the URL in WANGGE_TEST_POSTGRES (a role that may
 * create databases and the postgis extension). `.ci/run` starts one and sets it, so in CI these
 * suites run and fail when something is wrong; without it they are skipped
 * (`describe.skipIf(!testPostgres)`), and say so.
 */
export const testPostgres: string | undefined = process.env.WANGGE_TEST_POSTGRES || undefined;

if (testPostgres === undefined) console.warn('PostGIS suites skipped: set WANGGE_TEST_POSTGRES=postgres://user:password@127.0.0.1/db to run them (.ci/run does)');

/** A new, empty database on the test server, for one test file; `drop` removes it. */
export async function freshDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (testPostgres === undefined) throw new Error('freshDatabase needs WANGGE_TEST_POSTGRES');
  const database = `wangge_test_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = connectPostgis(testPostgres, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgres);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    drop: async () => {
      const sql = connectPostgis(testPostgres!, { max: 1 });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}
