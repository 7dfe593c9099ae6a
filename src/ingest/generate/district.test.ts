import type { Geometry } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateAdminCode } from '../../codes/admin.js';
import { validateComponentCode } from '../../codes/component.js';
import { validateSocialGridCode } from '../../codes/social-grid.js';
import { validateUnitGridCode } from '../../codes/unit-grid.js';
import { geometryAreaM2 } from '../../geo/area.js';
import { geometryBBox } from '../../geo/bbox.js';
import { hasRfc7946Winding, validateGeometry } from '../../geo/validate.js';
import { PointResolver } from '../../geocode/reverse.js';
import type { Point } from 'geojson';
import { pointInPolygon } from '../../geo/pip.js';
import type { AreaGeometry, Grid, Poi } from '../../model.js';
import { metresBetween } from '../../test-helpers/distance.js';
import { formatDoorPlate } from '../../model.js';
import { representativePoint } from '../layer-records.js';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict, type GeneratedDistrict } from './district.js';
import { loadGeneratorInputs } from './inputs.js';

const inputs = loadGeneratorInputs();
const generate = (seed: number, copy = 0): GeneratedDistrict =>
  generateDistrict(inputs, { ...DEFAULT_DISTRICT_OPTIONS, seed, copy, firstIds: { road: 1, house: 1, address: 1 } });

let district: GeneratedDistrict;
let unitGrids: Grid[];
let socialGrids: Grid[];

beforeAll(() => {
  district = generate(1);
  unitGrids = district.grids.filter((g) => g.scheme === 'unit');
  socialGrids = district.grids.filter((g) => g.scheme === 'social');
});

const asGeom = (g: AreaGeometry): Geom => g.coordinates as Geom;
const clippedArea = (parts: polygonClipping.MultiPolygon): number => geometryAreaM2({ type: 'MultiPolygon', coordinates: parts });

/** Asserts that `parts` cover `whole` exactly: equal area, and no part overlaps another. */
function expectExactCover(whole: AreaGeometry, parts: AreaGeometry[], label: string): void {
  const wholeArea = geometryAreaM2(whole);
  const sum = parts.reduce((s, p) => s + geometryAreaM2(p), 0);
  expect(Math.abs(sum - wholeArea) / wholeArea, `${label}: area sum vs whole`).toBeLessThan(0.001);
  const union = polygonClipping.union(asGeom(parts[0]!), ...parts.slice(1).map(asGeom));
  // the union is as large as the sum only when nothing overlaps
  expect(Math.abs(clippedArea(union) - sum) / sum, `${label}: overlap`).toBeLessThan(1e-6);
  const mismatch = clippedArea(polygonClipping.xor(asGeom(whole), union));
  expect(mismatch / wholeArea, `${label}: gaps or spill`).toBeLessThan(1e-6);
}

describe('generated Dongcheng', () => {
  it('has the real administrative structure and the target sizes', () => {
    const level = (l: string) => district.areas.filter((a) => a.level === l);
    expect(level('district').map((a) => [a.code, a.name])).toEqual([['110101', '东城区']]);
    expect(level('street')).toHaveLength(17);
    expect(level('community').length).toBeGreaterThanOrEqual(150);
    expect(unitGrids.length).toBeGreaterThanOrEqual(2000);
    expect(unitGrids.length).toBeLessThanOrEqual(2600);
    expect(socialGrids).toHaveLength(589);
    expect(district.houses.length).toBeGreaterThanOrEqual(25_000);
    expect(district.addresses).toHaveLength(district.houses.length);
    expect(district.components.length).toBeGreaterThanOrEqual(150_000);
    expect(district.components.length).toBeLessThanOrEqual(260_000);
  });

  it('sits where Dongcheng is, at about its size', () => {
    const whole = district.areas.find((a) => a.level === 'district')!.geometry;
    const box = geometryBBox(whole);
    expect(box.minX).toBeGreaterThanOrEqual(116.38);
    expect(box.maxX).toBeLessThanOrEqual(116.45);
    expect(box.minY).toBeGreaterThanOrEqual(39.85);
    expect(box.maxY).toBeLessThanOrEqual(39.97);
    expect(geometryAreaM2(whole) / 1e6).toBeGreaterThan(40);
    expect(geometryAreaM2(whole) / 1e6).toBeLessThan(44);
  });

  it('numbers the first grids of 多福巷社区 as in the standards', () => {
    expect(unitGrids.find((g) => g.code === '110101001001001')?.communityCode).toBe('110101001001');
    expect(socialGrids.find((g) => g.code === '1101010010011001')?.dynamicCode).toBe('202601');
  });

  it('gives every record a valid code', () => {
    const bad: string[] = [];
    const check = (ok: { ok: boolean }, code: string | null) => {
      if (!ok.ok) bad.push(String(code));
    };
    for (const a of district.areas) check(validateAdminCode(a.code, a.level), a.code);
    for (const g of unitGrids) check(validateUnitGridCode(g.code), g.code);
    for (const g of socialGrids) check(validateSocialGridCode(`${g.code}-${g.dynamicCode}`), g.code);
    for (const c of district.components) check(validateComponentCode(c.code), c.code);
    for (const h of district.houses) {
      check(validateUnitGridCode(h.unitGridCode ?? ''), h.unitGridCode);
      check(validateSocialGridCode(h.socialStaticCode ?? ''), h.socialStaticCode);
    }
    expect(bad).toEqual([]);
    expect(new Set(district.components.map((c) => c.code)).size).toBe(district.components.length);
  });

  it('produces only valid geometry with RFC 7946 winding', () => {
    const problems: string[] = [];
    const check = (label: string, geometry: Geometry) => {
      const found = validateGeometry(geometry);
      if (found.length > 0 || !hasRfc7946Winding(geometry)) problems.push(`${label}: ${found.join('; ') || 'winding'}`);
    };
    for (const a of district.areas) check(a.code, a.geometry);
    for (const g of district.grids) check(g.code, g.geometry);
    for (const h of district.houses) check(`house ${h.id}`, h.geometry);
    for (const r of district.roads) check(`road ${r.name}`, r.geometry);
    for (const c of district.components.filter((_, k) => k % 7 === 0)) check(c.code, c.geometry);
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('tiles the district with streets, each street with its communities', () => {
    const whole = district.areas.find((a) => a.level === 'district')!;
    const streets = district.areas.filter((a) => a.level === 'street');
    expectExactCover(whole.geometry, streets.map((s) => s.geometry), 'district');
    for (const street of streets) {
      const communities = district.areas.filter((a) => a.parentCode === street.code);
      expectExactCover(street.geometry, communities.map((c) => c.geometry), street.name);
    }
  });

  it('tiles every community exactly with its unit grids, and again with its social grids', () => {
    for (const community of district.areas.filter((a) => a.level === 'community')) {
      const units = unitGrids.filter((g) => g.communityCode === community.code);
      const socials = socialGrids.filter((g) => g.communityCode === community.code);
      expect(units.length, community.name).toBeGreaterThan(0);
      expect(socials.length, community.name).toBeGreaterThan(0);
      expectExactCover(community.geometry, units.map((g) => g.geometry), `${community.name} unit grids`);
      expectExactCover(community.geometry, socials.map((g) => g.geometry), `${community.name} social grids`);
    }
  });

  it('builds each social grid from whole unit grids', () => {
    const locator = new PointResolver([], socialGrids, { raster: false });
    const members = new Map<string, AreaGeometry[]>();
    for (const unit of unitGrids) {
      // unit grids are convex quads or pairs of them, so the vertex centroid lies inside
      const ring = unit.geometry.type === 'Polygon' ? unit.geometry.coordinates[0]! : unit.geometry.coordinates[0]![0]!;
      const [lng, lat] = representativePoint({ type: 'Polygon', coordinates: [ring] });
      const social = locator.resolve(lng!, lat!).socialGrid?.staticCode;
      expect(social?.slice(0, 12), unit.code).toBe(unit.code.slice(0, 12));
      members.set(social!, [...(members.get(social!) ?? []), unit.geometry]);
    }
    for (const social of socialGrids) expectExactCover(social.geometry, members.get(social.code) ?? [], social.code);
  });

  it('makes unit grids of about 10,000–20,000 m² that follow bent roads, not a square lattice', () => {
    const areas = unitGrids.map((g) => g.areaM2).sort((a, b) => a - b);
    const median = areas[areas.length >> 1]!;
    expect(median).toBeGreaterThan(12_000);
    expect(median).toBeLessThan(20_000);
    expect(areas[Math.floor(areas.length * 0.05)]).toBeGreaterThan(8_000);
    expect(areas[Math.floor(areas.length * 0.95)]).toBeLessThan(30_000);
    // irregular: areas spread, and edges are rarely exactly east-west or north-south
    const mean = areas.reduce((a, b) => a + b, 0) / areas.length;
    const sd = Math.sqrt(areas.reduce((s, a) => s + (a - mean) ** 2, 0) / areas.length);
    expect(sd / mean).toBeGreaterThan(0.15);
    let axisAligned = 0;
    let edges = 0;
    for (const g of unitGrids) {
      const ring = g.geometry.type === 'Polygon' ? g.geometry.coordinates[0]! : g.geometry.coordinates[0]![0]!;
      for (let k = 0; k < ring.length - 1; k++) {
        const dx = ring[k + 1]![0]! - ring[k]![0]!;
        const dy = ring[k + 1]![1]! - ring[k]![1]!;
        const angle = (Math.atan2(Math.abs(dy), Math.abs(dx)) * 180) / Math.PI;
        if (angle < 0.5 || angle > 89.5) axisAligned++;
        edges++;
      }
    }
    expect(axisAligned / edges).toBeLessThan(0.2);
  });

  it('places every house and component in the unit grid it records, by point-in-polygon', () => {
    const locator = new PointResolver([], district.grids, { raster: false });
    const wrong: string[] = [];
    for (const house of district.houses) {
      const [lng, lat] = representativePoint(house.geometry);
      const found = locator.resolve(lng!, lat!);
      if (found.unitGrid?.code !== house.unitGridCode || found.socialGrid?.staticCode !== house.socialStaticCode) wrong.push(`house ${house.id}`);
    }
    for (const c of district.components) {
      const [lng, lat] = representativePoint(c.geometry);
      if (locator.resolve(lng!, lat!).unitGrid?.code !== c.unitGridCode) wrong.push(c.code);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('gives every house one unique door plate on a real road of the district', () => {
    const roadNames = new Set(district.roads.map((r) => r.name));
    expect(roadNames.size).toBe(district.roads.length);
    const plates = district.addresses.map(formatDoorPlate);
    expect(new Set(plates).size).toBe(plates.length);
    expect(district.addresses.every((a) => roadNames.has(a.road))).toBe(true);
    expect(plates.some((p) => /^\D+\d+号$/.test(p))).toBe(true);
    expect(plates.some((p) => /^\D+\d+号院\d+号楼$/.test(p))).toBe(true);
    const house = district.houses[0]!;
    expect(house.address).toMatch(/^北京市东城区.+街道.+社区.+\d+号/);
  });

  it('builds courtyards low in the old town and blocks high elsewhere, some with basements', () => {
    const low = district.houses.filter((h) => h.floors <= 2);
    const high = district.houses.filter((h) => h.floors >= 6);
    expect(low.length).toBeGreaterThan(district.houses.length * 0.4);
    expect(high.length).toBeGreaterThan(district.houses.length * 0.1);
    expect(Math.max(...high.map((h) => h.floors))).toBeLessThanOrEqual(30);
    expect(district.houses.filter((h) => h.floorsBelow > 0).length).toBeGreaterThan(500);
    for (const h of district.houses.slice(0, 2000)) expect(h.heightM).toBeGreaterThanOrEqual(h.floors * 2.5);
  });

  it('spreads components over the classes, lamps and manholes along roads', () => {
    const byClass = new Map<string, number>();
    for (const c of district.components) byClass.set(c.major + c.minor, (byClass.get(c.major + c.minor) ?? 0) + 1);
    expect(byClass.size).toBeGreaterThanOrEqual(30);
    for (const major of ['01', '02', '03', '04', '05', '06']) expect([...byClass.keys()].some((k) => k.startsWith(major)), major).toBe(true);
    expect(byClass.get('0118')).toBeGreaterThan(5_000);
    expect(byClass.get('0101')).toBeGreaterThan(2_000);
    expect(byClass.get('0113')).toBeGreaterThan(500);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generate(1);
    expect(JSON.stringify(again.grids.slice(0, 50))).toBe(JSON.stringify(district.grids.slice(0, 50)));
    expect(again.components.length).toBe(district.components.length);
    expect(JSON.stringify(again.pois)).toBe(JSON.stringify(district.pois));
    const other = generate(2);
    expect(JSON.stringify(other.grids[0]!.geometry)).not.toBe(JSON.stringify(district.grids[0]!.geometry));
  });

  it('gives scale copies their own district codes, side by side', () => {
    const copy = generate(1, 1);
    const districtArea = copy.areas.find((a) => a.level === 'district')!;
    expect(districtArea.code).toBe('110102');
    expect(copy.grids.every((g) => g.code.startsWith('110102'))).toBe(true);
    expect(copy.pois.every((p) => p.unitGridCode?.startsWith('110102') && (p.address === null || p.address.startsWith('北京市东城区（模拟2）')))).toBe(true);
    // the shipped aliases name the real district's areas, so only copy 0 has them
    expect(copy.aliases).toEqual([]);
    expect(geometryBBox(districtArea.geometry).minX).toBeGreaterThan(geometryBBox(district.areas[0]!.geometry).maxX);
  });
});

describe('generated named places', () => {
  const byCategory = (category: string): Poi[] => district.pois.filter((p) => p.category === category);

  it('names several hundred places of every kind, each name once, some with aliases', () => {
    expect(district.pois.length).toBeGreaterThanOrEqual(600);
    expect(district.pois.length).toBeLessThanOrEqual(2_000);
    expect(new Set(district.pois.map((p) => p.name)).size).toBe(district.pois.length);
    expect(district.pois.map((p) => p.id)).toEqual(district.pois.map((_, k) => k + 1));
    const patterns: [string, RegExp][] = [
      ['学校', /小学$/],
      ['学校', /^北京市.+中学$/],
      ['学校', /幼儿园$/],
      ['医院', /医院$/],
      ['卫生服务站', /社区卫生服务站$/],
      ['卫生服务站', /社区卫生服务中心$/],
      ['公园', /公园$/],
      ['小区', /(小区|家园|花园|嘉园|里)$/],
      ['小区', /\d+号院$/],
      ['市场', /(菜市场|超市)$/],
      ['地铁站出入口', /站[A-D]口$/],
      ['写字楼', /大厦[A-D]座$/],
    ];
    for (const [category, pattern] of patterns) expect(byCategory(category).some((p) => pattern.test(p.name)), `${category} ${pattern}`).toBe(true);
    expect(byCategory('小区').length).toBeGreaterThan(200);
    expect(byCategory('地铁站出入口').length).toBeGreaterThan(20);
    // a middle school is called by its short name: 北京市X中学 by X中学
    const middleSchools = byCategory('学校').filter((p) => /^北京市.+中学$/.test(p.name));
    expect(middleSchools.filter((p) => p.aliases[0] === p.name.replace(/^北京市/, '')).length).toBeGreaterThan(middleSchools.length / 2);
    expect(district.pois.find((p) => p.name === '天坛公园')).toMatchObject({ category: '公园', aliases: ['天坛'], geometry: { type: expect.stringMatching(/Polygon/) } });
    expect(district.pois.filter((p) => p.aliases.length > 0).length).toBeGreaterThan(50);
  });

  it('places each inside the district, in the grids import would assign by point-in-polygon', () => {
    const locator = new PointResolver([], district.grids, { raster: false });
    const whole = district.areas.find((a) => a.level === 'district')!.geometry;
    const wrong: string[] = [];
    for (const poi of district.pois) {
      if (validateGeometry(poi.geometry).length > 0 || !hasRfc7946Winding(poi.geometry)) wrong.push(`${poi.name}: geometry`);
      const [lng, lat] = representativePoint(poi.geometry);
      if (!pointInPolygon(lng!, lat!, whole)) wrong.push(`${poi.name}: outside`);
      const found = locator.resolve(lng!, lat!);
      if (poi.unitGridCode === null || found.unitGrid?.code !== poi.unitGridCode || found.socialGrid?.staticCode !== poi.socialStaticCode) wrong.push(`${poi.name}: grids`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('names places after their roads and gives compounds their gate plate and buildings their door plate', () => {
    const roads = [...new Set(district.roads.map((r) => r.name))];
    const houseAddresses = new Set(district.houses.map((h) => h.address));
    const gates = new Set(district.addresses.filter((a) => a.compound).map((a) => formatDoorPlate({ ...a, building: null, unit: null })));
    for (const compound of byCategory('小区')) {
      const plate = compound.address!.replace(/^北京市东城区.+?街道.+?社区/, '');
      expect(gates.has(plate), compound.address!).toBe(true);
      if (/号院$/.test(compound.name)) expect(compound.name).toBe(plate);
    }
    for (const poi of [...byCategory('学校'), ...byCategory('医院'), ...byCategory('市场'), ...byCategory('写字楼')]) {
      expect(houseAddresses.has(poi.address), poi.name).toBe(true);
    }
    // most names start with (a part of) a road's name
    const named = district.pois.filter((p) => roads.some((r) => p.name.replace(/^北京市/, '').startsWith(r.slice(0, 2))));
    expect(named.length / district.pois.length).toBeGreaterThan(0.5);
  });

  it('puts subway entrances at corners of main-road crossings', () => {
    const seen = new Map<string, number>();
    for (const road of district.roads.filter((r) => r.kind === 'main')) {
      for (const p of new Set(road.geometry.coordinates.map((c) => c.join(',')))) seen.set(p, (seen.get(p) ?? 0) + 1);
    }
    const crossings = [...seen].filter(([, n]) => n >= 2).map(([p]) => p.split(',').map(Number));
    for (const entrance of byCategory('地铁站出入口')) {
      const point = (entrance.geometry as Point).coordinates;
      expect(Math.min(...crossings.map((c) => metresBetween(c, point))), entrance.name).toBeLessThan(40);
      expect(entrance.aliases).toEqual([entrance.name.replace(/站([A-D])口$/, '地铁站$1口')]);
    }
  });
});
