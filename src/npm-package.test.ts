import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 12: the npm package would have shipped data/dongcheng.db (91 MB, with key hashes and the
// change log). `files` lists data/*.json only; a database in data/ while packing stays out.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** what the package may weigh packed: dist/ (~1.2 MB unpacked), the JSON inputs and the README */
const MAX_PACKED_BYTES = 1024 * 1024;

interface PackReport {
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

describe('the npm package', () => {
  it(`ships no database, even with one in data/, and packs to less than ${MAX_PACKED_BYTES / 1024} KiB`, () => {
    // a database as `wangge serve` leaves one (named for this run, so nothing else reads it)
    const probe = fileURLToPath(new URL(`../data/pack-probe-${process.pid}.db`, import.meta.url));
    writeFileSync(probe, 'SQLite format 3\0');
    let report: PackReport;
    try {
      // scripts off: `prepare` would build dist/ again
      const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      report = (JSON.parse(out) as PackReport[])[0]!;
    } finally {
      rmSync(probe, { force: true });
    }
    const paths = report.files.map((f) => f.path);
    expect(paths.filter((p) => /\.db(-wal|-shm)?$/.test(p))).toEqual([]);
    expect(paths).toContain('bin/wangge.js');
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('data/component-classes.json');
    console.log(`npm pack: ${report.files.length} files, ${(report.size / 1024).toFixed(0)} KiB packed, ${(report.unpackedSize / 1024).toFixed(0)} KiB unpacked`);
    expect(report.size).toBeLessThan(MAX_PACKED_BYTES);
  }, 180_000);

  it('imports at run time only packages it lists as dependencies (an install without dev dependencies has them)', () => {
    const report = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })) as PackReport[];
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const missing = new Set<string>();
    for (const { path } of report[0]!.files.filter((f) => f.path.endsWith('.js'))) {
      const code = readFileSync(join(ROOT, path), 'utf8');
      // value imports only: `import type` leaves nothing in the built JavaScript
      for (const [, specifier] of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!Object.hasOwn(dependencies, name)) missing.add(`${name} (${path})`);
      }
    }
    expect([...missing]).toEqual([]);
  }, 180_000);
});
