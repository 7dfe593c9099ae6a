import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeocoders } from '../geocode/geocoders.js';
import { TILE_SOURCES } from '../tiles/layers.js';
import { decodeTile } from '../tiles/test-helpers/decode-tile.js';
import { worldX, worldY } from '../tiles/tile-coords.js';
import { TileService } from '../tiles/tile-service.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { createApp, type AppOptions } from './app.js';

let district: TestDistrict;
let base: Omit<AppOptions, 'tiles'> & { tiles: TileService };
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  district = openTestDistrict('http-tile-sources', { readonly: true });
  base = { store: district.store, geocoders: loadGeocoders(district.store), tiles: TileService.fromStore(district.store) };
  app = createApp(base);
}, 120_000);

afterAll(() => {
  district?.remove();
});

const CENTRE: [number, number] = [116.4135, 39.9305];
function tilePath(source: string, z: number, [lng, lat] = CENTRE): string {
  const n = 2 ** z;
  return `/tiles/${source}/${z}/${Math.floor(worldX(lng) * n)}/${Math.floor(worldY(lat) * n)}`;
}

async function tileLayers(path: string): Promise<ReturnType<typeof decodeTile>> {
  const res = await app.request(path, { headers: { 'Accept-Encoding': 'gzip' } });
  expect(res.status, path).toBe(200);
  return decodeTile(new Uint8Array(await res.arrayBuffer()));
}

describe('GET /catalog', () => {
  it('lists every source with its layers, zooms, attribution, content type and TileJSON URL', async () => {
    const res = await app.request('http://10.1.2.3:8080/catalog');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const { tiles } = (await res.json()) as { tiles: Record<string, Record<string, unknown> & { layers: { id: string; minzoom: number }[] }> };
    expect(Object.keys(tiles)).toEqual(['grids', 'components', 'houses', 'wangge']);
    const wangge = tiles.wangge!;
    expect(wangge).toMatchObject({ content_type: 'application/vnd.mapbox-vector-tile', content_encoding: 'gzip', minzoom: 10, maxzoom: 18, tilejson: 'http://10.1.2.3:8080/tiles/wangge.json' });
    expect(wangge.attribution).toMatch(/\S/);
    expect(wangge.bounds).toHaveLength(4);
    expect(wangge.layers.map((l) => l.id)).toEqual([...TILE_SOURCES.wangge]);
    expect(tiles.components!.layers).toEqual([{ id: 'components', minzoom: 14, maxzoom: 18 }]);
    // the database's sources are no archives
    expect(Object.values(tiles).some((t) => 'archive' in t)).toBe(false);
  });

  it('validates its query like every other route (no parameters)', async () => {
    const res = await app.request('/catalog?v=2');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/unknown query parameter "v"/);
  });
});

describe('composite sources', () => {
  it('a composite tile holds exactly the union of its parts\' layers, with the same features', async () => {
    for (const z of [14, 16]) {
      const grids = await tileLayers(tilePath('grids', z));
      const houses = await tileLayers(tilePath('houses', z));
      const composite = await tileLayers(tilePath('grids,houses', z));
      expect(Object.keys(composite).sort()).toEqual([...TILE_SOURCES.grids, ...TILE_SOURCES.houses].sort());
      expect(composite).toEqual({ ...grids, ...houses });
    }
  });

  it('has a layer two parts share once', async () => {
    const wangge = await tileLayers(tilePath('wangge', 16));
    const composite = await tileLayers(tilePath('grids,wangge', 16));
    expect(Object.keys(composite).sort()).toEqual(Object.keys(wangge).sort());
    expect(composite).toEqual(wangge);
  });

  it('has TileJSON with the union of the layers and a tile URL under the composite name', async () => {
    const tj = (await (await app.request('http://h/tiles/components,houses.json')).json()) as { tiles: string[]; minzoom: number; vector_layers: { id: string }[] };
    expect(tj.tiles).toEqual(['http://h/tiles/components,houses/{z}/{x}/{y}']);
    expect(tj.vector_layers.map((l) => l.id)).toEqual(['components', 'houses']);
    expect(tj.minzoom).toBe(13);
    const again = (await (await app.request('/tiles/grids,wangge.json')).json()) as { vector_layers: { id: string }[] };
    expect(again.vector_layers.map((l) => l.id).sort()).toEqual([...TILE_SOURCES.wangge].sort());
  });

  it('answers 404 naming the unknown part of a composite', async () => {
    for (const path of [tilePath('grids,roads', 16), '/tiles/grids,roads.json']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/no tile source "roads" \(in composite "grids,roads"\)/);
    }
  });
});

describe('HTTP for caches and clients on tile routes', () => {
  it('answers HEAD with the Content-Length of the GET, for tiles (gzip or not) and TileJSON', async () => {
    for (const [path, encoding] of [[tilePath('wangge', 16), 'gzip'], [tilePath('houses', 16), 'identity'], [tilePath('grids,houses', 16), 'gzip'], ['/tiles/wangge.json', 'gzip']] as const) {
      const headers = { 'Accept-Encoding': encoding };
      const get = await app.request(path, { headers });
      const bytes = (await get.arrayBuffer()).byteLength;
      expect(bytes, path).toBeGreaterThan(0);
      expect(get.headers.get('content-length'), path).toBe(String(bytes));
      const head = await app.request(path, { method: 'HEAD', headers });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-length'), path).toBe(String(bytes));
      expect(head.headers.get('etag'), path).toBe(get.headers.get('etag'));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it('ignores unknown query parameters (cache busting) on tile and TileJSON routes only', async () => {
    const plain = await app.request(tilePath('wangge', 16));
    const busted = await app.request(`${tilePath('wangge', 16)}?v=2&token=x`);
    expect(busted.status).toBe(200);
    expect(busted.headers.get('etag')).toBe(plain.headers.get('etag'));
    expect((await app.request('/tiles/wangge.json?v=2')).status).toBe(200);
    // still checked elsewhere
    const reverse = await app.request('/v1/reverse?lng=116.41&lat=39.93&v=2');
    expect(reverse.status).toBe(400);
    expect(((await reverse.json()) as { detail: string }).detail).toMatch(/unknown query parameter "v"/);
  });

  it('sends the Cache-Control the operator set per route group, and the defaults otherwise', async () => {
    expect((await app.request(tilePath('wangge', 16))).headers.get('cache-control')).toBe('public, max-age=60');
    expect((await app.request('/tiles/wangge.json')).headers.get('cache-control')).toBe('no-cache');
    const set = createApp({ ...base, cacheControl: { tiles: 'public, max-age=300, stale-while-revalidate=60', tilejson: 'public, max-age=30', catalog: 'max-age=5' } });
    const tile = await set.request(tilePath('wangge', 16));
    expect(tile.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    expect((await set.request('/tiles/wangge/15/0/0')).headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    expect((await set.request('/tiles/wangge.json')).headers.get('cache-control')).toBe('public, max-age=30');
    expect((await set.request('/catalog')).headers.get('cache-control')).toBe('max-age=5');
  });
});

describe('X-Forwarded-Proto / -Host', () => {
  const forged = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example' };

  it('do not change TileJSON, catalog or style URLs without trustProxy', async () => {
    const tj = (await (await app.request('http://10.1.2.3:8080/tiles/wangge.json', { headers: forged })).json()) as { tiles: string[] };
    expect(tj.tiles).toEqual(['http://10.1.2.3:8080/tiles/wangge/{z}/{x}/{y}']);
    const catalog = await (await app.request('http://10.1.2.3:8080/catalog', { headers: forged })).text();
    expect(catalog).not.toContain('evil.example');
    const style = await (await app.request('http://10.1.2.3:8080/styles/default.json', { headers: forged })).text();
    expect(style).not.toContain('evil.example');
    expect(style).toContain('http://10.1.2.3:8080/tiles/');
  });

  it('set the public origin with trustProxy', async () => {
    const trusted = createApp({ ...base, trustProxy: true });
    const tj = (await (await trusted.request('http://10.1.2.3:8080/tiles/wangge.json', { headers: forged })).json()) as { tiles: string[] };
    expect(tj.tiles).toEqual(['https://evil.example/tiles/wangge/{z}/{x}/{y}']);
  });
});
