import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PMTiles, tileIdToZxy } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError, StoreError } from '../errors.js';
import type { ArchiveMetadata, ArchiveTile, ArchiveWriter } from './archive.js';
import { inspectArchive, sizesOf } from './inspect-archive.js';
import { createMbtilesWriter } from './mbtiles.js';
import { createPmtilesWriter } from './pmtiles-writer.js';
import { FileSource } from './test-helpers/pmtiles-file-source.js';
import type { Tilestats } from './tilestats.js';

const METADATA: ArchiveMetadata = {
  name: 'sizes',
  description: 'tiles of known sizes',
  attribution: 'tests',
  version: '1.0.0',
  minzoom: 2,
  maxzoom: 3,
  bounds: [116.3, 39.8, 116.5, 40],
  center: [116.4, 39.9, 3],
  vectorLayers: [{ id: 'houses', description: 'houses', minzoom: 2, maxzoom: 3, fields: { height: 'metres' } }],
};
const TILESTATS: Tilestats = {
  layerCount: 1,
  layers: [
    {
      layer: 'houses',
      count: 12,
      geometry: 'Polygon',
      attributeCount: 1,
      attributes: [{ attribute: 'height', count: 3, type: 'number', values: [3, 6, 9], min: 3, max: 9 }],
    },
  ],
};

/**
 * Every tile of z2 and z3 with a known stored size: z2 all alike (7 bytes, one run in PMTiles),
 * z3 sizes 1–64, except its first tile along the Hilbert curve, which repeats z2's content so a
 * PMTiles run carries on from z2 into z3.
 */
function tiles(): ArchiveTile[] {
  const out: ArchiveTile[] = [];
  const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
  for (let id = 5; id <= 84; id++) {
    const [z, x, y] = tileIdToZxy(id);
    out.push({ z, x, y, data: z === 2 || id === 21 ? bytes(7, 0) : bytes(id - 20, id) });
  }
  return out;
}

/** The oracle: sort the sizes, take the ceil(p·n)-th. */
function expectedSizes(sizes: number[]) {
  const sorted = [...sizes].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
  return { tiles: sorted.length, bytes: sorted.reduce((s, n) => s + n, 0), p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) };
}

let dir: string;
const paths: Record<'mbtiles' | 'pmtiles', string> = { mbtiles: '', pmtiles: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-inspect-'));
  for (const format of ['mbtiles', 'pmtiles'] as const) {
    paths[format] = join(dir, `sizes.${format}`);
    const writer: ArchiveWriter = format === 'mbtiles' ? createMbtilesWriter(paths[format]) : createPmtilesWriter(paths[format]);
    for (const tile of tiles()) writer.add(tile);
    await writer.finish(METADATA, TILESTATS);
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inspectArchive', () => {
  it.each(['mbtiles', 'pmtiles'] as const)('counts tiles per zoom and gives their size percentiles (%s)', async (format) => {
    const inspection = await inspectArchive(paths[format]);
    const all = tiles();
    expect(inspection.zooms).toEqual([2, 3].map((zoom) => ({ zoom, ...expectedSizes(all.filter((t) => t.z === zoom).map((t) => t.data.length)) })));
    expect(inspection.total).toEqual(expectedSizes(all.map((t) => t.data.length)));
    expect(inspection.zooms[1]).toMatchObject({ tiles: 64, p50: 32, max: 64 });
  });

  it('reads a PMTiles run across a zoom boundary as tiles of both zooms', async () => {
    const header = await new PMTiles(new FileSource(paths.pmtiles)).getHeader();
    // z2's 16 tiles and z3's first are one entry: a run of 17
    expect(header.numTileEntries).toBe(80 - 16);
    const { zooms } = await inspectArchive(paths.pmtiles);
    expect(zooms.map((z) => z.tiles)).toEqual([16, 64]);
  });

  it.each(['mbtiles', 'pmtiles'] as const)('reports the metadata with field types and tilestats (%s)', async (format) => {
    const inspection = await inspectArchive(paths[format]);
    expect(inspection).toMatchObject({
      file: paths[format],
      format,
      name: 'sizes',
      description: 'tiles of known sizes',
      attribution: 'tests',
      minzoom: 2,
      maxzoom: 3,
      bounds: METADATA.bounds,
      center: METADATA.center,
      layers: [{ id: 'houses', minzoom: 2, maxzoom: 3, fields: { height: 'Number' }, features: 12, geometry: 'Polygon' }],
    });
    expect(inspection.tileFormat).toBe(format === 'mbtiles' ? 'pbf' : 'mvt');
  });

  it('says what is wrong with a missing file, a file of another kind and a database without tiles', async () => {
    await expect(inspectArchive(join(dir, 'missing.mbtiles'))).rejects.toThrow(new InvalidRequestError(`cannot read ${join(dir, 'missing.mbtiles')}: no such file`));
    const text = join(dir, 'notes.pmtiles');
    writeFileSync(text, 'just some notes');
    await expect(inspectArchive(text)).rejects.toThrow(/is neither an MBTiles \(SQLite\) nor a PMTiles archive/);
    const other = join(dir, 'other.mbtiles');
    new Database(other).exec('CREATE TABLE metadata (name TEXT, value TEXT)').close();
    await expect(inspectArchive(other)).rejects.toThrow(new StoreError(`${other} is not a usable MBTiles file: it has no tiles table`));
    const truncated = join(dir, 'truncated.pmtiles');
    writeFileSync(truncated, 'PMTiles\x03 and nothing else');
    await expect(inspectArchive(truncated)).rejects.toThrow(StoreError);
    await expect(inspectArchive(dir)).rejects.toThrow(/it is a folder/);
  });
});

describe('sizesOf', () => {
  it('weights each size by its tile count and is all zeros for no tiles', () => {
    // 1,000,000 equal tiles and one large one: the large one is only the maximum
    expect(sizesOf(new Map([[100, 1_000_000], [5000, 1]]))).toEqual({ tiles: 1_000_001, bytes: 100_005_000, p50: 100, p95: 100, p99: 100, max: 5000 });
    expect(sizesOf(new Map())).toEqual({ tiles: 0, bytes: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
