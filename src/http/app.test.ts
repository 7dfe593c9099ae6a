import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature } from 'geojson';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Component, Grid, House } from '../model.js';
import { Store } from '../store/store.js';
import { loadGeocoders, type Geocoders } from '../geocode/geocoders.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp, type AppStore } from './app.js';
import { openApiDocument } from './openapi.js';
import type { Problem } from './problem.js';
import { startServer } from './serve.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

type App = ReturnType<typeof createApp>;

const GEOJSON = 'application/geo+json';
const PROBLEM = 'application/problem+json';

let dir: string;
let store: Store;
let geocoders: Geocoders;
let app: App;
let tiles: TileService;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-http-'));
  const path = join(dir, 'district.db');
  defaultDistrictAt(path);
  store = Store.open(path, { readonly: true });
  geocoders = loadGeocoders(store);
  tiles = TileService.fromStore(store);
  app = createApp({ store, geocoders, tiles });
});

afterAll(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** GETs a feature: asserts 200, the GeoJSON media type and caching headers. */
async function getFeature(path: string, target: App = app): Promise<Feature> {
  const res = await target.request(path);
  const body = await res.text();
  expect(res.status, `${path}: ${body}`).toBe(200);
  expect(res.headers.get('content-type')).toBe(GEOJSON);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
  const feature = JSON.parse(body) as Feature;
  expect(feature.type).toBe('Feature');
  return feature;
}

/** Requests a path expecting an RFC 9457 problem with this status. */
async function getProblem(path: string, status: number, init?: RequestInit, target: App = app): Promise<Problem> {
  const res = await target.request(path, init);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type')).toBe(PROBLEM);
  const problem = (await res.json()) as Problem;
  expect(problem).toMatchObject({ type: 'about:blank', status, instance: new URL(path, 'http://x').pathname });
  expect(problem.title).toEqual(expect.any(String));
  expect(problem.detail).toEqual(expect.any(String));
  expect(problem.request_id).toBe(res.headers.get('x-request-id'));
  return problem;
}

function first<T>(items: Iterable<T>, accept: (item: T) => boolean = () => true): T {
  // for-of closes the iterator on return, which frees the sqlite statement
  for (const item of items) if (accept(item)) return item;
  throw new Error('no item matched');
}

describe('GET /health', () => {
  it('reports ok and the feature counts of the generated district', async () => {
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = (await res.json()) as { status: string; counts: Record<string, number> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.counts).sort()).toEqual(
      ['addresses', 'communities', 'components', 'houses', 'roads', 'socialGrids', 'streets', 'unitGrids'],
    );
    const { counts } = body;
    expect(counts.streets).toBe(17);
    expect(counts.communities).toBeGreaterThanOrEqual(150);
    expect(counts.unitGrids).toBeGreaterThanOrEqual(2000);
    expect(counts.unitGrids).toBeLessThanOrEqual(2600);
    expect(counts.socialGrids).toBe(589);
    expect(counts.houses).toBeGreaterThanOrEqual(25_000);
    expect(counts.addresses).toBeGreaterThanOrEqual(25_000);
    expect(counts.components).toBeGreaterThanOrEqual(150_000);
    expect(counts.roads).toBeGreaterThan(0);
  });

  it('answers 503 problem+json when the database cannot be read, without showing why', async () => {
    const broken = createApp({ geocoders, tiles, store: fakeStore({ counts: () => { throw new TypeError('The database connection is not open /secret/path.db'); } }) });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const problem = await getProblem('/health', 503, undefined, broken);
      expect(problem.detail).not.toContain('/secret');
      expect(spy).toHaveBeenCalledOnce();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('GET /v1/grids/{code}', () => {
  it('finds a unit grid by its 15-digit code, with its community and street', async () => {
    const feature = await getFeature('/v1/grids/110101001001001');
    expect(feature.id).toBe('110101001001001');
    expect(['Polygon', 'MultiPolygon']).toContain(feature.geometry.type);
    expect(feature.properties).toMatchObject({
      scheme: 'unit',
      code: '110101001001001',
      community_code: '110101001001',
      community_name: '多福巷社区',
      street_code: '110101001',
      street_name: '东华门街道',
      valid_to: null,
    });
    expect(feature.properties).not.toHaveProperty('full_code');
    expect(feature.properties?.area_m2).toBeGreaterThan(0);
    expect(feature.properties?.valid_from).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(feature.properties?.name).toEqual(expect.any(String));
  });

  it('reads the legacy 14-digit form as the same grid', async () => {
    const legacy = await getFeature('/v1/grids/11010100100101');
    const current = await getFeature('/v1/grids/110101001001001');
    expect(legacy).toEqual(current);
  });

  it('finds a social grid by its static code, naming its current version', async () => {
    const feature = await getFeature('/v1/grids/1101010010011001');
    const dynamicCode = feature.properties?.dynamic_code as string;
    expect(dynamicCode).toMatch(/^20\d{4}$/);
    expect(feature.id).toBe(`1101010010011001-${dynamicCode}`);
    expect(feature.properties).toMatchObject({
      scheme: 'social',
      code: '1101010010011001',
      static_code: '1101010010011001',
      full_code: `1101010010011001-${dynamicCode}`,
      community_name: '多福巷社区',
      street_name: '东华门街道',
      valid_to: null,
    });
  });

  it('finds the same version by its full static-dynamic code', async () => {
    const [version] = store.gridHistory('social', '1101010010011001');
    const byFull = await getFeature(`/v1/grids/1101010010011001-${version!.dynamicCode}`);
    expect(byFull).toEqual(await getFeature('/v1/grids/1101010010011001'));
  });

  it('gives the version valid on ?at=, and 404 before the first version', async () => {
    const grid = store.getGrid('unit', '110101001001001')!;
    const onFirstDay = await getFeature(`/v1/grids/110101001001001?at=${grid.validFrom}`);
    expect(onFirstDay.properties?.valid_from).toBe(grid.validFrom);
    const before = dayBefore(grid.validFrom);
    const problem = await getProblem(`/v1/grids/110101001001001?at=${before}`, 404);
    expect(problem.detail).toContain(`no version valid on ${before}`);
    expect(problem.detail).toContain(grid.validFrom);
    await getProblem(`/v1/grids/1101010010011001?at=${dayBefore(store.getGrid('social', '1101010010011001')!.validFrom)}`, 404);
  });

  it.each([
    ['2026-02-30', 'not a calendar date'],
    ['2026-13-01', 'not a calendar date'],
    ['2026-1-1', 'YYYY-MM-DD'],
    ['20260101', 'YYYY-MM-DD'],
    ['', 'YYYY-MM-DD'],
    ['2026-01-01T00:00:00Z', 'YYYY-MM-DD'],
  ])('rejects ?at=%j with 400', async (at, expected) => {
    const problem = await getProblem(`/v1/grids/110101001001001?at=${encodeURIComponent(at)}`, 400);
    expect(problem.detail).toMatch(/^at /);
    expect(problem.detail).toContain(expected);
  });

  it('rejects ?at= with a full code, which already names one version', async () => {
    const problem = await getProblem('/v1/grids/1101010010011001-202601?at=2026-06-01', 400);
    expect(problem.detail).toContain('/v1/grids/1101010010011001?at=2026-06-01');
  });
});

describe('grid history', () => {
  // the generated district has one version per grid, so this builds a small store with two
  let historyDir: string;
  let history: Store;
  let historyApp: App;
  const staticCode = '1101010010011001';

  beforeAll(() => {
    historyDir = mkdtempSync(join(tmpdir(), 'wangge-http-history-'));
    history = Store.open(join(historyDir, 'history.db'));
    const current = store.getGrid('social', staticCode)!;
    history.insert('areas', [store.getArea('110101001')!, store.getArea('110101001001')!]);
    const version = (dynamicCode: string, validFrom: string): Grid => ({ ...current, dynamicCode, validFrom, validTo: null });
    history.addGridVersion(version('202401', '2024-01-01'));
    history.addGridVersion(version('202601', '2026-01-01'));
    historyApp = createApp({ store: history, geocoders: loadGeocoders(history), tiles });
  });

  afterAll(() => {
    history?.close();
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  });

  it('returns a closed version by its full code', async () => {
    const feature = await getFeature(`/v1/grids/${staticCode}-202401`, historyApp);
    expect(feature.properties).toMatchObject({ dynamic_code: '202401', valid_from: '2024-01-01', valid_to: '2026-01-01' });
  });

  it('picks the version by ?at=, valid_to being exclusive', async () => {
    const version = async (query: string) => (await getFeature(`/v1/grids/${staticCode}${query}`, historyApp)).properties?.dynamic_code;
    expect(await version('')).toBe('202601');
    expect(await version('?at=2024-01-01')).toBe('202401');
    expect(await version('?at=2025-12-31')).toBe('202401');
    expect(await version('?at=2026-01-01')).toBe('202601');
    const problem = await getProblem(`/v1/grids/${staticCode}?at=2023-12-31`, 404, undefined, historyApp);
    expect(problem.detail).toContain('2024-01-01 to 2026-01-01, 2026-01-01 to now');
  });

  it('lists the known versions when a full code names none of them', async () => {
    const problem = await getProblem(`/v1/grids/${staticCode}-202501`, 404, undefined, historyApp);
    expect(problem.detail).toContain('its versions are 202401, 202601');
  });
});

describe('GET /v1/areas/{code}', () => {
  it('finds a community with its parent street', async () => {
    const feature = await getFeature('/v1/areas/110101001001');
    expect(feature.id).toBe('110101001001');
    expect(feature.properties).toEqual({
      code: '110101001001',
      level: 'community',
      name: '多福巷社区',
      parent_code: '110101001',
      parent_name: '东华门街道',
    });
  });

  it('finds the district, which has no parent name', async () => {
    const feature = await getFeature('/v1/areas/110101');
    expect(feature.properties).toMatchObject({ code: '110101', level: 'district', parent_code: null, parent_name: null });
  });
});

describe('GET /v1/components/{code}', () => {
  it('round-trips a component from the store', async () => {
    const component: Component = first(store.iterate('components'), (c) => c.deptOwner !== null && c.geometry.type !== 'Point');
    const feature = await getFeature(`/v1/components/${component.code}`);
    expect(feature.id).toBe(component.code);
    expect(feature.geometry).toEqual(component.geometry);
    expect(feature.properties).toEqual({
      code: component.code,
      major: component.major,
      minor: component.minor,
      class_code: component.major + component.minor,
      class_name: expect.any(String),
      name: component.name,
      status: component.status,
      dept_main: component.deptMain,
      dept_owner: component.deptOwner,
      dept_maintain: component.deptMaintain,
      initial_date: component.initialDate,
      change_date: component.changeDate,
      data_source: component.dataSource,
      unit_grid_code: component.unitGridCode,
    });
  });
});

describe('GET /v1/houses/{id}', () => {
  it('round-trips a house from the store', async () => {
    const house: House = first(store.iterate('houses'), (h) => h.floorsBelow > 0 && h.address !== null);
    const feature = await getFeature(`/v1/houses/${house.id}`);
    expect(feature.id).toBe(house.id);
    expect(feature.geometry).toEqual(house.geometry);
    expect(feature.properties).toEqual({
      id: house.id,
      height_m: house.heightM,
      floors: house.floors,
      floors_below: house.floorsBelow,
      use: house.use,
      year_built: house.yearBuilt,
      households: house.households,
      address: house.address,
      unit_grid_code: house.unitGridCode,
      social_static_code: house.socialStaticCode,
      status: '在用',
      retired_on: null,
    });
  });
});

describe('malformed and unknown keys', () => {
  it.each([
    ['/v1/grids/110101001001000', 'unit grid code 110101001001000: serial "000"'],
    ['/v1/grids/11010100100100', 'unit grid code 11010100100100: serial "00"'],
    ['/v1/grids/110101999001001', 'township code "999"'],
    ['/v1/grids/12345', 'not a grid code: got 5 characters'],
    ['/v1/grids/1101010010015001', 'grid type "5"'],
    ['/v1/grids/1101010010011001-199901', 'dynamic code year "1999"'],
    ['/v1/grids/1101010010011001-2026', 'dynamic code must be 6 digits'],
    ['/v1/areas/11010', 'division code 11010: must be 6 digits'],
    ['/v1/areas/990101', 'province "99"'],
    ['/v1/areas/%E4%BD%A0', 'only ASCII digits'],
    ['/v1/components/1101019901000001', 'major class 99 is unknown'],
    ['/v1/components/11010101010001', 'component code 11010101010001: must be 16 digits'],
    ['/v1/houses/abc', 'house id must be a positive integer'],
    ['/v1/houses/0', 'house id must be a positive integer'],
    ['/v1/houses/-1', 'house id must be a positive integer'],
    ['/v1/houses/1.5', 'house id must be a positive integer'],
    ['/v1/houses/99999999999999999999', 'house id must be a positive integer'],
  ])('%s is 400 naming the wrong part', async (path, expected) => {
    const problem = await getProblem(path, 400);
    expect(problem.code).toBe('invalid_request');
    expect(problem.detail).toContain(expected);
  });

  it.each([
    ['/v1/areas/110101001099', 'no administrative area with code 110101001099'],
    ['/v1/grids/110101001001999', 'no unit grid with code 110101001001999'],
    ['/v1/grids/1101010010019999', 'no social grid with code 1101010010019999'],
    ['/v1/grids/1101010010011001-209901', 'has no version 209901'],
    ['/v1/components/1101010101999999', 'no component with code 1101010101999999'],
    ['/v1/houses/999999999', 'no house with id 999999999'],
  ])('%s is 404', async (path, expected) => {
    const problem = await getProblem(path, 404);
    expect(problem.code).toBe('not_found');
    expect(problem.detail).toContain(expected);
  });
});

describe('routing and headers', () => {
  it('answers 404 problem+json for an unknown path', async () => {
    const problem = await getProblem('/v2/nothing', 404);
    expect(problem.detail).toContain('/openapi.json');
  });

  it('answers 405 with Allow for a wrong method on a known path', async () => {
    const res = await app.request('/v1/areas/110101001', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toBe(PROBLEM);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    // this app has no writable store: its write endpoints answer 405 too
    const write = await app.request('/v1/houses/1', { method: 'DELETE' });
    expect(write.status).toBe(405);
    expect(write.headers.get('allow')).toBe('GET, HEAD');
    expect(((await write.json()) as { detail: string }).detail).toMatch(/read-only/);
    await getProblem('/health', 405, { method: 'POST' });
  });

  it('answers 304 when the ETag still matches', async () => {
    const res = await app.request('/v1/areas/110101001');
    const tag = res.headers.get('etag')!;
    const again = await app.request('/v1/areas/110101001', { headers: { 'if-none-match': tag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.headers.get('cache-control')).toBe('no-cache');
    expect(await again.text()).toBe('');
  });

  it('echoes a request id the client sends', async () => {
    const res = await app.request('/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('hides an unexpected error behind a 500 and logs it', async () => {
    const failing = createApp({ geocoders, tiles, store: fakeStore({ getHouse: () => { throw new Error('secret internals'); } }) });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const problem = await getProblem('/v1/houses/1', 500, undefined, failing);
      expect(problem.detail).not.toContain('secret');
      expect(problem.detail).toContain(problem.request_id);
      expect(String(spy.mock.calls[0]?.[0])).toContain(problem.request_id);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const doc = (await res.json()) as { openapi: string; paths: object };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('describes exactly the routes the app registers', () => {
    const registered = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(openApiDocument().paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`)),
    );
    expect([...documented].sort()).toEqual([...registered].sort());
    expect(registered.size).toBeGreaterThanOrEqual(6);
  });

  it('declares every path parameter and resolves every $ref', () => {
    const doc = openApiDocument();
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(item)) {
        const declared = ((operation as { parameters?: { name: string; in: string }[] }).parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${method} ${path}`).toEqual(names);
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/components\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const [, section, name] = /#\/components\/(\w+)\/(\w+)/.exec(ref)!;
      expect(doc.components[section!], ref).toHaveProperty(name!);
    }
  });
});

describe('startServer', () => {
  it('serves the app over loopback on an ephemeral port and closes', async () => {
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(((await res.json()) as { status: string }).status).toBe('ok');
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      await expect(startServer(app, { host: '127.0.0.1', port: server.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await server.close();
    }
  });
});

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** A store whose methods all find nothing, with some replaced. */
function fakeStore(overrides: Partial<AppStore>): AppStore {
  return {
    getArea: () => null,
    getGrid: () => null,
    getSocialGridVersion: () => null,
    gridHistory: () => [],
    getComponent: () => null,
    getHouse: () => null,
    getAddress: () => null,
    counts: () => ({ streets: 0, communities: 0, unitGrids: 0, socialGrids: 0, components: 0, houses: 0, addresses: 0, roads: 0 }),
    ...overrides,
  };
}
