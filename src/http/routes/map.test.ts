import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ArchiveMetadata } from '../../tiles/archive.js';
import type { TileProvider } from '../../tiles/tile-provider.js';
import { installProblemHandling, type ProblemEnv } from '../problem.js';
import { mapRoutes, type MapRoutesOptions } from './map.js';

const METADATA: ArchiveMetadata = {
  name: 'city',
  description: '',
  attribution: '',
  version: '1.0.0',
  minzoom: 10,
  maxzoom: 17,
  bounds: [120.1, 30.2, 120.3, 30.4],
  center: [120.2, 30.3, 14],
  vectorLayers: [],
};

/** The map routes over a tile provider serving one source, as `serve --mbtiles` does. */
function appFor(sources: string[], options: MapRoutesOptions = {}): Hono<ProblemEnv> {
  const tiles: TileProvider = { sources, maxAgeSeconds: 60, metadata: () => METADATA, tile: () => null };
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.route('/', mapRoutes(tiles, options));
  return app;
}

describe('map routes', () => {
  it('opens the page on the tileset centre with a pitch, loading MapLibre from this server only', async () => {
    const res = await appFor(['city']).request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('center: [120.2,30.3]');
    expect(html).toContain('pitch: 45');
    expect(html).toMatch(/\/assets\/maplibre-gl\/maplibre-gl\.mjs\?v=\d+\.\d+\.\d+/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves a style over the served source with URLs for the client-facing origin', async () => {
    const res = await appFor(['city']).request('http://10.0.0.5:8080/styles/default.json', { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'map.example.cn' } });
    const style = (await res.json()) as { sources: Record<string, { url: string }> };
    expect(Object.values(style.sources).map((s) => s.url)).toEqual(['https://map.example.cn/tiles/city.json']);
    const live = (await (await appFor(['grids', 'wangge']).request('http://h/styles/default.json')).json()) as { sources: Record<string, { url: string }> };
    expect(Object.values(live.sources).map((s) => s.url)).toEqual(['http://h/tiles/wangge.json']);
  });

  it('serves the MapLibre module: JavaScript, gzip when accepted, immutable for the served version, 304 on its ETag', async () => {
    const app = appFor(['city']);
    const html = await (await app.request('/')).text();
    const url = /\/assets\/maplibre-gl\/maplibre-gl\.mjs\?v=[\d.]+/.exec(html)![0];
    const res = await app.request(url, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const body = gunzipSync(Buffer.from(await res.arrayBuffer())).toString();
    expect(body.length).toBeGreaterThan(100_000);
    const unversioned = await app.request('/assets/maplibre-gl/maplibre-gl.css');
    expect(unversioned.headers.get('content-type')).toMatch(/^text\/css/);
    expect(unversioned.headers.get('cache-control')).not.toContain('immutable');
    const again = await app.request(url, { headers: { 'If-None-Match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('asks for a key on the page only when reads need one, checking it on the served TileJSON', async () => {
    const open = await (await appFor(['city']).request('/')).text();
    expect(open).toContain('const KEY_CHECK_PATH = null;');
    const closed = await (await appFor(['city'], { readsNeedKey: true }).request('/')).text();
    expect(closed).toContain('const KEY_CHECK_PATH = "/tiles/city.json";');
    expect(closed).toContain('<form id="api-key" hidden>');
    expect(closed).toContain('transformRequest');
  });

  it('answers another method on a MapLibre file with a plain 405 problem+json, not labelled gzip', async () => {
    const res = await appFor(['city']).request('/assets/maplibre-gl/maplibre-gl.mjs', { method: 'POST', headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(((await res.json()) as { status: number }).status).toBe(405);
  });

  it('serves nothing else from the package: 404 problem+json listing the files', async () => {
    for (const path of ['/assets/maplibre-gl/package.json', '/assets/maplibre-gl/..%2F..%2Fpackage.json', '/assets/maplibre-gl/maplibre-gl.mjs.map']) {
      const res = await appFor(['city']).request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toContain('maplibre-gl.mjs');
    }
  });
});
