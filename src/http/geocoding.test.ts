import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWgs84, parseCrs } from '../geo/crs.js';
import { loadGeocoders, type Geocoders } from '../geocode/geocoders.js';
import { distanceM } from '../geo/distance.js';
import { Store } from '../store/store.js';
import { TileService } from '../tiles/tile-service.js';
import { createApp } from './app.js';
import { startServer } from './serve.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

let dir: string;
let store: Store;
let geocoders: Geocoders;
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-geocoding-'));
  const path = join(dir, 'district.db');
  defaultDistrictAt(path);
  store = Store.open(path, { readonly: true });
  geocoders = loadGeocoders(store);
  server = await startServer(createApp({ store, geocoders, tiles: TileService.fromStore(store) }), { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const INSIDE: [number, number] = [116.4135, 39.9305];

async function get(path: string): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

async function post(path: string, payload: unknown): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('GET /v1/reverse (real server on loopback)', () => {
  it('names the district, street, community, unit grid and social grid of a point', async () => {
    const { status, type, body } = await get(`/v1/reverse?lng=${INSIDE[0]}&lat=${INSIDE[1]}`);
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    const expected = geocoders.reverse.resolve(...INSIDE);
    expect(body).toEqual({ lng: INSIDE[0], lat: INSIDE[1], ...JSON.parse(JSON.stringify(expected)) });
    expect(body.district).toEqual({ code: '110101', name: '东城区' });
    expect((body.unitGrid as { code: string }).code).toMatch(/^110101\d{9}$/);
    expect(body.socialGrid).toMatchObject({ dynamicCode: '202601' });
  });

  it('answers nulls, not an error, outside every area', async () => {
    const { status, body } = await get('/v1/reverse?lng=116.2&lat=39.8');
    expect(status).toBe(200);
    expect(body).toEqual({ lng: 116.2, lat: 39.8, district: null, street: null, community: null, unitGrid: null, socialGrid: null });
  });

  it('converts GCJ-02, BD-09 and CGCS2000 Gauss-Krüger input to the same answer', async () => {
    const direct = await get(`/v1/reverse?lng=${INSIDE[0]}&lat=${INSIDE[1]}`);
    for (const crs of ['gcj02', 'bd09', 'EPSG:4527', 'cgcs2000', 'EPSG:3857']) {
      const [x, y] = fromWgs84(parseCrs(crs))(INSIDE);
      const { status, body } = await get(`/v1/reverse?lng=${x}&lat=${y}&crs=${encodeURIComponent(crs)}`);
      expect(status, crs).toBe(200);
      expect(distanceM(body.lng as number, body.lat as number, ...INSIDE), crs).toBeLessThan(0.01);
      expect(body.unitGrid, crs).toEqual(direct.body.unitGrid);
      expect(body.socialGrid, crs).toEqual(direct.body.socialGrid);
    }
  });

  it('answers with the grid versions valid on ?at=', async () => {
    const before = await get(`/v1/reverse?lng=${INSIDE[0]}&lat=${INSIDE[1]}&at=2015-01-01`);
    expect(before.body.unitGrid).not.toBeNull();
    expect(before.body.socialGrid).toBeNull();
    const earlier = await get(`/v1/reverse?lng=${INSIDE[0]}&lat=${INSIDE[1]}&at=2009-01-01`);
    expect(earlier.body.unitGrid).toBeNull();
    expect(earlier.body.community).not.toBeNull();
  });

  it('adds the nearest door plate within 50 m with address=1', async () => {
    const plate = [...store.iterate('addresses')][0]!;
    const [lng, lat] = plate.geometry.coordinates as [number, number];
    const { body } = await get(`/v1/reverse?lng=${lng + 0.0001}&lat=${lat}&address=1`);
    const nearest = body.nearestAddress as { distanceM: number; houseId: number; label: string };
    expect(nearest.distanceM).toBeLessThanOrEqual(50);
    expect(nearest.label).toMatch(/号/);
    const far = await get('/v1/reverse?lng=116.2&lat=39.8&address=1');
    expect(far.body.nearestAddress).toBeNull();
  });

  it.each([
    ['lng=abc&lat=39.9', /lng must be a number/],
    ['lng=116.4', /lat is required/],
    ['lng=116.4&lat=95', /out of range/],
    ['lng=200&lat=39.9', /out of range/],
    ['lng=116.4&lat=39.9&crs=EPSG:9999', /crs: .*EPSG:9999/],
    ['lng=116.4&lat=39.9&at=2026-02-30', /at .* is not a calendar date/],
    ['lng=116.4&lat=39.9&address=maybe', /address must be 1 or 0/],
  ])('answers 400 problem+json for ?%s', async (query, detail) => {
    const { status, type, body } = await get(`/v1/reverse?${query}`);
    expect(status).toBe(400);
    expect(type).toBe('application/problem+json');
    expect(body.detail).toMatch(detail);
  });
});

describe('POST /v1/reverse', () => {
  it('answers every point in input order, as GET would', async () => {
    const points: [number, number][] = Array.from({ length: 10_000 }, (_, k) => [116.39 + (k % 100) * 0.0005, 39.86 + Math.floor(k / 100) * 0.001]);
    const { status, body } = await post('/v1/reverse', { points });
    expect(status).toBe(200);
    const results = body.results as Record<string, unknown>[];
    expect(results).toHaveLength(points.length);
    results.forEach((r, k) => {
      expect(r.lng).toBe(points[k]![0]);
      const expected = geocoders.reverse.resolve(...points[k]!);
      expect(r.unitGrid).toEqual(expected.unitGrid);
      expect(r.socialGrid).toEqual(expected.socialGrid);
    });
    expect(results.filter((r) => r.unitGrid !== null).length).toBeGreaterThan(3_000);
  });

  it('takes crs and at in the body', async () => {
    const [x, y] = fromWgs84(parseCrs('gcj02'))(INSIDE);
    const { body } = await post('/v1/reverse', { points: [[x, y]], crs: 'gcj02', at: '2015-01-01' });
    const [result] = body.results as Record<string, unknown>[];
    expect(result!.socialGrid).toBeNull();
    expect(result!.unitGrid).toEqual(geocoders.reverse.resolve(...INSIDE).unitGrid);
  });

  it('refuses more than 100,000 points with 413', async () => {
    const { status, type, body } = await post('/v1/reverse', { points: Array.from({ length: 100_001 }, () => [116.4, 39.9]) });
    expect(status).toBe(413);
    expect(type).toBe('application/problem+json');
    expect(body.detail).toMatch(/at most 100,000/);
  });

  it.each([
    [{ points: 'x' }, /points must be an array/],
    [{ points: [[116.4, 39.9], [116.4, 39.9], [116.4, 39.9], ['a', 1]] }, /points\[3\]/],
    [{ points: [[116.4, 99]] }, /points\[0\] .*out of range/],
    [{ points: [], crs: 'mars' }, /crs: /],
  ])('answers 400 naming what is wrong in %j', async (payload, detail) => {
    const { status, body } = await post('/v1/reverse', payload);
    expect(status).toBe(400);
    expect(body.detail).toMatch(detail);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(server.url + '/v1/reverse', { method: 'POST', body: '{"points": [' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/body is not valid JSON/);
  });
});

describe('GET /v1/geocode', () => {
  it('finds a door plate and its grid codes from a noisy address', async () => {
    const house = [...store.iterate('houses')].find((h) => h.address !== null && !h.address.includes('院'))!;
    const road = house.address!.replace(/^.*社区/, '');
    const { status, type, body } = await get(`/v1/geocode?q=${encodeURIComponent(`北京市 ${road.replace(/\d+/, (n) => String.fromCharCode(...[...n].map((d) => d.charCodeAt(0) + 0xfee0)))}`)}`);
    expect(status).toBe(200);
    expect(type).toMatch(/^application\/json/);
    const [best] = body.results as Record<string, unknown>[];
    expect(best).toMatchObject({ level: 'door', houseId: house.id, address: house.address });
    expect((best!.unitGrid as { code: string }).code).toBe(house.unitGridCode);
    expect((best!.socialGrid as { staticCode: string }).staticCode).toBe(house.socialStaticCode);
    expect(best!.score as number).toBeGreaterThan(0.9);
  });

  it('never answers an unknown road at door level', async () => {
    const { body } = await get(`/v1/geocode?q=${encodeURIComponent('北京市东城区不存在胡同12号')}&limit=3`);
    const results = body.results as { level: string }[];
    expect(results.length).toBeLessThanOrEqual(3);
    expect(results.every((r) => r.level !== 'door')).toBe(true);
  });

  it.each([
    ['', /q is required/],
    [`q=${encodeURIComponent('多福巷1号')}&limit=0`, /limit must be a whole number 1–20/],
    [`q=${'x'.repeat(201)}`, /at most 200/],
  ])('answers 400 for ?%s', async (query, detail) => {
    const { status, type, body } = await get(`/v1/geocode?${query}`);
    expect(status).toBe(400);
    expect(type).toBe('application/problem+json');
    expect(body.detail).toMatch(detail);
  });
});

describe('GET /v1/geocode: real spellings, places, aliases, refusals (issue 9)', () => {
  const ask = async (q: string) => (await get(`/v1/geocode?q=${encodeURIComponent(q)}`)).body as { results: Record<string, unknown>[]; reason: string | null };
  /** a plain plate (N号, no compound) on a road of a former 崇文区 街道 */
  const plateIn = (street: string) => {
    const code = [...store.iterate('areas')].find((a) => a.name === street)!.code;
    const house = [...store.iterate('houses')].find((h) => h.address !== null && h.unitGridCode!.startsWith(code) && !h.address.includes('院'))!;
    return { house, plate: house.address!.replace(/^.*社区/, '') };
  };

  it('answers 北京市崇文区<a plate of a former 崇文区 街道> with that house, naming the alias', async () => {
    const { house, plate } = plateIn('崇文门外街道');
    const [best] = (await ask(`北京市崇文区${plate}`)).results;
    expect(best).toMatchObject({ level: 'door', houseId: house.id, address: house.address });
    expect(best!.matched).toMatchObject({ alias: '崇文区', edits: ['alias'] });
    expect(best!.score as number).toBeGreaterThanOrEqual(0.9);
    const viaStreet = (await ask(`崇外街道${plate}`)).results[0]!;
    expect(viaStreet).toMatchObject({ houseId: house.id, matched: { alias: '崇外街道' } });
  });

  it('reads a road written with another generic ending, in digits or with a homophone down to the door, and says so', async () => {
    const { house, plate } = plateIn('东四街道');
    const road = plate.replace(/\d+号$/, '');
    const number = plate.slice(road.length);
    const shortened = road.endsWith('胡同') ? road.slice(0, -2) : road.endsWith('大街') ? road.slice(0, -1) : null;
    if (shortened !== null) {
      const [best] = (await ask(`东城区${shortened}${number}`)).results;
      expect(best).toMatchObject({ level: 'door', houseId: house.id, matched: { road, edits: ['suffix'] } });
    }
    const [ordinal] = (await ask('东城区东四10条1号')).results;
    expect(ordinal).toMatchObject({ matched: { road: '东四十条', edits: expect.arrayContaining(['ordinal']) } });
  });

  it('answers a landmark at level poi with its grids', async () => {
    const park = [...store.iterate('pois')].find((p) => p.category === '公园')!;
    const [best] = (await ask(park.name)).results;
    expect(best).toMatchObject({ level: 'poi', matched: { poi: park.name } });
    expect((best!.unitGrid as { code: string }).code).toMatch(/^110101\d{9}$/);
    const tower = [...store.iterate('pois')].find((p) => /[A-Z]座$/.test(p.name));
    if (tower) expect((await ask(tower.name.replace(/([A-Z]座)$/, ' $1'))).results[0]).toMatchObject({ level: 'poi', matched: { poi: tower.name } });
  });

  it('refuses addresses in other districts with a reason, even on a road name we hold', async () => {
    const { plate } = plateIn('东华门街道');
    for (const q of [`北京市西城区${plate}`, '北京市朝阳区幸福路5号', `上海市黄浦区${plate}`]) {
      const answer = await ask(q);
      expect(answer.results, q).toEqual([]);
      expect(answer.reason, q).toMatch(/outside the loaded area/);
    }
  });

  it('never reads an unknown road as a shorter road inside it, nor a 街道 name as a road', async () => {
    const short = [...store.iterate('roads')].find((r) => r.name.length === 3 && r.name.endsWith('巷'));
    if (short) for (const r of (await ask(`钱粮${short.name}10号`)).results) expect(r.score as number).toBeLessThan(0.8);
    const answer = await ask('西长安街街道');
    expect(answer.results).toEqual([]);
    expect(answer.reason).toMatch(/not a 街道 or 社区/);
  });
});

describe('POST /v1/geocode', () => {
  it('says why an address has no answer, in order', async () => {
    const { body } = await post('/v1/geocode', { addresses: ['北京市西城区金融街1号', '%%%%'] });
    expect(body.results).toEqual([null, null]);
    expect((body.reasons as string[])[0]).toMatch(/西城区.*outside/);
    expect((body.reasons as string[])[1]).toMatch(/nothing|no road/);
  });

  it('answers the best candidate of each address, or null, in order', async () => {
    const houses = [...store.iterate('houses')].filter((h) => h.address !== null).slice(0, 500);
    const addresses = [...houses.map((h) => h.address!), '%%%%'];
    const { status, body } = await post('/v1/geocode', { addresses });
    expect(status).toBe(200);
    const results = body.results as ({ houseId: number } | null)[];
    expect(results).toHaveLength(addresses.length);
    houses.forEach((h, k) => expect(results[k]?.houseId).toBe(h.id));
    expect(results.at(-1)).toBeNull();
  });

  it('refuses more than 10,000 addresses with 413 and non-strings with 400', async () => {
    const big = await post('/v1/geocode', { addresses: Array.from({ length: 10_001 }, () => '多福巷1号') });
    expect(big.status).toBe(413);
    const bad = await post('/v1/geocode', { addresses: ['多福巷1号', 42] });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/addresses\[1\]/);
  });
});
