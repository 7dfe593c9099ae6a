import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-helpers/run-cli.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

// Issue 12: `tiles export` silently replaced an existing archive. Without --force it leaves the
// file alone (exit 1, before opening the database); with --force it writes the new archive.

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-tiles-force-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wangge tiles export onto an existing file', () => {
  it.each(['mbtiles', 'pmtiles'])('refuses to replace a .%s without --force, and replaces it with --force', async (format) => {
    const path = join(dir, `served.${format}`);
    writeFileSync(path, 'an archive a server is serving');
    const refused = await runCli(['tiles', 'export', '-o', path, '--minzoom', '10', '--maxzoom', '11', '--db', db]);
    expect(refused.stderr).toBe(`error: ${path} exists; --force replaces it`);
    expect(refused.code).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe('an archive a server is serving');

    const forced = await runCli(['tiles', 'export', '-o', path, '--minzoom', '10', '--maxzoom', '11', '--force', '--db', db]);
    expect(forced.code).toBe(0);
    expect(statSync(path).size).toBeGreaterThan(1000);
    if (format === 'mbtiles') {
      const file = new Database(path, { readonly: true });
      expect((file.prepare('SELECT count(*) AS n FROM tiles').get() as { n: number }).n).toBeGreaterThan(0);
      file.close();
    }
  }, 180_000);

  it('writes a new file without --force', async () => {
    const path = join(dir, 'new.mbtiles');
    expect(existsSync(path)).toBe(false);
    expect((await runCli(['tiles', 'export', '-o', path, '--minzoom', '10', '--maxzoom', '10', '--db', db])).code).toBe(0);
    expect(existsSync(path)).toBe(true);
  }, 180_000);
});
