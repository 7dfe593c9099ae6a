import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDistrictPostgis } from '../store/postgis/build-district-postgis.js';
import { connectPostgis } from '../store/postgis/postgis.js';
import { processAlive } from './process-alive.js';

/**
 * The PostgreSQL server the PostGIS suites use: the URL in WANGGE_TEST_POSTGRES (a role that may
 * create databases and the postgis extension). `.ci/run` starts one and sets it, so in CI these
 * suites run and fail when something is wrong; without it they are skipped
 * (`describe.skipIf(!testPostgres)`), and say so.
 */
export const testPostgres: string | undefined = process.env.WANGGE_TEST_POSTGRES || undefined;

if (testPostgres === undefined) console.warn('PostGIS suites skipped: set WANGGE_TEST_POSTGRES=postgres://user:password@127.0.0.1/db to run them (.ci/run does)');

/** A new database on the test server (empty, or a copy of `template`), for one test file; `drop` removes it. */
export async function freshDatabase(name: string, template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (testPostgres === undefined) throw new Error('freshDatabase needs WANGGE_TEST_POSTGRES');
  const database = `wangge_test_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const admin = connectPostgis(testPostgres, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${database}${template === undefined ? '' : ` TEMPLATE ${template}`}`);
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

/**
 * A new database holding the default district (as `buildDistrictPostgis` makes it), for one test
 * file: cloned from a template built once per test run (CREATE DATABASE … TEMPLATE, ~1 s instead
 * of a ~12 s build per file). The first file to ask builds it, under a lock the others wait on.
 */
export async function districtDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (testPostgres === undefined) throw new Error('districtDatabase needs WANGGE_TEST_POSTGRES');
  // the test files of one run are children of one vitest process
  const template = `wangge_template_${process.ppid}`;
  // one connection, so the session lock and every statement share it
  const admin = connectPostgis(testPostgres, { max: 1 });
  try {
    await admin`SELECT pg_advisory_lock(110101, 3)`;
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${template}`;
    if (exists === undefined) {
      // templates of earlier runs whose vitest is gone
      for (const { datname } of await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'wangge_template_%'`) {
        if (!processAlive(Number(datname.slice('wangge_template_'.length)))) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      }
      await admin.unsafe(`CREATE DATABASE ${template}`);
      await buildDistrictPostgis(Object.assign(new URL(testPostgres), { pathname: `/${template}` }).toString());
    }
    await admin`SELECT pg_advisory_unlock(110101, 3)`;
  } finally {
    await admin.end();
  }
  return freshDatabase(name, template);
}

/** A PostgreSQL server a test may stop and start: its own cluster in a temporary folder. */
export interface ThrowawayPostgres {
  /** a database `wangge` in it, user `wangge`, no password (trust on 127.0.0.1) */
  url: string;
  /** stops it at once, as a crash or a pulled plug would (pg_ctl stop -m immediate) */
  stop(): void;
  start(): void;
  /** stops it and removes its folder */
  remove(): void;
}

/**
 * Starts a PostgreSQL server of its own with Debian's binaries (as the `postgres` user when run as
 * root, which PostgreSQL refuses), for tests that stop and start the database; undefined where
 * no server binaries are installed.
 */
export function throwawayPostgres(): ThrowawayPostgres | undefined {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/initdb`));
  if (bin === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'wangge-pg-'));
  const root = process.getuid?.() === 0;
  if (root) spawnSync('chown', ['-R', 'postgres', dir]);
  const run = (command: string, args: string[]) => {
    const result = root ? spawnSync('runuser', ['-u', 'postgres', '--', `${bin}/${command}`, ...args], { encoding: 'utf8' }) : spawnSync(`${bin}/${command}`, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  };
  const port = 20000 + Math.floor(Math.random() * 20000);
  run('initdb', ['-D', `${dir}/data`, '-U', 'wangge', '--auth=trust']);
  const start = () => run('pg_ctl', ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
  const stop = () => run('pg_ctl', ['-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop']);
  start();
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'wangge', 'wangge']);
  return {
    url: `postgres://wangge@127.0.0.1:${port}/wangge`,
    stop,
    start,
    remove: () => {
      try {
        stop();
      } catch {
        // stopped already
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
