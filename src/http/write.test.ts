import type { Feature, Polygon } from 'geojson';
import polygonClipping from 'polygon-clipping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { startLive, type LiveService } from '../live.js';
import type { Grid } from '../model.js';
import type { Store } from '../store/store.js';
import { decodeTile } from '../tiles/test-helpers/decode-tile.js';
import { worldX, worldY } from '../tiles/tile-coords.js';
import { interiorPoint } from '../geo/interior-point.js';
import { createApp } from './app.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';

let district: TestDistrict;
let store: Store;
let live: LiveService;
let app: ReturnType<typeof createApp>;
let donghuamen: string;
let jingshan: string;

beforeAll(() => {
  district = openTestDistrict('write');
  store = district.store;
  live = startLive(store);
  app = createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes });
  donghuamen = createApiKey(store, { name: '东华门街道分中心', scope: '110101001' }).secret;
  jingshan = createApiKey(store, { name: '景山街道分中心', scope: '110101002' }).secret;
}, 60_000);

afterAll(() => {
  live?.stop();
  district?.remove();
});

/** A point inside a street, from its stored boundary. */
function pointIn(code: string): [number, number] {
  return interiorPoint(store.getArea(code)!.geometry) as [number, number];
}

function send(method: string, path: string, body?: unknown, key?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  return Promise.resolve(app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

const groundLamp = (at: [number, number]): Feature => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: at },
  properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' },
});

function tileCodes(z: number, [lng, lat]: [number, number]): string[] {
  const n = 2 ** z;
  const served = live.tiles.tile('components', { z, x: Math.floor(worldX(lng) * n), y: Math.floor(worldY(lat) * n) });
  return served ? decodeTile(served.gzip).components!.features.map((f) => String(f.properties.code)) : [];
}

describe('components', () => {
  it('a 东华门街道 key adds a component there: code and unit grid assigned, readable, in the tiles at once', async () => {
    const at = pointIn('110101001');
    const res = await send('POST', '/v1/components', groundLamp(at), donghuamen);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Feature & { id: string; properties: Record<string, unknown> };
    expect(created.id).toMatch(/^1101010119\d{6}$/);
    expect(res.headers.get('location')).toBe(`/v1/components/${created.id}`);
    expect(String(created.properties.unit_grid_code)).toMatch(/^110101001\d{6}$/);
    expect(created.properties.status).toBe('完好');
    expect((await app.request(`/v1/components/${created.id}`)).status).toBe(200);
    expect(tileCodes(17, at)).toContain(created.id);
    const here = (await (await app.request(`/v1/reverse?lng=${at[0]}&lat=${at[1]}&components=10`)).json()) as { unitGrid: { code: string }; components: { code: string; class: string; distanceM: number }[] };
    expect(here.components[0]).toMatchObject({ code: created.id, class: '地灯', distanceM: 0 });
    expect(here.unitGrid.code).toBe(created.properties.unit_grid_code);
  });

  it('refuses a component in 景山街道 to the 东华门街道 key (403 naming why) and writes without a key (401)', async () => {
    const before = store.contentDigest();
    const res = await send('POST', '/v1/components', groundLamp(pointIn('110101002')), donghuamen);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { detail: string }).detail).toMatch(/东华门街道分中心.*110101001.*unit grid 110101002\d{6}, outside the scope/);
    const anonymous = await send('POST', '/v1/components', groundLamp(pointIn('110101001')));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await send('POST', '/v1/components', groundLamp(pointIn('110101001')), 'wg_not-a-key');
    expect(wrong.status).toBe(401);
    expect(store.contentDigest()).toBe(before);
  });

  it('patches, moves (the unit grid follows) and retires a component; fixed fields and retired ones are refused', async () => {
    const created = (await (await send('POST', '/v1/components', groundLamp(pointIn('110101001')), donghuamen)).json()) as { id: string };
    const patched = await send('PATCH', `/v1/components/${created.id}`, { properties: { status: '破损', dept_owner: '自来水集团' } }, donghuamen);
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { properties: Record<string, unknown> }).properties).toMatchObject({ status: '破损', dept_owner: '自来水集团', change_date: expect.any(String) });
    expect((await send('PATCH', `/v1/components/${created.id}`, { properties: { major: '02' } }, donghuamen)).status).toBe(400);
    // moving it into 景山街道 leaves the key's scope
    const away = await send('PATCH', `/v1/components/${created.id}`, { geometry: { type: 'Point', coordinates: pointIn('110101002') } }, donghuamen);
    expect(away.status).toBe(403);
    // the 景山 key may not touch it where it is
    expect((await send('DELETE', `/v1/components/${created.id}`, undefined, jingshan)).status).toBe(403);
    const retired = await send('DELETE', `/v1/components/${created.id}?date=2026-11-20`, undefined, donghuamen);
    expect(retired.status).toBe(200);
    expect(((await retired.json()) as { properties: Record<string, unknown> }).properties).toMatchObject({ status: '废弃', change_date: '2026-11-20' });
    expect((await send('DELETE', `/v1/components/${created.id}`, undefined, donghuamen)).status).toBe(409);
    expect((await send('PATCH', `/v1/components/${created.id}`, { properties: { name: 'x' } }, donghuamen)).status).toBe(409);
    expect((await app.request(`/v1/components/${created.id}`)).status).toBe(200);
    expect(tileCodes(17, pointIn('110101001'))).not.toContain(created.id);
  });
});

describe('houses and addresses', () => {
  it('a new door plate is found by /v1/geocode at once, and a retired one no longer', async () => {
    const at = pointIn('110101001');
    const road = store.getAddress(1)!.road;
    const res = await send('POST', '/v1/addresses', { type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { road, number: 977 } }, donghuamen);
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const found = (await (await app.request(`/v1/geocode?q=${encodeURIComponent(`${road}977号`)}`)).json()) as { results: { level: string; lng: number }[] };
    expect(found.results[0]!.level).toBe('door');
    expect(found.results[0]!.lng).toBeCloseTo(at[0], 5);
    expect((await send('DELETE', `/v1/addresses/${id}`, undefined, donghuamen)).status).toBe(200);
    const after = (await (await app.request(`/v1/geocode?q=${encodeURIComponent(`${road}977号`)}`)).json()) as { results: { level: string }[] };
    expect(after.results[0]?.level).not.toBe('door');
  });

  it('a new house gets its grids and stands in the house tiles; a retired one is gone from them', async () => {
    const [lng, lat] = pointIn('110101001');
    const d = 0.00005;
    const footprint: Polygon = { type: 'Polygon', coordinates: [[[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]] };
    const res = await send('POST', '/v1/houses', { type: 'Feature', geometry: footprint, properties: { floors: 30, use: '办公' } }, donghuamen);
    expect(res.status).toBe(201);
    const house = (await res.json()) as { id: number; properties: Record<string, unknown> };
    expect(house.properties).toMatchObject({ height_m: 90, status: '在用', unit_grid_code: expect.stringMatching(/^110101001/), social_static_code: expect.stringMatching(/^110101001/) });
    const n = 2 ** 17;
    const tile = { z: 17, x: Math.floor(worldX(lng + d / 2) * n), y: Math.floor(worldY(lat + d / 2) * n) };
    const ids = () => decodeTile(live.tiles.tile('houses', tile)!.gzip).houses!.features.map((f) => f.id);
    expect(ids()).toContain(house.id);
    expect((await send('DELETE', `/v1/houses/${house.id}`, undefined, donghuamen)).status).toBe(200);
    expect(ids()).not.toContain(house.id);
  });
});

describe('POST /v1/grids/{staticCode}/versions', () => {
  /** A current social grid of 东华门街道 and a neighbour sharing an edge with it. */
  function neighbours(): [Grid, Grid] {
    const grids = [...store.iterate('grids')].filter((g) => g.scheme === 'social' && g.code.startsWith('110101001'));
    for (const a of grids) {
      for (const b of grids) {
        if (a.code >= b.code || a.communityCode !== b.communityCode) continue;
        const shared = polygonClipping.intersection(a.geometry.coordinates as never, b.geometry.coordinates as never);
        if (shared.length === 0) {
          const touching = polygonClipping.union(a.geometry.coordinates as never, b.geometry.coordinates as never);
          if (touching.length === 1) return [a, b];
        }
      }
    }
    throw new Error('no neighbouring social grids found');
  }

  it('redraws a grid taking part of its neighbour: new dynamic codes for both, the old answer kept for earlier dates', async () => {
    const [grid, neighbour] = neighbours();
    // the neighbour's half nearest the grid goes over
    const [nx, ny] = interiorPoint(neighbour.geometry) as [number, number];
    const [gx, gy] = interiorPoint(grid.geometry) as [number, number];
    const half = polygonClipping.intersection(neighbour.geometry.coordinates as never, halfPlaneBox(nx, ny, gx, gy) as never);
    const boundary = polygonClipping.union(grid.geometry.coordinates as never, half);
    const geometry = boundary.length === 1 ? { type: 'Polygon', coordinates: boundary[0] } : { type: 'MultiPolygon', coordinates: boundary };
    const moved = interiorPoint({ type: 'MultiPolygon', coordinates: half } as never) as [number, number];
    const beforeAnswer = live.geocoders.reverse.resolve(...moved);
    expect(beforeAnswer.socialGrid?.staticCode).toBe(neighbour.code);

    const res = await send('POST', `/v1/grids/${grid.code}/versions`, { geometry }, donghuamen);
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { grid: { properties: Record<string, unknown> }; neighbours: { properties: Record<string, unknown> }[]; reassigned: { houses: number } };
    expect(body.grid.properties.dynamic_code).not.toBe(grid.dynamicCode);
    expect(body.neighbours.map((n) => n.properties.static_code)).toEqual([neighbour.code]);
    expect(body.neighbours[0]!.properties.dynamic_code).not.toBe(neighbour.dynamicCode);

    const now = (await (await app.request(`/v1/reverse?lng=${moved[0]}&lat=${moved[1]}`)).json()) as { socialGrid: { staticCode: string; dynamicCode: string } };
    expect(now.socialGrid.staticCode).toBe(grid.code);
    expect(now.socialGrid.dynamicCode).toBe(body.grid.properties.dynamic_code);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const then = (await (await app.request(`/v1/reverse?lng=${moved[0]}&lat=${moved[1]}&at=${yesterday}`)).json()) as { socialGrid: { staticCode: string; dynamicCode: string } };
    expect(then.socialGrid).toMatchObject({ staticCode: neighbour.code, dynamicCode: neighbour.dynamicCode });
    // houses standing in the moved half now carry the grid
    for (const house of store.iterate('houses')) {
      if (house.socialStaticCode !== neighbour.code && house.socialStaticCode !== grid.code) continue;
      const where = live.geocoders.reverse.resolve(...(interiorPoint(house.geometry) as [number, number]));
      expect(house.socialStaticCode).toBe(where.socialGrid?.staticCode);
    }
  });

  it('refuses a shrunken boundary that would leave a gap (409 naming it) and a boundary leaving the community', async () => {
    const [grid] = neighbours();
    const [x, y] = interiorPoint(grid.geometry) as [number, number];
    const d = 0.0003;
    const small = { type: 'Polygon', coordinates: [[[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]] };
    const before = store.contentDigest();
    const gap = await send('POST', `/v1/grids/${grid.code}/versions`, { geometry: small }, donghuamen);
    expect(gap.status).toBe(409);
    expect(((await gap.json()) as { detail: string }).detail).toMatch(/leave \d+ m² around .* that no grid covers/);
    const huge = { type: 'Polygon', coordinates: [[[116.3, 39.8], [116.5, 39.8], [116.5, 40], [116.3, 40], [116.3, 39.8]]] };
    expect((await send('POST', `/v1/grids/${grid.code}/versions`, { geometry: huge }, donghuamen)).status).toBe(409);
    // a grid outside the key's scope is refused before its geometry is looked at
    expect((await send('POST', `/v1/grids/${grid.code}/versions`, { geometry: small }, jingshan)).status).toBe(403);
    expect(store.contentDigest()).toBe(before);
  });
});

describe('readsNeedKey', () => {
  it('makes every /v1 and /tiles request need a valid key of any scope; /health and the page stay open', async () => {
    const closed = createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, readsNeedKey: true });
    const [lng, lat] = pointIn('110101001');
    expect((await closed.request(`/v1/reverse?lng=${lng}&lat=${lat}`)).status).toBe(401);
    expect((await closed.request('/tiles/wangge.json')).status).toBe(401);
    const withKey = await closed.request(`/v1/reverse?lng=${lng}&lat=${lat}`, { headers: { Authorization: `Bearer ${jingshan}` } });
    expect(withKey.status).toBe(200);
    expect((await closed.request('/health')).status).toBe(200);
    expect((await closed.request('/')).status).toBe(200);
  });
});

describe('GET /v1/changes', () => {
  it('pages through every write with who (to a district key), what, before and after', async () => {
    const dongcheng = createApiKey(store, { name: '东城区网格化服务管理中心', scope: '110101' }).secret;
    const headers = { Authorization: `Bearer ${dongcheng}` };
    const first = (await (await app.request('/v1/changes?since=0&limit=2', { headers })).json()) as { changes: Record<string, unknown>[]; next: number };
    expect(first.changes).toHaveLength(2);
    expect(first.changes[0]).toMatchObject({ seq: 1, actor: '东华门街道分中心', op: 'create', layer: 'components', before: null });
    expect(first.changes[0]!.after).toMatchObject({ major: '01', minor: '19' });
    const anonymous = (await (await app.request('/v1/changes?since=0&limit=2')).json()) as { changes: Record<string, unknown>[] };
    expect(anonymous.changes[0]).toMatchObject({ seq: 1, actor: null });
    const all = (await (await app.request(`/v1/changes?since=${first.next}&limit=1000`, { headers })).json()) as { changes: { op: string; before: unknown }[]; next: null };
    expect(all.next).toBeNull();
    expect(all.changes.map((c) => c.op)).toEqual(expect.arrayContaining(['update', 'retire', 'version']));
    expect(all.changes.find((c) => c.op === 'retire')!.before).toMatchObject({ status: expect.any(String) });
    expect((await app.request('/v1/changes?limit=0')).status).toBe(400);
  });
});

/** A box around the neighbour's half that faces the grid (from the neighbour's centre toward the grid's). */
function halfPlaneBox(nx: number, ny: number, gx: number, gy: number): number[][][] {
  const big = 0.05;
  const dx = gx - nx;
  const dy = gy - ny;
  // the half-plane of points p with (p − n)·(g − n) > 0, cut to a big box
  const px = -dy;
  const py = dx;
  const len = Math.hypot(px, py);
  const [ux, uy] = [(px / len) * big, (py / len) * big];
  const [fx, fy] = [(dx / Math.hypot(dx, dy)) * big, (dy / Math.hypot(dx, dy)) * big];
  const ring = [
    [nx + ux, ny + uy],
    [nx + ux + fx, ny + uy + fy],
    [nx - ux + fx, ny - uy + fy],
    [nx - ux, ny - uy],
    [nx + ux, ny + uy],
  ];
  return [ring];
}
