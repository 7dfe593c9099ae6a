import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../store/store.js';
import { runCliChild, startCli } from '../test-helpers/cli-child.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

// issue 12: a full disk left `*.part-PID` files behind (and nothing removed them after a kill),
// answered with raw errors, and temporary files were renamed without fsync.

const FULL_DISK = fileURLToPath(new URL('../../test-helpers/full-disk.mjs', import.meta.url));

let dir: string;
let db: string;
/** created to fill the disk of the children started with `fullDiskEnv` */
let flag: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-full-disk-'));
  db = join(dir, 'district.db');
  flag = join(dir, 'disk-is-full');
  defaultDistrictAt(db);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fullDiskEnv = (more: Record<string, string> = {}) => ({ NODE_OPTIONS: `--import ${FULL_DISK}`, WANGGE_FULL_DISK: flag, ...more });

/** A new empty folder for one command's output. */
function outputFolder(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  return folder;
}

/** A process id that no process has: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const EXPORTS: { name: string; args: (out: string) => string[]; file: string; code: string }[] = [
  { name: 'export', file: 'roads.geojson', code: 'ENOSPC', args: (out) => ['export', '--layer', 'roads', '-o', out, '--db', db] },
  { name: 'tiles export (PMTiles)', file: 'district.pmtiles', code: 'ENOSPC', args: (out) => ['tiles', 'export', '-o', out, '--minzoom', '10', '--maxzoom', '12', '--db', db] },
  { name: 'tiles export (MBTiles)', file: 'district.mbtiles', code: 'SQLITE_FULL', args: (out) => ['tiles', 'export', '-o', out, '--minzoom', '10', '--maxzoom', '12', '--db', db] },
];

describe('a full disk', () => {
  for (const { name, args, file, code } of EXPORTS) {
    it(`stops ${name} with a clear message and exit 1, leaving no part file and no half archive`, async () => {
      const folder = outputFolder(`full-${file}`);
      const out = join(folder, file);
      writeFileSync(flag, '');
      try {
        const result = await runCliChild(args(out), { env: fullDiskEnv() });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(new RegExp(`^error: cannot write ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full \\(${code}\\); nothing was written`, 'm'));
        // an AppError: no stack trace hint, no raw "ENOSPC: no space left on device, write"
        expect(result.stderr).not.toMatch(/--verbose|no space left on device|database or disk is full/);
      } finally {
        rmSync(flag, { force: true });
      }
      expect(readdirSync(folder)).toEqual([]);
    }, 120_000);
  }

  it('stops an import with a clear message and exit 1, writing nothing and listing no feature as invalid', async () => {
    const path = join(dir, 'lamps.ndjson');
    const lamp = (i: number) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [116.4135 + i * 1e-4, 39.9305] }, properties: { major: '01', minor: '18', dept_main: '东城区城市管理委员会' } });
    writeFileSync(path, Array.from({ length: 50 }, (_, i) => JSON.stringify(lamp(i)) + '\n').join(''));
    const digest = (): string => {
      const store = Store.open(db, { readonly: true });
      try {
        return store.contentDigest();
      } finally {
        store.close();
      }
    };
    const before = digest();
    writeFileSync(flag, '');
    try {
      for (const more of [[], ['--skip-invalid']]) {
        const result = await runCliChild(['import', path, '--layer', 'components', '--db', db, ...more], { env: fullDiskEnv() });
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/^error: the disk is full \(SQLITE_FULL\); nothing was written/m);
        expect(result.stderr).not.toMatch(/line \d+:|invalid|imported/);
      }
    } finally {
      rmSync(flag, { force: true });
    }
    expect(digest()).toBe(before);
  }, 120_000);
});

describe('part files', () => {
  it('a part file left by a killed export is removed by the next export to that file; one of a running process stays', async () => {
    const folder = outputFolder('killed');
    const out = join(folder, 'components.geojson');
    const running = startCli(['export', '--layer', 'components', '-o', out, '--db', db]);
    const partOf = (pid: number) => `components.geojson.part-${pid}`;
    for (const deadline = performance.now() + 60_000; !existsSync(join(folder, partOf(running.process.pid!))); ) {
      if (performance.now() > deadline) throw new Error(`no part file appeared:\n${running.stderr()}`);
      await sleep(20);
    }
    running.process.kill('SIGKILL');
    const killed = await running.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(readdirSync(folder)).toEqual([partOf(running.process.pid!)]);

    // a part file of a process that still runs (this one) is another export in progress
    writeFileSync(join(folder, partOf(process.pid)), 'in progress');
    const again = await runCliChild(['export', '--layer', 'roads', '-o', out, '--db', db]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['components.geojson', partOf(process.pid)]);
  }, 120_000);

  for (const { name, args, file } of EXPORTS.filter((e) => e.name.startsWith('tiles'))) {
    it(`${name} removes the part files of dead processes, with SQLite's side files, and no other file`, async () => {
      const folder = outputFolder(`stale-${file}`);
      const dead = deadPid();
      const stale = [`${file}.part-${dead}`, `${file}.part-${dead}-journal`, `${file}.part-${dead}-wal`];
      const others = [`other-${file}.part-${dead}`, `${file}.part-notapid`];
      for (const name of [...stale, ...others]) writeFileSync(join(folder, name), 'left behind');
      const result = await runCliChild(args(join(folder, file)));
      expect(result.code, result.stderr).toBe(0);
      expect(readdirSync(folder).sort()).toEqual([file, ...others].sort());
    }, 120_000);
  }

  it('generate removes the part files of dead processes', async () => {
    const folder = outputFolder('generate');
    const stale = `district.db.part-${deadPid()}`;
    writeFileSync(join(folder, stale), 'left behind');
    const result = await runCliChild(['generate', '--db', join(folder, 'district.db')]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(folder).filter((name) => name.includes('.part-'))).toEqual([]);
  }, 120_000);

  it('each file is flushed to the disk before it is renamed into place, and its folder after', async () => {
    for (const { args, file } of EXPORTS) {
      const folder = outputFolder(`fsync-${file}`);
      const out = join(folder, file);
      const log = join(dir, `fsync-${file}.log`);
      const result = await runCliChild(args(out), { env: fullDiskEnv({ WANGGE_FS_LOG: log }) });
      expect(result.code, result.stderr).toBe(0);
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      const part = `${out}.part-${/\.part-(\d+)/.exec(lines.join('\n'))?.[1]}`;
      expect(lines.slice(-3)).toEqual([`fsync ${part}`, `rename ${part} ${out}`, `fsync ${folder}`]);
    }
  }, 180_000);
});
