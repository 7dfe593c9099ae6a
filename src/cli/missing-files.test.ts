import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-helpers/run-cli.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

// Issue 12: `wangge import missing.geojson` printed a raw ENOENT, and so did an export into a
// folder that does not exist. A file that cannot be read or written is named with the reason in
// words, exit 1, no stack trace.

const BIN = fileURLToPath(new URL('../../bin/wangge.js', import.meta.url));

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-missing-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files that cannot be read', () => {
  it('wangge import missing.geojson (the built CLI): "cannot read missing.geojson: no such file", exit 1', () => {
    const run = spawnSync(process.execPath, [BIN, 'import', 'missing.geojson', '--layer', 'houses', '--db', join(dir, 'x.db')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('error: cannot read missing.geojson: no such file\n');
    expect(run.status).toBe(1);
  });

  it('a folder given as the file says so', async () => {
    const { code, stderr } = await runCli(['import', dir, '--layer', 'houses', '--db', join(dir, 'x.db')]);
    expect(stderr).toBe(`error: cannot read ${dir}: it is a folder, not a file`);
    expect(code).toBe(1);
  });
});

describe('files that cannot be written', () => {
  it('exports and tile archives into a folder that does not exist: "cannot write …: no folder …", exit 1, nothing left behind', async () => {
    const db = join(dir, 'district.db');
    defaultDistrictAt(db);
    const folder = join(dir, 'missing');
    for (const [argv, file] of [
      [['export', '--layer', 'houses', '--db', db, '-o'], 'houses.geojson'],
      [['tiles', 'export', '--maxzoom', '10', '--db', db, '-o'], 'district.mbtiles'],
      [['tiles', 'export', '--maxzoom', '10', '--db', db, '-o'], 'district.pmtiles'],
    ] as const) {
      const { code, stderr } = await runCli([...argv, join(folder, file)]);
      expect(stderr, argv.join(' ')).toBe(`error: cannot write ${join(folder, file)}: no folder ${folder}`);
      expect(code).toBe(1);
    }
  }, 120_000);
});
