import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-helpers/run-cli.js';

// Issue 12: `serve --port abc` exited 1 while the README promises 2 for a bad command line. Every
// malformed flag value — checked by the command or by config.ts — now exits 2 and names the help.

const BIN = fileURLToPath(new URL('../../bin/wangge.js', import.meta.url));

let dir: string;
let input: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-usage-'));
  input = join(dir, 'empty.geojson');
  writeFileSync(input, '{"type":"FeatureCollection","features":[]}');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a bad command line exits 2', () => {
  it('wangge serve --port abc (the built CLI): exit 2, the reason and where the help is, no stack', () => {
    const run = spawnSync(process.execPath, [BIN, 'serve', '--port', 'abc'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('error: port must be a whole number 0–65535, got "abc" (see wangge serve --help)\n');
  });

  it.each([
    [['serve', '--port', '99999'], /port must be a whole number 0–65535, got "99999"/],
    [['serve', '--tile-cache-mb', 'lots'], /tile cache size/],
    [['serve', '--rate-limit', 'fast'], /rate limit/],
    [['serve', '--rate-burst', '0'], /rate burst/],
    [['serve', '--cors-origins', 'ftp://grid.example.cn'], /CORS origin/],
    [['serve', '--max-body-mb', '0'], /body size limit/],
    [['serve', '--max-vertices', '3'], /vertices per feature must be a whole number 4–/],
    [['serve', '--max-response-mb', 'x'], /response size limit/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['serve', '--port'], /argument missing/],
    [['generate', '--seed', 'abc'], /seed must be a whole number/],
    [['generate', '--scale', '0'], /--scale must be a whole number ≥ 1/],
    [['import', 'x.geojson', '--layer', 'nope'], /--layer must be one of/],
    [['import', 'x.geojson', '--layer', 'houses', '--crs', 'mars'], /--crs: Unknown or unsupported CRS "mars"/],
    [['export', '--layer', 'houses', '--at', '2020'], /--at must be a date/],
    [['tiles', 'export'], /-o FILE is required/],
    [['tiles', 'export', '-o', 'x.mbtiles', '--minzoom', 'abc'], /--minzoom must be a whole number/],
    [['keys', 'frob'], /usage: wangge keys/],
    [['nonsense'], /unknown command "nonsense"/],
  ])('wangge %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv.map((a) => (a === 'x.geojson' ? input : a)), { WANGGE_DB: join(dir, 'unused.db') });
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/run with --verbose for the stack trace|\n\s+at .+:\d+:\d+/);
    expect(code).toBe(2);
  });

  it('a bad setting from the environment is refused the same way', async () => {
    const { code, stderr } = await runCli(['keys', 'list'], { WANGGE_DB: join(dir, 'unused.db'), WANGGE_MAX_VERTICES: 'many' });
    expect(stderr).toBe('error: vertices per feature must be a whole number 4–100000000, got "many" (see wangge keys --help)');
    expect(code).toBe(2);
  });
});
