import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/**
 * The one-way flow the README's layout describes, lowest first: a module may import its own
 * folder and the ranks below it, never a rank above, and never a sibling of its own rank (tiles,
 * geocoding and writes each stand on the store and indexes, not on one another).
 */
const RANKS: readonly (readonly string[])[] = [
  ['errors'],
  ['layers'],
  ['model', 'config', 'logger', 'time-slices', 'off-thread'],
  ['codes', 'geo'],
  ['ingest'],
  ['store'],
  ['auth'],
  ['geocode', 'tiles', 'write'],
  ['live'],
  ['http'],
  ['cli'],
];
const rankOf = new Map(RANKS.flatMap((names, rank) => names.map((name) => [name, rank] as const)));

/** The part of `src/` a file belongs to: its top folder, or its own name for a top-level file. */
function partOf(path: string): string {
  const [top] = relative(SRC, path).split('/');
  return top!.replace(/\.(ts|js)$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test-helpers' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** A source file and the paths of its relative imports (static, `export … from`, and dynamic). */
function withImports(path: string): { path: string; imports: string[] } {
  const text = readFileSync(path, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return { path, imports: specifiers.map((s) => resolve(dirname(path), s)) };
}

/** Every import that runs against the ranks, as `file → import`. */
function layeringViolations(files: readonly { path: string; imports: readonly string[] }[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const from = partOf(file.path);
    const fromRank = rankOf.get(from);
    if (fromRank === undefined) {
      violations.push(`${relative(SRC, file.path)}: src/${from} has no rank in layering.test.ts`);
      continue;
    }
    for (const target of file.imports) {
      if (!target.startsWith(SRC)) continue;
      const to = partOf(target);
      if (to === from) continue;
      const toRank = rankOf.get(to);
      if (toRank === undefined || toRank >= fromRank) violations.push(`${relative(SRC, file.path)} → ${relative(SRC, target)}`);
    }
  }
  return violations;
}

describe('layering', () => {
  it('no module imports a layer above its own or a sibling layer', () => {
    const files = sourceFiles(SRC).map(withImports);
    // not vacuous: every module, and their imports, were read
    expect(files.length).toBeGreaterThan(150);
    expect(files.reduce((n, f) => n + f.imports.length, 0)).toBeGreaterThan(600);
    expect(layeringViolations(files)).toEqual([]);
  });

  it('finds the upward and sibling imports issue 10 named (the check can fail)', () => {
    const at = (path: string, imported: string) => ({ path: join(SRC, path), imports: [join(SRC, imported)] });
    expect(
      layeringViolations([
        at('tiles/tile-service.ts', 'geocode/nearest-address.js'),
        at('write/grid-redraw.ts', 'geocode/reverse.js'),
        at('live.ts', 'http/routes/write.js'),
        at('store/postgis/follow.ts', 'http/logger.js'),
        at('geocode/forward.ts', 'geo/distance.js'),
      ]),
    ).toEqual(['tiles/tile-service.ts → geocode/nearest-address.js', 'write/grid-redraw.ts → geocode/reverse.js', 'live.ts → http/routes/write.js', 'store/postgis/follow.ts → http/logger.js']);
  });
});
