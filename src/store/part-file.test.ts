import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitPart, partPathOf, removeStaleParts } from './part-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-part-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A process id that no process has: a child that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('part files', () => {
  it('partPathOf names the file after this process', () => {
    expect(partPathOf(join(dir, 'a.mbtiles'))).toBe(join(dir, `a.mbtiles.part-${process.pid}`));
  });

  it('removeStaleParts removes the part files of dead processes of that file only, with their side files', () => {
    const dead = deadPid();
    const names = [
      `a.mbtiles.part-${dead}`,
      `a.mbtiles.part-${dead}-wal`,
      `a.mbtiles.part-${process.pid}`,
      `b.mbtiles.part-${dead}`,
      `a.mbtiles.part-${dead}.bak`,
      'a.mbtiles',
      `a(mbtiles.part-${dead}`,
    ];
    for (const name of names) writeFileSync(join(dir, name), '');
    expect(removeStaleParts(join(dir, 'a.mbtiles')).sort()).toEqual([`a.mbtiles.part-${dead}`, `a.mbtiles.part-${dead}-wal`]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(2).sort());
  });

  it('removeStaleParts of a file in a folder that does not exist refuses it in words, before anything is written', () => {
    expect(() => removeStaleParts(join(dir, 'missing', 'a.mbtiles'))).toThrow(`cannot write ${join(dir, 'missing', 'a.mbtiles')}: no folder ${join(dir, 'missing')}`);
  });

  it('commitPart moves the part file into place, replacing an older file', () => {
    const path = join(dir, 'a.geojson');
    writeFileSync(path, 'old');
    writeFileSync(partPathOf(path), 'new');
    commitPart(partPathOf(path), path);
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.geojson']);
  });
});
