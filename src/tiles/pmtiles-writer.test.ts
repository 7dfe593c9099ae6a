import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Compression, type Entry, PMTiles, TileType, zxyToTileId as readerTileId } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../ingest/generate/random.js';
import type { ArchiveMetadata, ArchiveTile } from './archive.js';
import { createPmtilesWriter } from './pmtiles-writer.js';
import { zxyToTileId } from './pmtiles-format.js';
import { FileSource } from './test-helpers/pmtiles-file-source.js';
import type { Tilestats } from './tilestats.js';

const dir = mkdtempSync(join(tmpdir(), 'wangge-pmtiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function metadataFor(minzoom: number, maxzoom: number): ArchiveMetadata {
  return {
    name: 'Dongcheng grids',
    description: 'grid-management layers of Dongcheng',
    attribution: '© wangge test',
    version: '1.2.0',
    minzoom,
    maxzoom,
    bounds: [116.3851234, 39.8567891, 116.4481234, 39.9612345],
    center: [116.4167, 39.9289, Math.min(maxzoom, 14)],
    vectorLayers: [
      { id: 'streets', description: 'streets', minzoom, maxzoom, fields: { code: 'street code', name: 'street name' } },
      { id: 'unit_grids', description: 'unit grids', minzoom, maxzoom, fields: { code: 'unit grid code' } },
    ],
  };
}

/** stats of tiles holding streets only: the metadata's unit_grids layer has no features */
const TILESTATS: Tilestats = {
  layerCount: 1,
  layers: [
    {
      layer: 'streets',
      count: 2,
      geometry: 'Polygon',
      attributeCount: 2,
      attributes: [
        { attribute: 'code', count: 2, type: 'string', values: ['110101001', '110101002'] },
        { attribute: 'name', count: 2, type: 'string', values: ['东华门街道', '景山街道'] },
      ],
    },
  ],
};

function* pyramid(minZoom: number, maxZoom: number): Generator<{ z: number; x: number; y: number }> {
  for (let z = minZoom; z <= maxZoom; z++) {
    for (let x = 0; x < 2 ** z; x++) for (let y = 0; y < 2 ** z; y++) yield { z, x, y };
  }
}

function gzipped(text: string): Uint8Array {
  return new Uint8Array(gzipSync(text));
}

function shuffled<T>(items: T[], seed: number): T[] {
  const random = createRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function writeArchive(name: string, tiles: readonly ArchiveTile[], metadata: ArchiveMetadata): Promise<string> {
  const path = join(dir, name);
  const writer = createPmtilesWriter(path);
  for (const tile of tiles) writer.add(tile);
  await writer.finish(metadata, TILESTATS);
  return path;
}

/** a reader that hands tiles back as stored (still gzipped), to compare bytes */
function openStoredTiles(path: string): PMTiles {
  return new PMTiles(new FileSource(path), undefined, async (bytes) => bytes);
}

async function rootEntries(archive: PMTiles): Promise<Entry[]> {
  const header = await archive.getHeader();
  return archive.cache.getDirectory(archive.source, header.rootDirectoryOffset, header.rootDirectoryLength, header);
}

/** the tiles the reader returns other bytes for than were added, as "z/x/y" */
async function tilesReadBackWrong(path: string, tiles: readonly ArchiveTile[]): Promise<string[]> {
  const archive = openStoredTiles(path);
  const wrong: string[] = [];
  for (const { z, x, y, data } of tiles) {
    const stored = await archive.getZxy(z, x, y);
    if (!stored || !Buffer.from(stored.data).equals(data)) wrong.push(`${z}/${x}/${y}`);
  }
  return wrong;
}

/** clustered: each blob either follows the data laid out so far or reuses an earlier one */
function expectClustered(entries: readonly Entry[]): void {
  expect(entries[0]?.offset).toBe(0);
  let end = 0;
  for (const { offset, length } of entries) {
    if (offset === end) end += length;
    else expect(offset + length).toBeLessThanOrEqual(end);
  }
}

function filesIn(folder: string): string[] {
  return readdirSync(folder).sort();
}

describe('zxyToTileId', () => {
  it('numbers tiles as the table in the spec does', () => {
    expect(zxyToTileId(0, 0, 0)).toBe(0);
    expect(zxyToTileId(1, 0, 0)).toBe(1);
    expect(zxyToTileId(1, 0, 1)).toBe(2);
    expect(zxyToTileId(1, 1, 1)).toBe(3);
    expect(zxyToTileId(1, 1, 0)).toBe(4);
    expect(zxyToTileId(2, 0, 0)).toBe(5);
    expect(zxyToTileId(12, 3423, 1763)).toBe(19078479);
  });

  it('agrees with the pmtiles reader for every tile up to z9 and for deep tiles', () => {
    const disagreements: string[] = [];
    for (const { z, x, y } of pyramid(0, 9)) {
      if (zxyToTileId(z, x, y) !== readerTileId(z, x, y)) disagreements.push(`${z}/${x}/${y}`);
    }
    expect(disagreements).toEqual([]);
    const deep = [[18, 215834, 99308], [22, 3453414, 1588950], [26, 2 ** 26 - 1, 0], [26, 12345678, 2 ** 26 - 1]] as const;
    for (const [z, x, y] of deep) expect(zxyToTileId(z, x, y)).toBe(readerTileId(z, x, y));
  });

  it('rejects tiles outside their zoom', () => {
    expect(() => zxyToTileId(2, 4, 0)).toThrow('x and y must be whole numbers 0–3 at zoom 2');
    expect(() => zxyToTileId(2, 0, -1)).toThrow('0–3 at zoom 2');
    expect(() => zxyToTileId(27, 0, 0)).toThrow('zoom must be a whole number 0–26');
  });
});

describe('createPmtilesWriter: a z0–z6 pyramid added in random order', () => {
  const hole = { z: 5, x: 3, y: 7 };
  const tiles: ArchiveTile[] = [...pyramid(0, 6)]
    .filter(({ z, x, y }) => !(z === hole.z && x === hole.x && y === hole.y))
    .map(({ z, x, y }) => ({ z, x, y, data: gzipped(`tile ${z}/${x}/${y}`) }));
  let path: string;
  beforeAll(async () => {
    path = await writeArchive('pyramid.pmtiles', shuffled(tiles, 7), metadataFor(0, 6));
  });

  it('reads back every tile byte for byte', async () => {
    expect(tiles.length).toBe(5460);
    expect(await tilesReadBackWrong(path, tiles)).toEqual([]);
  });

  it('gives a standard reader the uncompressed tile', async () => {
    const tile = await new PMTiles(new FileSource(path)).getZxy(6, 41, 22);
    expect(new TextDecoder().decode(tile?.data)).toBe('tile 6/41/22');
  });

  it('answers undefined for a tile it does not hold and for zooms beyond its range', async () => {
    const archive = openStoredTiles(path);
    expect(await archive.getZxy(hole.z, hole.x, hole.y)).toBeUndefined();
    expect(await archive.getZxy(7, 0, 0)).toBeUndefined();
  });

  it('writes the header fields', async () => {
    const header = await openStoredTiles(path).getHeader();
    const dataBytes = tiles.reduce((sum, tile) => sum + tile.data.length, 0);
    expect(header).toMatchObject({
      specVersion: 3,
      rootDirectoryOffset: 127,
      leafDirectoryLength: 0,
      tileDataLength: dataBytes,
      numAddressedTiles: 5460,
      numTileEntries: 5460,
      numTileContents: 5460,
      clustered: true,
      internalCompression: Compression.Gzip,
      tileCompression: Compression.Gzip,
      tileType: TileType.Mvt,
      minZoom: 0,
      maxZoom: 6,
      centerZoom: 6,
    });
    expect(header.tileDataOffset + dataBytes).toBe(statSync(path).size);
    // E7 integers: exact to the seventh decimal
    expect(header.minLon).toBeCloseTo(116.3851234, 7);
    expect(header.minLat).toBeCloseTo(39.8567891, 7);
    expect(header.maxLon).toBeCloseTo(116.4481234, 7);
    expect(header.maxLat).toBeCloseTo(39.9612345, 7);
    expect(header.centerLon).toBeCloseTo(116.4167, 7);
    expect(header.centerLat).toBeCloseTo(39.9289, 7);
  });

  it('lays tile data out in tile-id order', async () => {
    const entries = await rootEntries(openStoredTiles(path));
    expect(entries.map((entry) => entry.tileId)).toEqual(tiles.map(({ z, x, y }) => readerTileId(z, x, y)).sort((a, b) => a - b));
    expectClustered(entries);
  });

  it('round-trips the metadata as TileJSON keys, with field types and tilestats', async () => {
    expect(await new PMTiles(new FileSource(path)).getMetadata()).toEqual({
      name: 'Dongcheng grids',
      description: 'grid-management layers of Dongcheng',
      attribution: '© wangge test',
      version: '1.2.0',
      type: 'overlay',
      format: 'pbf',
      minzoom: 0,
      maxzoom: 6,
      bounds: [116.3851234, 39.8567891, 116.4481234, 39.9612345],
      center: [116.4167, 39.9289, 6],
      vector_layers: [
        { id: 'streets', description: 'streets', minzoom: 0, maxzoom: 6, fields: { code: 'String', name: 'String' } },
        { id: 'unit_grids', description: 'unit grids', minzoom: 0, maxzoom: 6, fields: {} },
      ],
      tilestats: TILESTATS,
    });
  });
});

describe('createPmtilesWriter: repeated contents', () => {
  it('stores identical tiles once', async () => {
    const random = createRandom(3);
    // random bytes do not compress, so each content is about 2 KB in the file
    const contents = [0, 1, 2].map(() => gzipped(Array.from({ length: 2000 }, () => String.fromCharCode(random.int(33, 126))).join('')));
    // (x + y) mod 3 differs between tiles next to each other on the Hilbert curve, so nothing collapses into runs
    const tiles = [...pyramid(5, 5)].map(({ z, x, y }) => ({ z, x, y, data: contents[(x + y) % 3]! }));
    const path = await writeArchive('repeated.pmtiles', shuffled(tiles, 11), metadataFor(5, 5));
    const archive = openStoredTiles(path);
    const header = await archive.getHeader();
    const distinctBytes = contents.reduce((sum, content) => sum + content.length, 0);
    expect(header).toMatchObject({ numAddressedTiles: 1024, numTileEntries: 1024, numTileContents: 3, tileDataLength: distinctBytes });
    // 1024 copies would take over 2 MB
    expect(statSync(path).size).toBeLessThan(distinctBytes + 8192);
    expectClustered(await rootEntries(archive));
    expect(await tilesReadBackWrong(path, tiles)).toEqual([]);
  });

  it('collapses consecutive tile ids with the same content into one entry', async () => {
    const sea = gzipped('sea');
    const island = gzipped('island');
    const islandId = readerTileId(3, 2, 5);
    const holeId = readerTileId(4, 1, 1);
    const tiles = [...pyramid(0, 5)]
      .filter(({ z, x, y }) => readerTileId(z, x, y) !== holeId)
      .map(({ z, x, y }) => ({ z, x, y, data: readerTileId(z, x, y) === islandId ? island : sea }));
    const path = await writeArchive('runs.pmtiles', shuffled(tiles, 5), metadataFor(0, 5));
    const archive = openStoredTiles(path);
    expect(await rootEntries(archive)).toEqual([
      { tileId: 0, offset: 0, length: sea.length, runLength: islandId },
      { tileId: islandId, offset: sea.length, length: island.length, runLength: 1 },
      { tileId: islandId + 1, offset: 0, length: sea.length, runLength: holeId - islandId - 1 },
      { tileId: holeId + 1, offset: 0, length: sea.length, runLength: 1365 - holeId - 1 },
    ]);
    expect(await archive.getHeader()).toMatchObject({ numAddressedTiles: 1364, numTileEntries: 4, numTileContents: 2 });
    expect(await tilesReadBackWrong(path, tiles)).toEqual([]);
    expect(await archive.getZxy(4, 1, 1)).toBeUndefined();
  });
});

describe('createPmtilesWriter: leaf directories', () => {
  it('moves entries into leaves when the root would pass 16 KiB, and every tile is still found', async () => {
    const random = createRandom(17);
    const contents = Array.from({ length: 50 }, (_, i) => gzipped(`content ${i} `.repeat(random.int(1, 40))));
    const tiles = [...pyramid(0, 8)].map(({ z, x, y }) => ({ z, x, y, data: random.pick(contents) }));
    const path = await writeArchive('leaves.pmtiles', tiles, metadataFor(0, 8));
    const archive = openStoredTiles(path);
    const header = await archive.getHeader();
    expect(header.leafDirectoryLength).toBeGreaterThan(0);
    expect(header.rootDirectoryOffset + header.rootDirectoryLength).toBeLessThanOrEqual(16_384);
    const root = await rootEntries(archive);
    expect(root.length).toBeGreaterThan(1);
    expect(root.every((entry) => entry.runLength === 0)).toBe(true);
    expect(header).toMatchObject({ numAddressedTiles: tiles.length, numTileContents: 50 });
    expect(await tilesReadBackWrong(path, tiles)).toEqual([]);
  });
});

describe('createPmtilesWriter: failures leave no file', () => {
  const tile = { z: 0, x: 0, y: 0, data: gzipped('tile 0/0/0') };

  function emptyFolder(name: string): string {
    const folder = join(dir, name);
    mkdirSync(folder);
    return folder;
  }

  it('abort removes the partial file and keeps an older archive at the path', async () => {
    const folder = emptyFolder('aborted');
    const path = join(folder, 'tiles.pmtiles');
    writeFileSync(path, 'old archive');
    const writer = createPmtilesWriter(path);
    writer.add(tile);
    writer.abort();
    expect(filesIn(folder)).toEqual(['tiles.pmtiles']);
    expect(readFileSync(path, 'utf8')).toBe('old archive');
    await expect(writer.finish(metadataFor(0, 0), TILESTATS)).rejects.toThrow('already aborted');
    expect(() => writer.add(tile)).toThrow('already aborted');
  });

  it('abort during finish stops the export', async () => {
    const folder = emptyFolder('aborted-while-writing');
    const writer = createPmtilesWriter(join(folder, 'tiles.pmtiles'));
    writer.add(tile);
    const finishing = writer.finish(metadataFor(0, 0), TILESTATS);
    writer.abort();
    await expect(finishing).rejects.toThrow('was aborted');
    expect(filesIn(folder)).toEqual([]);
  });

  it('finish rejects tiles outside the zooms the metadata declares', async () => {
    const folder = emptyFolder('zoom-mismatch');
    const writer = createPmtilesWriter(join(folder, 'tiles.pmtiles'));
    writer.add(tile);
    writer.add({ z: 3, x: 1, y: 1, data: gzipped('tile 3/1/1') });
    await expect(writer.finish(metadataFor(0, 2), TILESTATS)).rejects.toThrow('tiles span zooms 0–3 but the metadata declares 0–2');
    expect(filesIn(folder)).toEqual([]);
    writer.abort();
    expect(filesIn(folder)).toEqual([]);
  });

  it('finish rejects an archive without tiles and metadata the header cannot hold', async () => {
    const folder = emptyFolder('invalid');
    await expect(createPmtilesWriter(join(folder, 'empty.pmtiles')).finish(metadataFor(0, 0), TILESTATS)).rejects.toThrow('no tiles were added');
    const offTheGlobe = createPmtilesWriter(join(folder, 'bounds.pmtiles'));
    offTheGlobe.add(tile);
    await expect(offTheGlobe.finish({ ...metadataFor(0, 0), bounds: [116, 39, 190, 40] }, TILESTATS)).rejects.toThrow('metadata bounds');
    expect(filesIn(folder)).toEqual([]);
  });

  it('add rejects a tile twice, an empty tile and a tile after finish', async () => {
    const folder = emptyFolder('add');
    const writer = createPmtilesWriter(join(folder, 'tiles.pmtiles'));
    writer.add(tile);
    expect(() => writer.add({ ...tile, data: gzipped('other') })).toThrow('tile 0/0/0 was added twice');
    expect(() => writer.add({ z: 1, x: 0, y: 0, data: new Uint8Array() })).toThrow('tile 1/0/0 is empty');
    await writer.finish(metadataFor(0, 1), TILESTATS);
    expect(() => writer.add({ z: 1, x: 0, y: 0, data: tile.data })).toThrow('already finished');
    writer.abort();
    expect(filesIn(folder)).toEqual(['tiles.pmtiles']);
  });

  it('fails at once when the file cannot be created', () => {
    const path = join(dir, 'no-such-folder', 'tiles.pmtiles');
    expect(() => createPmtilesWriter(path)).toThrow(`cannot write ${path}: no folder ${join(dir, 'no-such-folder')}`);
    expect(existsSync(join(dir, 'no-such-folder'))).toBe(false);
  });
});

describe('createPmtilesWriter: copies', () => {
  it('keeps the bytes added even when the caller reuses its buffer', async () => {
    const buffer = new Uint8Array(gzipped('first'));
    const writer = createPmtilesWriter(join(dir, 'reused.pmtiles'));
    writer.add({ z: 0, x: 0, y: 0, data: buffer });
    buffer.set(gzipped('other'));
    await writer.finish(metadataFor(0, 0), TILESTATS);
    const tile = await openStoredTiles(join(dir, 'reused.pmtiles')).getZxy(0, 0, 0);
    expect(gunzipSync(new Uint8Array(tile!.data)).toString()).toBe('first');
  });
});
