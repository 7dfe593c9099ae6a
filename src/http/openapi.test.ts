import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { startLive, type LiveService } from '../live.js';
import { Store } from '../store/store.js';
import { createApp } from './app.js';
import { openApiDocument } from './openapi.js';

type Operation = { security?: unknown[]; responses: Record<string, unknown> };
const operationOf = (path: string, method: string): Operation => (openApiDocument().paths[path] as Record<string, Operation>)[method]!;

/** Redocly's recommended rules over `document`: its problems, as `severity rule pointer: message`. */
async function lint(document: unknown): Promise<{ errors: string[]; warnings: string[] }> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
  const describe = (p: (typeof problems)[number]) => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`;
  return { errors: problems.filter((p) => p.severity === 'error').map(describe), warnings: problems.filter((p) => p.severity === 'warn').map(describe) };
}

describe('the OpenAPI document', () => {
  it('passes Redocly lint with the recommended rules: no errors, no warnings', async () => {
    expect(await lint(openApiDocument())).toEqual({ errors: [], warnings: [] });
  });

  it('is linted for real: without servers and security the same rules find errors', async () => {
    const { servers: _servers, ...rest } = structuredClone(openApiDocument());
    for (const item of Object.values(rest.paths)) for (const operation of Object.values(item) as Operation[]) delete operation.security;
    const { errors } = await lint(rest);
    expect(errors.some((e) => e.startsWith('no-empty-servers'))).toBe(true);
    expect(errors.filter((e) => e.startsWith('security-defined')).length).toBe(Object.values(rest.paths).flatMap((item) => Object.keys(item)).length);
  });

  it('declares security on every operation: writes need a key, reads of /v1 (batches included), /tiles, /catalog and /metrics take one', () => {
    const { paths } = openApiDocument();
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
        // batch lookups are POSTs that read
        const write = method !== 'get' && !['/v1/reverse', '/v1/geocode'].includes(path);
        const expected = write ? [{ bearerAuth: [] }] : /^\/(v1\/|tiles\/|catalog$|metrics$)/.test(path) ? [{}, { bearerAuth: [] }] : [{}];
        expect(operation.security, `${method} ${path}`).toEqual(expected);
      }
    }
  });
});

// the statuses the middleware in front of the routes gives, asked of the app as `wangge serve`
// wires it; each must be an answer of its operation in the document
describe('every status the edge gives is documented', () => {
  let dir: string;
  let store: Store;
  let live: LiveService;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wangge-openapi-'));
    store = Store.open(join(dir, 'db.sqlite'));
    const square = { type: 'Polygon' as const, coordinates: [[[116.4, 39.9], [116.401, 39.9], [116.401, 39.901], [116.4, 39.901], [116.4, 39.9]]] };
    store.insert('areas', [{ code: '110101001', level: 'street', name: '东华门街道', parentCode: '110101', geometry: square }]);
    key = createApiKey(store, { name: 'survey', scope: '110101001' }).secret;
    live = startLive(store);
  });

  afterAll(() => {
    live?.stop();
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const app = (options: Partial<Parameters<typeof createApp>[0]> = {}) =>
    createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, ...options });

  it('401 on keyed reads under --reads-need-key, 400 for an unknown parameter, 304 to a matching ETag', async () => {
    const closed = app({ readsNeedKey: true });
    const withKey = { headers: { Authorization: `Bearer ${key}` } };
    const area = await closed.request('/v1/areas/110101001', withKey);
    expect(area.status).toBe(200);
    const cases: [string, RequestInit, string, number][] = [
      ['/metrics', {}, '/metrics', 401],
      ['/v1/reverse?lng=116.4&lat=39.9', {}, '/v1/reverse', 401],
      ['/v1/areas/110101001', {}, '/v1/areas/{code}', 401],
      ['/tiles/wangge/14/13490/6206', {}, '/tiles/{source}/{z}/{x}/{y}', 401],
      ['/tiles/wangge.json', {}, '/tiles/{tilejson}', 401],
      ['/catalog', {}, '/catalog', 401],
      ['/health?verbose=1', {}, '/health', 400],
      ['/metrics?verbose=1', withKey, '/metrics', 400],
      ['/openapi.json?verbose=1', {}, '/openapi.json', 400],
      ['/v1/areas/110101001', { headers: { ...withKey.headers, 'If-None-Match': area.headers.get('etag')! } }, '/v1/areas/{code}', 304],
    ];
    for (const [url, init, path, status] of cases) {
      const res = await closed.request(url, init);
      expect(res.status, `GET ${url}`).toBe(status);
      expect(operationOf(path, 'get').responses[String(status)], `GET ${path} documents ${status}`).toBeDefined();
    }
  });

  it('429 from the rate limit on every operation, the open ones included', async () => {
    const limited = app({ rateLimit: 1, rateBurst: 1, trustProxy: true });
    const from = { headers: { 'X-Forwarded-For': '203.0.113.9' } };
    expect((await limited.request('/health', from)).status).toBe(200);
    for (const url of ['/health', '/openapi.json', '/metrics', '/styles/default.json', '/']) {
      expect((await limited.request(url, from)).status, url).toBe(429);
    }
    for (const [path, item] of Object.entries(openApiDocument().paths)) {
      for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
        expect(operation.responses['429'], `${method} ${path} documents 429`).toBeDefined();
      }
    }
  });
});
