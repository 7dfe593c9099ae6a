import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeocoders } from '../geocode/geocoders.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { decodeTile } from '../tiles/test-helpers/decode-tile.js';
import { worldX, worldY } from '../tiles/tile-coords.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';

let district: TestDistrict;
let app: ReturnType<typeof createApp>;

beforeAll(() => {
  district = openTestDistrict('http-tile-encoding', { readonly: true });
  app = createApp({ store: district.store, geocoders: loadGeocoders(district.store), tiles: TileService.fromStore(district.store) });
}, 60_000);

afterAll(() => {
  district?.remove();
});

const CENTRE: [number, number] = [116.4135, 39.9305];
function tilePath(source: string, z: number, [lng, lat] = CENTRE): string {
  const n = 2 ** z;
  return `/tiles/${source}/${z}/${Math.floor(worldX(lng) * n)}/${Math.floor(worldY(lat) * n)}`;
}

const get = (path: string, headers: Record<string, string>, method = 'GET') => Promise.resolve(app.request(path, { method, headers }));
const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('tile content codings', () => {
  const path = tilePath('wangge', 16);

  it('sends brotli to a client that prefers it (or takes only it), decoding to the same MVT as the stored gzip', async () => {
    const mvt = gunzipSync(await bytesOf(await get(path, { 'Accept-Encoding': 'gzip' })));
    for (const accept of ['br', 'gzip;q=0.5, br', 'br, gzip;q=0']) {
      const res = await get(path, { 'Accept-Encoding': accept });
      expect(res.status, accept).toBe(200);
      expect(res.headers.get('content-encoding'), accept).toBe('br');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      const body = await bytesOf(res);
      expect(res.headers.get('content-length')).toBe(String(body.length));
      const decoded = brotliDecompressSync(body);
      expect(decoded.equals(mvt)).toBe(true);
      expect(Object.keys(decodeTile(decoded)).length).toBeGreaterThan(0);
    }
  });

  it('sends the stored gzip when the client takes gzip and brotli alike', async () => {
    const res = await get(path, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = await bytesOf(res);
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b]);
  });

  it('answers HEAD with the brotli Content-Length, and 304 whatever the coding', async () => {
    const full = await get(path, { 'Accept-Encoding': 'br' });
    const head = await get(path, { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(head.headers.get('content-encoding')).toBe('br');
    expect(head.headers.get('content-length')).toBe(full.headers.get('content-length'));
    expect((await bytesOf(head)).length).toBe(0);
    const etag = full.headers.get('etag')!;
    const revalidated = await get(path, { 'Accept-Encoding': 'br', 'If-None-Match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('content-encoding')).toBeNull();
  });
});
