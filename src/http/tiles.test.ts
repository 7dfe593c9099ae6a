import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeocoders } from '../geocode/geocoders.js';
import type { Store } from '../store/store.js';
import { decodeTile } from '../tiles/test-helpers/decode-tile.js';
import { TILE_SOURCES } from '../tiles/layers.js';
import { worldX, worldY } from '../tiles/tile-coords.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';

let district: TestDistrict;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  district = openTestDistrict('http-tiles', { readonly: true });
  store = district.store;
  app = createApp({ store, geocoders: loadGeocoders(store), tiles: TileService.fromStore(store) });
}, 60_000);

afterAll(() => {
  district?.remove();
});

const CENTRE: [number, number] = [116.4135, 39.9305];
function tilePath(source: string, z: number, [lng, lat] = CENTRE): string {
  const n = 2 ** z;
  return `/tiles/${source}/${z}/${Math.floor(worldX(lng) * n)}/${Math.floor(worldY(lat) * n)}`;
}

describe('GET /tiles/{source}/{z}/{x}/{y}', () => {
  it('sends gzip MVT to clients that accept it, with ETag, Cache-Control, Vary and CORS', async () => {
    const res = await app.request(tilePath('wangge', 16), { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = new Uint8Array(await res.arrayBuffer());
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b]);
    expect(Object.keys(decodeTile(body)).sort()).toEqual([...TILE_SOURCES.wangge].sort());
  });

  it('sends the same tile uncompressed to clients that do not accept gzip (or refuse it with q=0)', async () => {
    const gz = new Uint8Array(await (await app.request(tilePath('houses', 16), { headers: { 'Accept-Encoding': 'gzip' } })).arrayBuffer());
    for (const accept of ['identity', 'gzip;q=0', '']) {
      const res = await app.request(tilePath('houses', 16), { headers: { 'Accept-Encoding': accept } });
      expect(res.headers.get('content-encoding'), accept).toBeNull();
      expect(Buffer.from(await res.arrayBuffer()).equals(gunzipSync(gz))).toBe(true);
    }
  });

  it('answers 304 to a matching If-None-Match (also weak or in a list) and 200 to another', async () => {
    const path = tilePath('grids', 15);
    const etag = (await app.request(path)).headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await app.request(path, { headers: { 'If-None-Match': header } });
      expect(res.status, header).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    expect((await app.request(path, { headers: { 'If-None-Match': '"something-else"' } })).status).toBe(200);
  });

  it('answers 204 for a tile in range without data, and for a layer below its minzoom', async () => {
    for (const path of ['/tiles/wangge/15/0/0', tilePath('components', 12), tilePath('wangge', 9)]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(204);
      expect(await res.text()).toBe('');
    }
  });

  it('refuses invalid coordinates with 400 problem+json naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['/tiles/wangge/19/0/0', /z must be 0–18/],
      ['/tiles/wangge/2/4/0', /x and y must be 0–3 at z2/],
      ['/tiles/wangge/2/0/4', /x and y must be 0–3/],
      ['/tiles/wangge/-1/0/0', /z must be a whole number/],
      ['/tiles/wangge/1.5/0/0', /z must be a whole number/],
      ['/tiles/wangge/a/0/0', /z must be a whole number/],
      ['/tiles/wangge/3/0/1e3', /y must be a whole number/],
      ['/tiles/wangge/99999999999999999999/0/0', /z must be a whole number/],
      ['/tiles/wangge/3/0/0.pbf', /y must be a whole number/],
    ];
    for (const [path, detail] of cases) {
      const res = await app.request(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail, path).toMatch(detail);
    }
  });

  it('answers 404 problem+json for an unknown source, listing the sources', async () => {
    for (const path of ['/tiles/roads/15/0/0', '/tiles/roads.json', '/tiles/..%2F..%2Fetc/1/0/0']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/grids, components, houses, wangge/);
    }
  });
});

describe('GET /tiles/{source}.json', () => {
  it('is TileJSON 3.0.0 with an absolute tile URL, bounds, centre, zooms and described vector layers', async () => {
    const res = await app.request('http://10.1.2.3:8080/tiles/wangge.json');
    expect(res.status).toBe(200);
    const tj = (await res.json()) as Record<string, unknown> & { vector_layers: { id: string; fields: Record<string, string>; description: string }[] };
    expect(tj.tilejson).toBe('3.0.0');
    expect(tj.tiles).toEqual(['http://10.1.2.3:8080/tiles/wangge/{z}/{x}/{y}']);
    expect(tj.minzoom).toBe(10);
    expect(tj.maxzoom).toBe(18);
    expect(tj.bounds).toHaveLength(4);
    expect(tj.center).toHaveLength(3);
    expect(tj.attribution).toBeTypeOf('string');
    expect(tj.vector_layers.map((l) => l.id)).toEqual([...TILE_SOURCES.wangge]);
    const houses = tj.vector_layers.find((l) => l.id === 'houses')!;
    expect(Object.keys(houses.fields)).toEqual(expect.arrayContaining(['height', 'min_height', 'render_height', 'render_min_height', 'floors', 'floors_below', 'use', 'address', 'unit_grid', 'social_static']));
    for (const layer of tj.vector_layers) expect(layer.description.length).toBeGreaterThan(10);
  });

  it('builds tile URLs for the client-facing origin behind a trusted proxy, and ignores a malformed forwarded host', async () => {
    const app = createApp({ store, geocoders: loadGeocoders(store), tiles: TileService.fromStore(store), trustProxy: true });
    const behind = await app.request('http://10.1.2.3:8080/tiles/houses.json', { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'map.example.cn, 10.0.0.1' } });
    expect(((await behind.json()) as { tiles: string[] }).tiles).toEqual(['https://map.example.cn/tiles/houses/{z}/{x}/{y}']);
    const bad = await app.request('http://10.1.2.3:8080/tiles/houses.json', { headers: { 'X-Forwarded-Host': 'evil.example/<script>' } });
    expect(((await bad.json()) as { tiles: string[] }).tiles).toEqual(['http://10.1.2.3:8080/tiles/houses/{z}/{x}/{y}']);
  });

  it('lists only the layers of a smaller source, with its own minzoom', async () => {
    const tj = (await (await app.request('/tiles/components.json')).json()) as { minzoom: number; vector_layers: { id: string }[] };
    expect(tj.vector_layers.map((l) => l.id)).toEqual(['components']);
    expect(tj.minzoom).toBe(14);
  });
});
