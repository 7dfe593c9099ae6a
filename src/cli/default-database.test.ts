import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 12: installed by root, the package folder is not writable for a normal user, and their
// `wangge serve` failed with "unable to open database" and no hint. The default database then goes
// to the user's data folder, and one line on stderr says where. The test installs the built
// package (bin, dist, data) into a folder the serving user cannot write: as root it runs the CLI
// as nobody; as anyone else it makes the folder read-only.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let dir: string;
let pkg: string;
let home: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-install-'));
  chmodSync(dir, 0o755);
  pkg = join(dir, 'lib', 'node_modules', 'wangge');
  mkdirSync(join(pkg, 'data'), { recursive: true });
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(pkg, part), { recursive: true });
  for (const name of readdirSync(join(ROOT, 'data')).filter((n) => n.endsWith('.json'))) cpSync(join(ROOT, 'data', name), join(pkg, 'data', name));
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
  home = join(dir, 'home');
  mkdirSync(home);
  if (asRoot) chownSync(home, NOBODY, NOBODY);
  else chmodSync(join(pkg, 'data'), 0o555);
});

afterAll(() => {
  if (!dir) return;
  chmodSync(join(pkg, 'data'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** How the installed CLI runs for a user who cannot write the package folder. */
function asUser(env: Record<string, string>): SpawnOptions {
  return { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) };
}

describe('the default database of a package installed read-only', () => {
  it('wangge serve builds and serves it in $XDG_DATA_HOME/wangge, saying so in one line', async () => {
    const xdg = join(home, 'xdg');
    const child = spawn(process.execPath, [join(pkg, 'bin', 'wangge.js'), 'serve', '--host', '127.0.0.1', '--port', '0'], {
      ...asUser({ XDG_DATA_HOME: xdg }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not serving in time:\n${stderr}`)), 400_000);
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = / at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`wangge serve exited with ${code}:\n${stderr}`)));
    });
    try {
      const path = join(xdg, 'wangge', 'dongcheng.db');
      expect(stderr.split('\n')[0]).toBe(`database: ${path} (the package folder ${join(pkg, 'data')} is not writable)`);
      expect(stderr.split('\n').filter((line) => line.startsWith('database: '))).toHaveLength(1);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(existsSync(path)).toBe(true);
      expect(existsSync(join(pkg, 'data', 'dongcheng.db'))).toBe(false);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 500_000);

  it('without XDG_DATA_HOME it is ~/.local/share/wangge', () => {
    const run = spawnSync(process.execPath, [join(pkg, 'bin', 'wangge.js'), 'keys', 'list'], { ...asUser({}), encoding: 'utf8', timeout: 60_000 });
    const path = join(home, '.local', 'share', 'wangge', 'dongcheng.db');
    expect(run.stderr.split('\n')[0]).toBe(`database: ${path} (the package folder ${join(pkg, 'data')} is not writable)`);
    expect(run.stderr).toContain(`no database at ${path}`);
  });
});
