import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveMetadata } from '../../tiles/archive.js';
import { inspectArchive } from '../../tiles/inspect-archive.js';
import { createPmtilesWriter } from '../../tiles/pmtiles-writer.js';
import type { Tilestats } from '../../tiles/tilestats.js';
import { runCli } from '../test-helpers/run-cli.js';

const METADATA: ArchiveMetadata = {
  name: 'inspected',
  description: 'two zooms',
  attribution: 'tests',
  version: '1.0.0',
  minzoom: 0,
  maxzoom: 1,
  bounds: [116.3, 39.8, 116.5, 40],
  center: [116.4, 39.9, 1],
  vectorLayers: [{ id: 'houses', description: 'houses', minzoom: 0, maxzoom: 1, fields: { height: 'metres', use: 'use' } }],
};
const TILESTATS: Tilestats = {
  layerCount: 1,
  layers: [
    {
      layer: 'houses',
      count: 2,
      geometry: 'Polygon',
      attributeCount: 2,
      attributes: [
        { attribute: 'height', count: 2, type: 'number', values: [3, 9], min: 3, max: 9 },
        { attribute: 'use', count: 1, type: 'string', values: ['住宅'] },
      ],
    },
  ],
};

let dir: string;
let archive: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-tiles-inspect-'));
  // the extension says nothing: the format is read from the file
  archive = join(dir, 'houses.tiles');
  const writer = createPmtilesWriter(archive);
  writer.add({ z: 0, x: 0, y: 0, data: new Uint8Array(300).fill(1) });
  for (const [x, y, size] of [[0, 0, 100], [0, 1, 200], [1, 0, 400], [1, 1, 800]] as const) writer.add({ z: 1, x, y, data: new Uint8Array(size).fill(x * 2 + y + 2) });
  await writer.finish(METADATA, TILESTATS);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('wangge tiles inspect', () => {
  it('prints metadata, layers with field types and tile sizes per zoom', async () => {
    const result = await runCli(['tiles', 'inspect', archive]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${archive}: PMTiles`);
    expect(lines).toContain('  name         inspected');
    expect(lines).toContain('  zooms        0–1');
    expect(lines).toContain('  houses z0–1, 2 features, Polygon');
    expect(lines).toContain('    height: Number, use: String');
    // zoom, tiles, p50, p95, p99, max, total bytes
    expect(lines.slice(-3).map((l) => l.trim().split(/\s+/).map(Number))).toEqual([
      [0, 1, 300, 300, 300, 300, 300],
      [1, 4, 200, 800, 800, 800, 1500],
      [NaN, 5, 300, 800, 800, 800, 1800],
    ]);
    expect(lines.at(-1)!.trim().startsWith('all')).toBe(true);
  });

  it('--json prints the inspection as one JSON object', async () => {
    const result = await runCli(['tiles', 'inspect', '--json', archive]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(await inspectArchive(archive))));
    expect(JSON.parse(result.stdout)).toMatchObject({ format: 'pmtiles', total: { tiles: 5, bytes: 1800, max: 800 } });
  });

  it('exits 1 with the reason for a missing file or one that is no archive', async () => {
    const missing = await runCli(['tiles', 'inspect', join(dir, 'missing.mbtiles')]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(`error: cannot read ${join(dir, 'missing.mbtiles')}: no such file`);
    const notes = join(dir, 'notes.mbtiles');
    writeFileSync(notes, 'not tiles at all');
    const junk = await runCli(['tiles', 'inspect', notes]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toBe(`error: ${notes} is neither an MBTiles (SQLite) nor a PMTiles archive`);
  });

  it('exits 2 for a bad command line: no file, two files, an unknown flag', async () => {
    for (const argv of [['tiles', 'inspect'], ['tiles', 'inspect', archive, archive], ['tiles', 'inspect', archive, '--csv']]) {
      const result = await runCli(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/see wangge tiles inspect --help/);
    }
    const help = await runCli(['tiles', 'inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^wangge tiles inspect FILE \[--json\]/);
    expect((await runCli(['tiles', '--help'])).stdout).toMatch(/wangge tiles inspect FILE/);
  });
});
