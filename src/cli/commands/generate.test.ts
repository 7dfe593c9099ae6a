import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../store/store.js';
import { runCli } from '../test-helpers/run-cli.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/wangge.js', import.meta.url).pathname;
const built = existsSync(new URL('../../../dist/cli/main.js', import.meta.url));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-generate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wangge generate', () => {
  it('builds a district database, and refuses to replace one without --force', async () => {
    const db = join(dir, 'seed3.db');
    const first = await runCli(['generate', '--seed', '3', '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/"unitGrids":\d{4}/);
    const store = Store.open(db, { readonly: true });
    try {
      expect(store.counts().streets).toBe(17);
      expect(JSON.parse(store.getMeta('generator')!)).toMatchObject({ seed: 3, scale: 1 });
    } finally {
      store.close();
    }
    const again = await runCli(['generate', '--seed', '3', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect((await runCli(['generate', '--scale', '0', '--db', db])).code).toBe(2);
  });

  it('lays out --scale copies side by side with distinct district codes', async () => {
    const db = join(dir, 'scale2.db');
    expect((await runCli(['generate', '--scale', '2', '--db', db])).code).toBe(0);
    const store = Store.open(db, { readonly: true });
    try {
      const districts = [...store.iterate('areas')].filter((a) => a.level === 'district').map((a) => a.code);
      expect(districts).toEqual(['110101', '110102']);
      expect(store.counts().socialGrids).toBe(2 * 589);
      expect(store.getGrid('unit', '110102001001001')).not.toBeNull();
    } finally {
      store.close();
    }
  });
});

describe.skipIf(!built)('the wangge binary', () => {
  it('prints help and the version, and exits 2 on an unknown command', async () => {
    const help = await run(process.execPath, [BIN, '--help']);
    expect(help.stdout).toMatch(/Usage: wangge <command>/);
    const version = await run(process.execPath, [BIN, '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    await expect(run(process.execPath, [BIN, 'frobnicate'])).rejects.toMatchObject({ code: 2 });
  });
});
