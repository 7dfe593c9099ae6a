import type { Feature, Polygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { geometryAreaM2 } from '../geo/area.js';
import { interiorPoint } from '../geo/interior-point.js';
import { pointInPolygon } from '../geo/pip.js';
import { startLive, type LiveService } from '../live.js';
import type { AreaGeometry, Grid } from '../model.js';
import type { Store } from '../store/store.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { createApp } from './app.js';

// Issue 12, point 2 and 5: scope is judged on whole geometries and every feature a write touches,
// and the change log shows a key only what happened in its scope. Each test is named after the
// finding it closes, against the service as `wangge serve` wires it.

let district: TestDistrict;
let store: Store;
let live: LiveService;
let app: ReturnType<typeof createApp>;
/** keys by scope: 东城区, 东华门街道, 景山街道, and communities of 东华门 */
const keys: Record<string, string> = {};

beforeAll(() => {
  district = openTestDistrict('write-scope');
  store = district.store;
  live = startLive(store);
  app = createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes });
  for (const [name, scope] of [
    ['东城区网格化服务管理中心', '110101'],
    ['东华门街道分中心', '110101001'],
    ['景山街道分中心', '110101002'],
    ['多福巷社区工作站', '110101001014'],
    ['某社区工作站', '110101001007'],
  ] as const) {
    keys[scope] = createApiKey(store, { name, scope }).secret;
  }
}, 120_000);

afterAll(() => {
  live?.stop();
  district?.remove();
});

function send(method: string, path: string, body: unknown, key?: string, to = app): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  return Promise.resolve(to.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

async function detailOf(res: Response): Promise<string> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return ((await res.json()) as { detail: string }).detail;
}

const geom = (g: AreaGeometry): Geom => g.coordinates as Geom;
const areaM2 = (parts: polygonClipping.MultiPolygon): number => (parts.length === 0 ? 0 : geometryAreaM2({ type: 'MultiPolygon', coordinates: parts }));
const asGeometry = (parts: polygonClipping.MultiPolygon): AreaGeometry =>
  parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! } : { type: 'MultiPolygon', coordinates: parts };
const outerRing = (g: AreaGeometry): Position[] => (g.type === 'Polygon' ? g.coordinates[0]! : g.coordinates[0]![0]!);
const square = ([x, y]: Position, half: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x! - half, y! - half], [x! + half, y! - half], [x! + half, y! + half], [x! - half, y! + half], [x! - half, y! - half]]],
});

/** An edge the outer rings of two shapes share, as its two ends. */
function sharedEdge(a: AreaGeometry, b: AreaGeometry): [Position, Position] {
  const theirs = new Set(outerRing(b).map((p) => `${p[0]},${p[1]}`));
  const ring = outerRing(a);
  for (let k = 0; k + 1 < ring.length; k++) {
    if (theirs.has(`${ring[k]![0]},${ring[k]![1]}`) && theirs.has(`${ring[k + 1]![0]},${ring[k + 1]![1]}`)) return [ring[k]!, ring[k + 1]!];
  }
  throw new Error('the shapes share no edge');
}

const grid = (code: string): Grid => store.getGrid('social', code)!;
const pointIn = (code: string): [number, number] => interiorPoint(store.getArea(code)!.geometry) as [number, number];

describe('scope is judged on whole geometries and every touched feature (issue 12)', () => {
  // the grids of the finding: 多福巷社区's 1101010010141002 shares an edge with 1101010010071008 of another community
  const A = '1101010010141002';
  const B = '1101010010071008';

  it('a street key redrew 1101010010141002 listing a grid of another community (1101010010071008) as a neighbour: 409, and that grid stays in its community', async () => {
    const [p, q] = sharedEdge(grid(A).geometry, grid(B).geometry);
    // a piece of A along the shared edge goes to B, which is named with its boundary grown by it
    const piece = polygonClipping.intersection(geom(grid(A).geometry), geom(square([(p[0]! + q[0]!) / 2, (p[1]! + q[1]!) / 2], 0.0002)));
    const body = {
      geometry: asGeometry(polygonClipping.difference(geom(grid(A).geometry), piece)),
      neighbours: [{ static_code: B, geometry: asGeometry(polygonClipping.union(geom(grid(B).geometry), piece)) }],
    };
    const before = store.contentDigest();
    const res = await send('POST', `/v1/grids/${A}/versions`, body, keys['110101001']);
    expect(res.status).toBe(409);
    expect(await detailOf(res)).toMatch(new RegExp(`new boundary of neighbour ${B} reaches \\d+ m² around .* outside community 110101001007`));
    // a community key may not change the other community's grid at all
    const community = await send('POST', `/v1/grids/${A}/versions`, body, keys['110101001014']);
    expect(community.status).toBe(403);
    expect(await detailOf(community)).toMatch(new RegExp(`may not change neighbouring social grid ${B}: it lies in social grid ${B}, outside the scope`));
    expect(store.contentDigest()).toBe(before);
    expect(grid(B).communityCode).toBe('110101001007');
  });

  it('a 4 mm × 77 m strip (inside the 1 m² tolerance) added to a grid overlapped a grid of a community the key has no scope over, which got no new version: no boundary overlaps a grid that keeps its version', async () => {
    const [p, q] = sharedEdge(grid(A).geometry, grid(B).geometry);
    const other = grid(B);
    // the strip lies along the shared edge on B's side: 4 mm wide, as long as the edge (up to 77 m)
    const metresPerDegree = 111_320;
    const [dx, dy] = [q[0]! - p[0]!, (q[1]! - p[1]!) / Math.cos((p[1]! * Math.PI) / 180)];
    const length = Math.hypot(dx * Math.cos((p[1]! * Math.PI) / 180), q[1]! - p[1]!) * metresPerDegree;
    const along = Math.min(1, 77 / length);
    const end = [p[0]! + (q[0]! - p[0]!) * along, p[1]! + (q[1]! - p[1]!) * along];
    const norm = Math.hypot(dx, dy);
    const width = 0.004 / metresPerDegree;
    let [nx, ny] = [(-dy / norm) * width, ((dx / norm) * width) / Math.cos((p[1]! * Math.PI) / 180)];
    const mid = [(p[0]! + end[0]!) / 2 + nx, (p[1]! + end[1]!) / 2 + ny];
    if (areaM2(polygonClipping.intersection(geom(other.geometry), geom(square(mid, width / 4)))) === 0) [nx, ny] = [-nx, -ny];
    const strip: Geom = [[p, end, [end[0]! + nx, end[1]! + ny], [p[0]! + nx, p[1]! + ny], p]] as Geom;
    expect(areaM2(polygonClipping.intersection(geom(other.geometry), strip))).toBeGreaterThan(0.05);
    expect(areaM2(polygonClipping.intersection(geom(other.geometry), strip))).toBeLessThan(1);

    const res = await send('POST', `/v1/grids/${A}/versions`, { geometry: asGeometry(polygonClipping.union(geom(grid(A).geometry), strip)), valid_from: '2027-02-01' }, keys['110101001014']);
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { grid: { geometry: AreaGeometry }; neighbours: unknown[] };
    expect(created.neighbours).toEqual([]);
    expect(grid(B).dynamicCode).toBe(other.dynamicCode);
    // no more than floating-point rounding of the cut (the strip was 0.3 m²)
    expect(areaM2(polygonClipping.intersection(geom(created.grid.geometry), geom(grid(B).geometry)))).toBeLessThan(1e-4);
  });

  it('any key could post a component with "district_code":"110102" and get code 1101020119000001 inside 110101: codes take their district from the place', async () => {
    const lamp = (district_code?: string): Feature => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pointIn('110101001') },
      properties: { major: '01', minor: '19', dept_main: '区城市管理委员会', ...(district_code === undefined ? {} : { district_code }) },
    });
    const before = store.contentDigest();
    const refused = await send('POST', '/v1/components', lamp('110102'), keys['110101001']);
    expect(refused.status).toBe(400);
    expect(await detailOf(refused)).toMatch(/district_code 110102 is not the district the component lies in \(110101, from unit grid 110101001\d{6}\)/);
    expect(store.contentDigest()).toBe(before);
    expect(store.db.prepare("SELECT count(*) FROM components WHERE code LIKE '110102%'").pluck().get()).toBe(0);
    // the district it lies in may be given, and nothing else
    const agreeing = await send('POST', '/v1/components', lamp('110101'), keys['110101001']);
    expect(agreeing.status).toBe(201);
    expect(((await agreeing.json()) as { id: string }).id).toMatch(/^1101010119\d{6}$/);
  });

  it('a street key could link a door plate in its street to a house in another street: door plates link only to houses the key may write', async () => {
    const houseIn = (street: string): number =>
      store.db.prepare("SELECT id FROM houses WHERE unit_grid_code LIKE ? AND status = '在用' ORDER BY id LIMIT 1").pluck().get(`${street}%`) as number;
    const plate = (house_id: number | null): Feature => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: pointIn('110101001') },
      properties: { road: store.getAddress(1)!.road, number: 981, house_id },
    });
    const before = store.contentDigest();
    const refused = await send('POST', '/v1/addresses', plate(houseIn('110101002')), keys['110101001']);
    expect(refused.status).toBe(403);
    expect(await detailOf(refused)).toMatch(new RegExp(`may not link a door plate to house ${houseIn('110101002')}, which it may not change: it lies in unit grid 110101002\\d{6}, outside the scope`));
    expect(store.contentDigest()).toBe(before);

    const created = await send('POST', '/v1/addresses', plate(houseIn('110101001')), keys['110101001']);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const relinked = await send('PATCH', `/v1/addresses/${id}`, { properties: { house_id: houseIn('110101002') } }, keys['110101001']);
    expect(relinked.status).toBe(403);
    expect(store.getAddress(id)!.houseId).toBe(houseIn('110101001'));
    // the district's key holds both streets
    expect((await send('PATCH', `/v1/addresses/${id}`, { properties: { house_id: houseIn('110101002') } }, keys['110101'])).status).toBe(200);
  });

  it('scope was judged at one point, so a house footprint could cover much of a neighbouring street: lines and polygons must lie in the scope', async () => {
    const dongHuaMen = store.getArea('110101001')!.geometry;
    const jingShan = store.getArea('110101002')!.geometry;
    // a square ~200 m wide around a point 60 m inside 东华门街道 from the middle of an edge it shares with 景山街道
    const [p, q] = sharedEdge(dongHuaMen, jingShan);
    const [dx, dy] = [q[0]! - p[0]!, q[1]! - p[1]!];
    const mid = [(p[0]! + q[0]!) / 2, (p[1]! + q[1]!) / 2];
    const side = pointInPolygon(mid[0]! - dy * 1e-3, mid[1]! + dx * 1e-3, dongHuaMen) ? 1 : -1;
    const inward = [(-dy / Math.hypot(dx, dy)) * side, (dx / Math.hypot(dx, dy)) * side];
    const centre = [mid[0]! + inward[0]! * 0.0006, mid[1]! + inward[1]! * 0.0006];
    const inside = pointIn('110101001');
    const footprint = square(centre, 0.001);
    expect(live.geocoders.reverse.resolve(centre[0]!, centre[1]!).street?.code).toBe('110101001');
    const inJingShan = areaM2(polygonClipping.intersection(geom(footprint), geom(jingShan)));
    expect(inJingShan).toBeGreaterThan(1_000);

    const house = { type: 'Feature', geometry: footprint, properties: { floors: 2, use: '住宅' } };
    const before = store.contentDigest();
    const refused = await send('POST', '/v1/houses', house, keys['110101001']);
    expect(refused.status).toBe(403);
    expect(await detailOf(refused)).toMatch(/may not create this house: \d+ m² around [\d.]+, [\d.]+ of it lies outside the scope; a feature crossing the scope's edge is written with a key whose scope holds all of it/);
    // a line component from inside the street into the next one
    const line = { type: 'Feature', geometry: { type: 'LineString', coordinates: [inside, pointIn('110101002')] }, properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' } };
    const lineRefused = await send('POST', '/v1/components', line, keys['110101001']);
    expect(lineRefused.status).toBe(403);
    expect(await detailOf(lineRefused)).toMatch(/\d+ m around .* of it lies outside the scope/);
    expect(store.contentDigest()).toBe(before);

    // a house wholly inside the street is the street's; moving it across the edge is refused
    const small = await send('POST', '/v1/houses', { ...house, geometry: square(inside, 0.0001) }, keys['110101001']);
    expect(small.status).toBe(201);
    const { id } = (await small.json()) as { id: number };
    expect((await send('PATCH', `/v1/houses/${id}`, { geometry: footprint }, keys['110101001'])).status).toBe(403);
    // the district's key holds both streets, so it may write the crossing house
    expect((await send('POST', '/v1/houses', house, keys['110101'])).status).toBe(201);
  });
});

describe('change-log reads follow scope (issue 12)', () => {
  it('under --reads-need-key a key of any scope read the whole district\'s /v1/changes (every key holder\'s name and old versions of features): a key reads its scope, names go to district keys only', async () => {
    const closed = createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, readsNeedKey: true });
    // one write in each street
    const lamp = (at: [number, number]): Feature => ({ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { major: '01', minor: '19', dept_main: '区城市管理委员会' } });
    expect((await send('POST', '/v1/components', lamp(pointIn('110101001')), keys['110101001'])).status).toBe(201);
    expect((await send('POST', '/v1/components', lamp(pointIn('110101002')), keys['110101002'])).status).toBe(201);
    type Page = { changes: { layer: string; actor: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[]; next: number | null };
    const read = async (key: string | undefined, to = closed): Promise<Page> => {
      const res = await send('GET', '/v1/changes?limit=1000', undefined, key, to);
      expect(res.status).toBe(200);
      return (await res.json()) as Page;
    };
    expect((await send('GET', '/v1/changes', undefined, undefined, closed)).status).toBe(401);

    const all = await read(keys['110101']);
    expect(all.changes.map((c) => c.actor)).toEqual(expect.arrayContaining(['东华门街道分中心', '景山街道分中心']));
    // a street sees its own street's changes only, and no names
    const jingShan = await read(keys['110101002']);
    expect(jingShan.changes.length).toBeGreaterThan(0);
    expect(jingShan.changes.length).toBeLessThan(all.changes.length);
    for (const change of jingShan.changes) {
      expect(change.actor).toBeNull();
      const codes = [change.before, change.after].map((row) => String(row?.unit_grid_code ?? row?.code ?? ''));
      expect(codes.some((code) => code.startsWith('110101002')), JSON.stringify(codes)).toBe(true);
    }
    const community = await read(keys['110101001014']);
    for (const change of community.changes) expect(change.actor).toBeNull();
    expect(community.changes.length).toBeLessThan((await read(keys['110101001'])).changes.length);
    // reads open: everyone sees every change, but not who made it
    const anonymous = await read(undefined, app);
    expect(anonymous.changes).toHaveLength(all.changes.length);
    expect(anonymous.changes.every((c) => c.actor === null)).toBe(true);
    // what a reader sees depends on its key
    expect((await send('GET', '/v1/changes', undefined, keys['110101002'], closed)).headers.get('vary')).toMatch(/Authorization/);
  });
});
