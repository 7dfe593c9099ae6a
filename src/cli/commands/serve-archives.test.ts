import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { PMTiles, SharedPromiseCache } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TILE_SOURCES } from '../../tiles/layers.js';
import { decodeTile } from '../../tiles/test-helpers/decode-tile.js';
import { FileSource } from '../../tiles/test-helpers/pmtiles-file-source.js';
import { tmsRow, worldX, worldY } from '../../tiles/tile-coords.js';
import { runCliChild } from '../test-helpers/cli-child.js';
import { runCli } from '../test-helpers/run-cli.js';
import { serveChild, type ServedChild } from '../test-helpers/serve-child.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

let dir: string;
let db: string;
let mbtiles: string;
let pmtiles: string;
let server: ServedChild;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-serve-archives-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  mbtiles = join(dir, 'city.mbtiles');
  pmtiles = join(dir, 'town.pmtiles');
  for (const [out, source] of [[mbtiles, 'houses'], [pmtiles, 'grids']] as const) {
    const result = await runCli(['tiles', 'export', '-o', out, '--source', source, '--minzoom', '14', '--maxzoom', '16', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
  }
  server = await serveChild(['--db', db, '--archive', mbtiles, '--archive', pmtiles]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const CENTRE: [number, number] = [116.4135, 39.9305];
function coordAt(z: number, [lng, lat] = CENTRE): { z: number; x: number; y: number } {
  const n = 2 ** z;
  return { z, x: Math.floor(worldX(lng) * n), y: Math.floor(worldY(lat) * n) };
}

function mbtilesTile(path: string, { z, x, y }: { z: number; x: number; y: number }): Buffer {
  const file = new Database(path, { readonly: true });
  try {
    const row = file.prepare('SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?').get(z, x, tmsRow(z, y)) as { tile_data: Buffer };
    return row.tile_data;
  } finally {
    file.close();
  }
}

/** The tile's bytes as stored in the archive (tile data not decompressed). */
async function pmtilesTile(path: string, { z, x, y }: { z: number; x: number; y: number }): Promise<Buffer> {
  const reader = new PMTiles(new FileSource(path), new SharedPromiseCache(), async (bytes) => bytes);
  return Buffer.from((await reader.getZxy(z, x, y))!.data);
}

async function get(path: string, headers: Record<string, string> = { 'Accept-Encoding': 'gzip' }): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers });
}

describe('wangge serve --archive', () => {
  it('lists the archives beside the live sources in /catalog, with format and file name', async () => {
    const { tiles } = (await (await get('/catalog')).json()) as { tiles: Record<string, { archive?: unknown; minzoom: number; maxzoom: number; layers: { id: string }[] }> };
    expect(Object.keys(tiles)).toEqual(['grids', 'components', 'houses', 'wangge', 'city', 'town']);
    expect(tiles.city).toMatchObject({ archive: { format: 'mbtiles', file: 'city.mbtiles' }, minzoom: 14, maxzoom: 16 });
    expect(tiles.town).toMatchObject({ archive: { format: 'pmtiles', file: 'town.pmtiles' }, minzoom: 14, maxzoom: 16 });
    expect(tiles.city!.layers.map((l) => l.id)).toEqual([...TILE_SOURCES.houses]);
    expect(tiles.town!.layers.map((l) => l.id)).toEqual([...TILE_SOURCES.grids]);
    expect(tiles.wangge!.archive).toBeUndefined();
  });

  it("serves a tile of each archive with the archive's own bytes, and the live sources beside them", async () => {
    const coord = coordAt(16);
    const path = `${coord.z}/${coord.x}/${coord.y}`;
    for (const [source, stored] of [['city', mbtilesTile(mbtiles, coord)], ['town', await pmtilesTile(pmtiles, coord)]] as const) {
      const res = await get(`/tiles/${source}/${path}`);
      expect(res.status, source).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
      // fetch undoes the gzip the server sent; both archives store gzip MVT
      expect(Buffer.from(await res.arrayBuffer()).equals(gunzipSync(stored)), source).toBe(true);
    }
    const live = await get(`/tiles/wangge/${path}`);
    expect(live.status).toBe(200);
    expect(Object.keys(decodeTile(new Uint8Array(await live.arrayBuffer()))).sort()).toEqual([...TILE_SOURCES.wangge].sort());
  });

  it('sends the stored gzip bytes unchanged, with their length, on GET and HEAD', async () => {
    const coord = coordAt(15);
    const stored = await pmtilesTile(pmtiles, coord);
    const raw = await rawGet(`/tiles/town/${coord.z}/${coord.x}/${coord.y}`, 'GET');
    expect(raw.body.equals(stored)).toBe(true);
    expect(raw.headers['content-length']).toBe(String(stored.length));
    const head = await rawGet(`/tiles/town/${coord.z}/${coord.x}/${coord.y}`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(stored.length));
    expect(head.body.length).toBe(0);
    const tileJson = await rawGet('/tiles/town.json?v=2', 'HEAD');
    expect(tileJson.status).toBe(200);
    expect(Number(tileJson.headers['content-length'])).toBeGreaterThan(100);
  });

  it('joins archives and live sources into composites', async () => {
    const coord = coordAt(16);
    const path = `${coord.z}/${coord.x}/${coord.y}`;
    const composite = decodeTile(new Uint8Array(await (await get(`/tiles/town,city,components/${path}`)).arrayBuffer()));
    const parts = await Promise.all(['town', 'city', 'components'].map(async (s) => decodeTile(new Uint8Array(await (await get(`/tiles/${s}/${path}`)).arrayBuffer()))));
    expect(composite).toEqual(Object.assign({}, ...parts));
    expect(Object.keys(composite).sort()).toEqual([...TILE_SOURCES.grids, ...TILE_SOURCES.houses, 'components'].sort());
  });

  it('answers TileJSON from the archive metadata, ignoring a forged X-Forwarded-Host (no --trust-proxy)', async () => {
    const res = await get('/tiles/town.json?v=2', { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' });
    expect(res.status).toBe(200);
    const tj = (await res.json()) as { tiles: string[]; minzoom: number; maxzoom: number; bounds: number[]; vector_layers: { id: string }[] };
    expect(tj.tiles).toEqual([`${server.url}/tiles/town/{z}/{x}/{y}`]);
    expect([tj.minzoom, tj.maxzoom]).toEqual([14, 16]);
    expect(tj.bounds[0]).toBeCloseTo(116.39, 1);
    expect(tj.vector_layers.map((l) => l.id)).toEqual([...TILE_SOURCES.grids]);
  });

  it('refuses an archive named like a live source, or a file that is not an archive, with exit 2', async () => {
    const clash = join(dir, 'wangge.pmtiles');
    copyFileSync(pmtiles, clash);
    const taken = await runCliChild(['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--archive', clash]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/a source named "wangge" is served already/);
    const other = await runCliChild(['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--archive', join(dir, 'district.db')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/must end in \.mbtiles or \.pmtiles/);
    const badCache = await runCliChild(['serve', '--db', db, '--cache-control', 'everything=no-store']);
    expect(badCache.code).toBe(2);
    expect(badCache.stderr).toMatch(/GROUP one of tiles, tilejson, catalog/);
  }, 120_000);
});

/** A request without fetch's transparent decompression, so the bytes on the wire are seen. */
function rawGet(path: string, method: 'GET' | 'HEAD'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
