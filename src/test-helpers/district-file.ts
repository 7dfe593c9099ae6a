import { copyFileSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDistrictDatabase } from '../store/build-district.js';
import { processAlive } from './process-alive.js';

const PREFIX = 'wangge-test-district-';

/**
 * Puts the default district's database (`buildDistrictDatabase(path)` with no options) at `path`:
 * built once per test run and copied for every file that asks (~50 ms instead of 4–7 s a file;
 * some forty files start from it). The test files of one run are children of one vitest process,
 * which names the cached copy; caches of runs whose vitest is gone are removed.
 */
export function defaultDistrictAt(path: string): void {
  const cache = join(tmpdir(), `${PREFIX}${process.ppid}.db`);
  if (!existsSync(cache)) {
    for (const name of readdirSync(tmpdir())) {
      const owner = Number(/^wangge-test-district-(\d+)\.db/.exec(name)?.[1]);
      if (Number.isInteger(owner) && !processAlive(owner)) rmSync(join(tmpdir(), name), { force: true });
    }
    // built under a name of this process's own and renamed into place: two workers asking at once
    // both build, and either result is the same district
    const mine = `${cache}.${process.pid}.db`;
    buildDistrictDatabase(mine);
    renameSync(mine, cache);
  }
  copyFileSync(cache, path);
}
