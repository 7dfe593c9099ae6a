import { fc, test } from '@fast-check/vitest';
import { pinyin } from 'pinyin-pro';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict, type GeneratedDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import type { Address, AdminArea, House } from '../model.js';
import { formatDoorPlate } from '../model.js';
import { ForwardGeocoder } from './forward.js';
import { distanceM } from '../geo/distance.js';
import { ReverseGeocoder } from './reverse.js';
import { canonicalStyle, NOISE_KINDS, render, seeded, specOf } from './test-helpers/address-noise.js';
import { pointInPolygon } from '../geo/pip.js';
import { seededRandom } from '../test-helpers/seeded-random.js';

const inputs = loadGeneratorInputs();
const generate = (copy: number, firstIds = { road: 1, house: 1, address: 1 }): GeneratedDistrict =>
  generateDistrict(inputs, { ...DEFAULT_DISTRICT_OPTIONS, copy, firstIds });

let district: GeneratedDistrict;
let reverse: ReverseGeocoder;
let geocoder: ForwardGeocoder;
let houses: Map<number, House>;

beforeAll(() => {
  district = generate(0);
  reverse = new ReverseGeocoder(district.areas, district.grids);
  geocoder = new ForwardGeocoder(district, reverse);
  houses = new Map(district.houses.map((h) => [h.id, h]));
});

/** Metres from a point to a segment (local flat approximation, fine at this scale). */
function segmentDistanceM(x: number, y: number, a: [number, number], b: [number, number]): number {
  const kx = Math.cos((y * Math.PI) / 180);
  const [ax, ay, bx, by] = [(a[0] - x) * kx, a[1] - y, (b[0] - x) * kx, b[1] - y];
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return Math.hypot(ax + t * dx, ay + t * dy) * 111_320;
}

const percent = (share: number): string => `${(share * 100).toFixed(2)} %`;

describe('ForwardGeocoder on the generated district', () => {
  it('geocodes every door plate’s canonical address back to its own house (100 %)', () => {
    let right = 0;
    const wrong: string[] = [];
    for (const address of district.addresses) {
      const house = houses.get(address.houseId!)!;
      const [best] = geocoder.geocode(house.address!);
      if (best?.houseId === house.id && best.level === 'door' && best.score >= 0.95) right++;
      else if (wrong.length < 5) wrong.push(`${house.address} → ${best?.address} (${best?.level}, ${best?.score})`);
    }
    console.log(`canonical addresses to their own house: ${right} of ${district.addresses.length} (${percent(right / district.addresses.length)})`);
    expect(wrong).toEqual([]);
    expect(right).toBe(district.addresses.length);
  });

  it('answers a door plate with its house’s canonical address, point and codes', () => {
    const address = district.addresses.find((a) => a.building !== null)!;
    const house = houses.get(address.houseId!)!;
    const [best] = geocoder.geocode(house.address!);
    const [lng, lat] = address.geometry.coordinates as [number, number];
    const at = reverse.resolve(lng, lat);
    expect(best).toEqual({
      address: house.address,
      lng,
      lat,
      score: 0.98,
      level: 'door',
      houseId: house.id,
      district: at.district,
      street: at.street,
      community: at.community,
      unitGrid: at.unitGrid,
      socialGrid: at.socialGrid,
      matched: { road: address.road, number: formatDoorPlate(address).slice(address.road.length), poi: null, alias: null, edits: [] },
    });
  });

  it('gets ≥ 97 % of noisy variants to the right house, for each kind of noise', () => {
    const streets = district.areas.filter((a) => a.level === 'street').map((a) => a.name);
    const districtName = district.areas.find((a) => a.level === 'district')!.name;
    const specs = district.addresses.map((a) => specOf(houses.get(a.houseId!)!, a, streets, districtName));
    const random = seeded(20260101);
    const rows: { kind: string; n: number; right: number; example: string }[] = [];
    for (const kind of NOISE_KINDS) {
      let n = 0;
      let right = 0;
      let example = '';
      const misses: string[] = [];
      for (const spec of specs) {
        if (kind.applies !== undefined && !kind.applies(spec)) continue;
        const style = canonicalStyle();
        kind.apply(style, random, spec);
        const text = render(spec, style, random);
        if (n === 0) example = text;
        n++;
        const [best] = geocoder.geocode(text);
        if (best?.houseId === spec.houseId) right++;
        else if (misses.length < 3) misses.push(`${text} → ${best?.address ?? 'nothing'}`);
      }
      rows.push({ kind: kind.name, n, right, example });
      if (right / n < 0.9999) console.log(`misses for ${kind.name}:`, misses);
    }
    console.log(
      'noisy variants to the right house:\n' +
        rows.map((r) => `  ${r.kind.padEnd(24)} ${String(r.right).padStart(6)} / ${String(r.n).padEnd(6)} ${percent(r.right / r.n).padStart(8)}   e.g. ${r.example}`).join('\n'),
    );
    for (const row of rows) expect(row.right / row.n, row.kind).toBeGreaterThanOrEqual(0.97);
  });

  it('never answers an unknown road at door level', () => {
    const known = new Set(district.roads.map((r) => r.name));
    const random = seeded(7);
    const chars = '甲乙丙丁戊己庚辛壬癸春夏秋冬梅兰竹菊松柏杨柳桃李';
    let checked = 0;
    for (const road of district.roads) {
      // one character of the name replaced: a road a person could name, but not ours
      const k = Math.floor(random() * road.name.length);
      const replacement = chars[Math.floor(random() * chars.length)]!;
      const other = road.name.slice(0, k) + replacement + road.name.slice(k + 1);
      // a character of the same sound (辛 for 新) is a misspelling of ours: the homophone class
      if (known.has(other) || pinyin(replacement, { toneType: 'none' }) === pinyin(road.name[k]!, { toneType: 'none' })) continue;
      checked++;
      for (const result of geocoder.geocode(`北京市东城区${other}3号`, { limit: 10 })) expect(result.level, other).not.toBe('door');
    }
    expect(checked).toBeGreaterThan(600);
    expect(geocoder.geocode('北京市东城区东华门街道不存在胡同12号').map((r) => r.level)).toEqual(['street', 'district']);
    expect(geocoder.geocode('不存在胡同12号')).toEqual([]);
  });

  it('places a number beyond a road’s plates at road level, on the road', () => {
    const byRoad = new Map<string, Address[]>();
    for (const a of district.addresses) (byRoad.get(a.road) ?? byRoad.set(a.road, []).get(a.road)!).push(a);
    const roads = new Map(district.roads.map((r) => [r.name, r]));
    let tested = 0;
    for (const [road, plates] of byRoad) {
      const last = Math.max(...plates.map((p) => p.number));
      const [beyond] = geocoder.geocode(`东城区${road}${last + 41}号`);
      expect(beyond).toMatchObject({ level: 'road', houseId: null });
      expect(beyond!.score).toBeLessThan(0.7);
      expect(beyond!.address.endsWith(road)).toBe(true);
      // snapped onto the centreline (a road on the district boundary is then nudged a metre inside)
      const line = roads.get(road)!.geometry.coordinates;
      const nearest = Math.min(...line.slice(1).map((b, k) => segmentDistanceM(beyond!.lng, beyond!.lat, line[k] as [number, number], b as [number, number])));
      expect(nearest).toBeLessThan(1.5);
      tested++;
    }
    expect(tested).toBe(byRoad.size);
  });

  it('places a road without a number at the road’s middle, at road level', () => {
    const road = district.roads.find((r) => r.kind === 'main')!;
    const [best] = geocoder.geocode(`东城区${road.name}`);
    expect(best).toMatchObject({ level: 'road', houseId: null, score: 0.45 });
    expect(best!.address.endsWith(road.name)).toBe(true);
    const coordinates = road.geometry.coordinates;
    const ends = distanceM(...(coordinates[0] as [number, number]), best!.lng, best!.lat) - distanceM(...(coordinates[coordinates.length - 1] as [number, number]), best!.lng, best!.lat);
    expect(Math.abs(ends)).toBeLessThan(1);
  });

  it('falls back to the community, then the street, then the district, with points inside them', () => {
    const community = district.areas.find((a) => a.level === 'community')!;
    const street = district.areas.find((a) => a.code === community.parentCode)!;
    const check = (query: string, level: string, area: AdminArea) => {
      const [best] = geocoder.geocode(query);
      expect(best, query).toMatchObject({ level, houseId: null });
      expect(pointInPolygon(best!.lng, best!.lat, area.geometry), query).toBe(true);
      return best!;
    };
    const c = check(`北京市东城区${street.name}${community.name}`, 'community', community);
    expect(c.community?.code).toBe(community.code);
    expect(c.address).toBe(`北京市东城区${street.name}${community.name}`);
    check(`东城区${street.name}`, 'street', street);
    check(`${street.name.replace('街道', '')}`, 'street', street);
    const d = district.areas.find((a) => a.level === 'district')!;
    check('北京市东城区', 'district', d);
    const scores = ['多福巷社区', '东华门街道', '东城区'].map((q) => geocoder.geocode(q)[0]!.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('lowers the score when the given 街道 / 社区 contradict the plate’s', () => {
    const address = district.addresses[100]!;
    const house = houses.get(address.houseId!)!;
    const [lng, lat] = address.geometry.coordinates as [number, number];
    const own = reverse.resolve(lng, lat);
    const otherStreet = district.areas.find((a) => a.level === 'street' && a.code !== own.street!.code)!;
    const [right] = geocoder.geocode(`东城区${own.street!.name}${formatDoorPlate(address)}`);
    const [contradicted] = geocoder.geocode(`东城区${otherStreet.name}${formatDoorPlate(address)}`);
    expect(right).toMatchObject({ houseId: house.id, level: 'door', score: 0.98 });
    expect(contradicted).toMatchObject({ houseId: house.id, level: 'door' });
    expect(contradicted!.score).toBeLessThan(0.8);
  });

  it('answers a compound without a building number with the compound, not a guessed house', () => {
    const plate = district.addresses.find((a) => a.compound && a.building === 1)!;
    const [gate] = geocoder.geocode(`${plate.road}${plate.number}号院`);
    expect(gate).toMatchObject({ level: 'door', houseId: null, score: 0.9 });
    expect(gate!.address.endsWith(`${plate.road}${plate.number}号院`)).toBe(true);
    const [missing] = geocoder.geocode(`${plate.road}${plate.number}号院99号楼`);
    expect(missing).toMatchObject({ level: 'door', houseId: null });
    expect(missing!.score).toBeLessThan(0.8);
  });

  it('keeps results sorted, within the limit, and every result’s codes from reverse geocoding its point', () => {
    const results = geocoder.geocode('东华门街道多福巷社区', { limit: 2 });
    expect(results.length).toBeLessThanOrEqual(2);
    for (const r of geocoder.geocode('东城区东华门街道多福巷社区', { limit: 10 })) {
      const at = reverse.resolve(r.lng, r.lat);
      expect([r.district, r.street, r.community, r.unitGrid, r.socialGrid]).toEqual([at.district, at.street, at.community, at.unitGrid, at.socialGrid]);
    }
    expect(geocoder.geocode('多福巷12号', { limit: 0 })).toEqual([]);
  });

  test.prop([fc.string({ maxLength: 40 })], { numRuns: 300 })('never throws on garbage, and answers it with nothing or with low levels', (text) => {
    const results = geocoder.geocode(text);
    for (const r of results) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it('reads a place by today’s name in brackets after an unknown old one (X（今Y）, X(现为Y), X（即Y）, X【又名Y】)', () => {
    const random = seededRandom(20261208);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    // places their own name finds, and old names that find nothing: the bracket is all there is to go on
    const places = district.pois.filter((p) => geocoder.geocode(p.name)[0]?.address.endsWith(p.name)).slice(0, 300);
    expect(places.length).toBeGreaterThan(100);
    const markers = [['（今', '）'], ['(现为', ')'], ['（即', '）'], ['【又名', '】'], ['（ 今 ', '）']] as const;
    let right = 0;
    const wrong: string[] = [];
    for (const place of places) {
      const old = `${pick(['崇福', '显应', '延禧', '普度', '慈恩', '广福'])}${pick(['寺', '庙', '宫', '府', '祠'])}`;
      expect(geocoder.geocode(old), old).toEqual([]);
      const [open, close] = pick(markers);
      const query = `${pick(['', '北京市', '北京市东城区'])}${old}${open}${place.name}${close}`;
      const [best] = geocoder.geocode(query);
      // a compound named by its gate (鲤鱼胡同5号院) is answered at that door: the same place
      if ((best?.level === 'poi' || best?.level === 'door') && best.address.endsWith(place.name) && best.matched.edits.includes('skipped')) right++;
      else if (wrong.length < 5) wrong.push(`${query} → ${best?.address} (${best?.level}, ${best?.score})`);
    }
    console.log(`old name, today's in brackets: ${right} of ${places.length} to the place`);
    expect(wrong).toEqual([]);
  });

  it('answers garbage with an empty array', () => {
    for (const text of ['', '   ', '!!!', 'hello world', '12345', '号号号', '\u0000\uffff', '🏠🏠']) expect(geocoder.geocode(text), text).toEqual([]);
  });
});

describe('ForwardGeocoder over two copies with the same road names', () => {
  let both: ForwardGeocoder;
  let copy: GeneratedDistrict;

  beforeAll(() => {
    const first = district;
    copy = generate(1, { road: 100_000, house: 1_000_000, address: 1_000_000 });
    const areas = [...first.areas, ...copy.areas];
    both = new ForwardGeocoder(
      { areas, roads: [...first.roads, ...copy.roads], addresses: [...first.addresses, ...copy.addresses], houses: [...first.houses, ...copy.houses] },
      new ReverseGeocoder(areas, [...first.grids, ...copy.grids]),
    );
  });

  it('tells the copies apart by the district name, and lowers the score when the address does not say', () => {
    const random = seeded(3);
    const shared = new Set(district.roads.map((r) => r.name));
    const candidates = copy.addresses.filter((a) => shared.has(a.road));
    for (let k = 0; k < 200; k++) {
      const address = candidates[Math.floor(random() * candidates.length)]!;
      const house = copy.houses.find((h) => h.id === address.houseId)!;
      expect(house.address!.startsWith('北京市东城区（模拟2）')).toBe(true);
      const [best] = both.geocode(house.address!);
      expect(best).toMatchObject({ houseId: house.id, level: 'door', score: 0.98 });
      // without the district the plate may be in either copy: found, but not with full confidence
      const results = both.geocode(formatDoorPlate(address));
      const mine = results.find((r) => r.houseId === house.id);
      expect(mine).toMatchObject({ level: 'door' });
      expect(mine!.score).toBeLessThan(0.9);
      expect(results[0]!.score).toBe(mine!.score);
      expect(new Set(results.map((r) => r.district?.code))).toEqual(new Set(['110101', '110102']));
    }
  });
});

describe('ForwardGeocoder on a hand-made road', () => {
  // one district, one street, one community (a 1 km square); 测试胡同 runs east along y = 0.5 with
  // odd plates 1, 5, 9 on its north side and even plates 2, 10 on its south side
  const square = (code: string, level: AdminArea['level'], name: string, parentCode: string | null): AdminArea => ({
    code,
    level,
    name,
    parentCode,
    geometry: { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.91], [116.4, 39.9]]] },
  });
  const areas = [square('110101', 'district', '东城区', null), square('110101001', 'street', '东华门街道', '110101'), square('110101001001', 'community', '测试社区', '110101001')];
  const y = 39.905;
  const plate = (id: number, number: number, x: number, north: boolean): Address => ({
    id,
    road: '测试胡同',
    number,
    compound: false,
    building: null,
    unit: null,
    geometry: { type: 'Point', coordinates: [x, north ? y + 0.0001 : y - 0.0001] },
    houseId: id,
    status: '在用',
    retiredOn: null,
  });
  const addresses = [plate(1, 1, 116.401, true), plate(2, 5, 116.403, true), plate(3, 9, 116.405, true), plate(4, 2, 116.401, false), plate(5, 10, 116.409, false)];
  const houses = addresses.map((a) => ({ id: a.id, address: `北京市东城区东华门街道测试社区测试胡同${a.number}号` }));
  const road = { id: 1, name: '测试胡同', kind: 'hutong' as const, geometry: { type: 'LineString' as const, coordinates: [[116.4005, y], [116.4095, y]] } };
  const bare = { id: 2, name: '无牌路', kind: 'main' as const, geometry: { type: 'LineString' as const, coordinates: [[116.402, 39.902], [116.402, 39.908]] } };
  let small: ForwardGeocoder;
  beforeAll(() => {
    small = new ForwardGeocoder({ areas, roads: [road, bare], addresses, houses }, new ReverseGeocoder(areas, []));
  });

  it('interpolates a missing number between its neighbours of the same parity', () => {
    const [three] = small.geocode('测试胡同3号');
    expect(three).toMatchObject({ level: 'road', houseId: null, score: 0.6, address: '北京市东城区东华门街道测试社区测试胡同' });
    expect(three!.lng).toBeCloseTo(116.402, 9);
    expect(three!.lat).toBeCloseTo(y + 0.0001, 9);
    const [six] = small.geocode('测试胡同6号');
    // 6 lies halfway between plates 2 and 10, on the south side
    expect(six!.lng).toBeCloseTo(116.405, 9);
    expect(six!.lat).toBeCloseTo(y - 0.0001, 9);
  });

  it('answers an existing plate at door level and 甲N号 beside it at road level', () => {
    expect(small.geocode('测试胡同5号')[0]).toMatchObject({ level: 'door', houseId: 2, score: 0.98, address: '北京市东城区东华门街道测试社区测试胡同5号' });
    expect(small.geocode('测试胡同甲5号')[0]).toMatchObject({ level: 'road', houseId: null, lng: 116.403 });
  });

  it('puts a number on a road without plates at its middle, on the number’s side (odd west of a north–south road)', () => {
    const [odd] = small.geocode('无牌路7号');
    const [even] = small.geocode('无牌路8号');
    expect(odd).toMatchObject({ level: 'road', score: 0.5 });
    expect(odd!.lat).toBeCloseTo(39.905, 9);
    expect(odd!.lng).toBeLessThan(116.402);
    expect(even!.lng).toBeGreaterThan(116.402);
    const [middle] = small.geocode('无牌路');
    expect(middle).toMatchObject({ level: 'road', score: 0.45, lng: 116.402 });
    expect(middle!.lat).toBeCloseTo(39.905, 9);
  });
});


describe('ForwardGeocoder on a road through two 街道', () => {
  // a district of two streets side by side (west x < 116.41, east x ≥ 116.41), one community each;
  // 长街 runs east across both without plates, 牌街 with plates 1–9 in the west and 51–59 in the east
  const box = (code: string, level: AdminArea['level'], name: string, parentCode: string | null, x0: number, x1: number): AdminArea => ({
    code,
    level,
    name,
    parentCode,
    geometry: { type: 'Polygon', coordinates: [[[x0, 39.9], [x1, 39.9], [x1, 39.91], [x0, 39.91], [x0, 39.9]]] },
  });
  const areas = [
    box('110101', 'district', '东城区', null, 116.4, 116.42),
    box('110101001', 'street', '西甲街道', '110101', 116.4, 116.41),
    box('110101002', 'street', '东乙街道', '110101', 116.41, 116.42),
    box('110101001001', 'community', '西甲社区', '110101001', 116.4, 116.41),
    box('110101002001', 'community', '东乙社区', '110101002', 116.41, 116.42),
  ];
  const line = (id: number, name: string, y: number, x0: number, x1: number) => ({ id, name, kind: 'main' as const, geometry: { type: 'LineString' as const, coordinates: [[x0, y], [x1, y]] } });
  // the long road is drawn as pieces split at crossings, as real centrelines are
  const column = (id: number, name: string, x: number, y0: number, y1: number) => ({ id, name, kind: 'main' as const, geometry: { type: 'LineString' as const, coordinates: [[x, y0], [x, y1]] } });
  // 双街 runs north along the 街道 boundary as two carriageways 51 m apart, the boundary between them
  const roads = [
    line(1, '长街', 39.903, 116.401, 116.405),
    line(2, '长街', 39.903, 116.405, 116.409),
    line(3, '长街', 39.903, 116.411, 116.419),
    line(4, '牌街', 39.907, 116.401, 116.419),
    column(5, '双街', 116.4104, 39.9, 39.909),
    column(6, '双街', 116.4098, 39.902, 39.906),
    // 折街 runs east with an 11 m jog north at its middle, where its middle point lies
    line(7, '折街', 39.905, 116.405, 116.41),
    column(8, '折街', 116.41, 39.905, 39.9051),
    line(9, '折街', 39.9051, 116.41, 116.415),
    // 界街 runs north along the boundary, drawn 2 m inside 西甲街道
    column(10, '界街', 116.40998, 39.9, 39.909),
    // 外街 lies east of the district, outside every area held
    column(11, '外街', 116.43, 39.9, 39.909),
  ];
  const plate = (id: number, number: number, x: number): Address => ({
    id,
    road: '牌街',
    number,
    compound: false,
    building: null,
    unit: null,
    geometry: { type: 'Point', coordinates: [x, 39.9071] },
    houseId: id,
    status: '在用',
    retiredOn: null,
  });
  const addresses = [plate(1, 1, 116.402), plate(2, 5, 116.404), plate(3, 9, 116.406), plate(4, 51, 116.412), plate(5, 55, 116.414), plate(6, 59, 116.416)];
  let geocoder: ForwardGeocoder;
  beforeAll(() => {
    geocoder = new ForwardGeocoder({ areas, roads, addresses, houses: addresses.map((a) => ({ id: a.id, address: null })) }, new ReverseGeocoder(areas, []));
  });

  it('answers in the part of the road the named 街道 or 社区 holds', () => {
    expect(geocoder.geocode('东乙街道长街8号')[0]).toMatchObject({ level: 'road', street: { name: '东乙街道' }, matched: { road: '长街', edits: ['number'] } });
    expect(geocoder.geocode('西甲街道长街8号')[0]).toMatchObject({ level: 'road', street: { name: '西甲街道' } });
    expect(geocoder.geocode('东乙社区长街8号')[0]).toMatchObject({ level: 'road', street: { name: '东乙街道' } });
    expect(geocoder.geocode('西甲社区长街')[0]).toMatchObject({ level: 'road', street: { name: '西甲街道' } });
  });

  it('answers the named end of a road (长街东口: its east end), and the middle for an end across its course', () => {
    const east = geocoder.geocode('长街东口')[0]!;
    expect(east).toMatchObject({ level: 'road', score: 0.55, street: { name: '东乙街道' }, matched: { road: '长街' } });
    expect(east.lng).toBeCloseTo(116.419, 6);
    expect(geocoder.geocode('长街西口')[0]).toMatchObject({ score: 0.55, street: { name: '西甲街道' }, lng: 116.401 });
    // 双街 runs north: its 东口 is no end of it
    expect(geocoder.geocode('双街东口')[0]).toMatchObject({ level: 'road', score: 0.45 });
    expect(geocoder.geocode('双街北口')[0]).toMatchObject({ level: 'road', score: 0.55, lat: 39.909 });
  });

  it('counts a place outside every area as outside the 街道 and district the address names', () => {
    const [named] = geocoder.geocode('东城区东乙街道外街5号');
    expect(named).toMatchObject({ level: 'road', street: null, matched: { road: '外街' } });
    expect(named!.matched.edits).toContain('street');
    expect(named!.score).toBeLessThan(geocoder.geocode('外街5号')[0]!.score * 0.75 * 0.6 + 1e-9);
  });

  it('answers a road along the boundary in the 街道 the address names, beside the road', () => {
    for (const q of ['东乙街道界街5号', '东乙街道界街']) {
      const [best] = geocoder.geocode(q);
      expect(best, q).toMatchObject({ level: 'road', street: { name: '东乙街道' }, matched: { road: '界街' } });
      expect(best!.matched.edits, q).not.toContain('street');
    }
    expect(geocoder.geocode('西甲街道界街5号')[0]).toMatchObject({ street: { name: '西甲街道' } });
  });

  it('reads the side from the road’s course, not from the piece nearest its middle (a jog)', () => {
    const odd = geocoder.geocode('折街7号')[0]!;
    expect(odd).toMatchObject({ level: 'road', matched: { road: '折街' } });
    // north of an east–west road, not west of the jog
    expect(odd.lng).toBeCloseTo(116.41, 6);
    expect(odd.lat).toBeGreaterThan(39.9051);
    expect(geocoder.geocode('折街8号')[0]!.lat).toBeLessThan(39.905);
  });

  it('puts a number without plates on its side of the road (odd west of a north–south road), beyond both carriageways', () => {
    expect(geocoder.geocode('双街7号')[0]).toMatchObject({ level: 'road', street: { name: '西甲街道' }, matched: { road: '双街', edits: ['number'] } });
    expect(geocoder.geocode('双街8号')[0]).toMatchObject({ level: 'road', street: { name: '东乙街道' } });
  });

  it('answers where the numbering puts a number, and in the named 街道 when that says otherwise', () => {
    expect(geocoder.geocode('牌街53号')[0]).toMatchObject({ level: 'road', street: { name: '东乙街道' }, score: 0.6 });
    expect(geocoder.geocode('牌街3号')[0]).toMatchObject({ level: 'road', street: { name: '西甲街道' }, score: 0.6 });
    const named = geocoder.geocode('西甲街道牌街53号')[0]!;
    expect(named).toMatchObject({ level: 'road', street: { name: '西甲街道' } });
    expect(named.matched.edits).not.toContain('street');
  });
});

describe('where two roads meet (A与B交叉口)', () => {
  type Seg = [number, number, number, number];
  const segmentsOf = (name: string): Seg[] =>
    district.roads
      .filter((r) => r.name === name)
      .flatMap((r) => {
        const c = r.geometry.coordinates as [number, number][];
        return c.slice(1).map((b, k) => [c[k]![0], c[k]![1], b[0], b[1]] as Seg);
      });
  /** where two segments cross (brute force, no tolerance), or null */
  const crossing = ([ax, ay, bx, by]: Seg, [cx, cy, dx, dy]: Seg): [number, number] | null => {
    const d = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx);
    if (d === 0) return null;
    const t = ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) / d;
    const u = ((cx - ax) * (by - ay) - (cy - ay) * (bx - ax)) / d;
    return t >= 0 && t <= 1 && u >= 0 && u <= 1 ? [ax + t * (bx - ax), ay + t * (by - ay)] : null;
  };

  it('answers at the crossing of two roads that cross, whatever the joining and crossing words, and never for two that do not meet', () => {
    const random = seeded(20261207);
    const names = [...new Set(district.roads.map((r) => r.name))];
    const pairs: { a: string; b: string; at: [number, number] | null }[] = [];
    while (pairs.length < 300) {
      const a = names[Math.floor(random() * names.length)]!;
      const b = names[Math.floor(random() * names.length)]!;
      if (a === b) continue;
      let at: [number, number] | null = null;
      for (const s of segmentsOf(a)) for (const t of segmentsOf(b)) at ??= crossing(s, t);
      // as many crossing pairs as pairs far apart
      const crosses = at !== null;
      if (crosses === pairs.filter((p) => p.at !== null).length < pairs.length / 2 || pairs.length === 0) pairs.push({ a, b, at });
    }
    let right = 0;
    const misses: string[] = [];
    for (const { a, b, at } of pairs) {
      const q = `${random() < 0.5 ? '东城区' : ''}${a}${['与', '和', '交'][Math.floor(random() * 3)]}${b}${['交叉口', '路口', '十字路口', '交汇处'][Math.floor(random() * 4)]}${['', '东北角', '西侧', '往南50米'][Math.floor(random() * 4)]}`;
      const [best] = geocoder.geocode(q);
      const isCrossing = best?.address.endsWith('交叉口') === true;
      if (at === null) {
        if (isCrossing) misses.push(`${q}: the roads do not meet, answered ${best!.address}`);
        else right++;
        continue;
      }
      // 60 m: the two roads' closest points when they are drawn apart (none here: they cross)
      if (isCrossing && best!.level === 'road' && best!.score === 0.7 && distanceM(best!.lng, best!.lat, at[0], at[1]) < 1 && best!.street?.name === reverse.resolve(at[0], at[1]).street?.name) right++;
      else misses.push(`${q}: ${best ? `${best.address} ${best.level} ${best.score}` : 'nothing'}`);
    }
    expect(pairs.filter((p) => p.at !== null).length).toBeGreaterThan(100);
    expect(right / pairs.length, misses.slice(0, 10).join('\n')).toBeGreaterThanOrEqual(0.98);
  });
});
