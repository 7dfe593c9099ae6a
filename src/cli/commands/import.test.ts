import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateComponentCode } from '../../codes/component.js';
import { fromWgs84, parseCrs } from '../../geo/crs.js';
import { ReverseGeocoder } from '../../geocode/reverse.js';
import { Store } from '../../store/store.js';
import { metresBetween } from '../../test-helpers/distance.js';
import { FEATURE_FORMATS } from '../../ingest/read-features.js';
import { hasRealData, realDataPath } from '../../test-helpers/real-data.js';
import { runCli } from '../test-helpers/run-cli.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-import-'));
  db = join(dir, 'dongcheng.db');
  defaultDistrictAt(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | object): string => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const collection = (features: Feature[]): FeatureCollection => ({ type: 'FeatureCollection', features });
const point = (lng: number, lat: number, properties: Record<string, unknown>): Feature => ({
  type: 'Feature',
  properties,
  geometry: { type: 'Point', coordinates: [lng, lat] },
});
const withStore = <T>(work: (store: Store) => T): T => {
  const store = Store.open(db, { readonly: true });
  try {
    return work(store);
  } finally {
    store.close();
  }
};
// a point well inside the generated district (东四 area)
const INSIDE: [number, number] = [116.4135, 39.9305];

describe('wangge import', () => {
  it('assigns component codes and unit grids by point-in-polygon', async () => {
    const before = withStore((s) => s.nextComponentSerial('110101', '01', '18'));
    const path = file('lamps.geojson', collection([
      point(INSIDE[0], INSIDE[1], { major: '01', minor: '18', dept_main: '东城区城市管理委员会', status: '破损' }),
      point(INSIDE[0] + 0.001, INSIDE[1], { major: '01', minor: '18', dept_main: '东城区城市管理委员会' }),
    ]));
    const result = await runCli(['import', path, '--layer', 'components', '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/imported 2 of 2 components/);
    withStore((store) => {
      const reverse = ReverseGeocoder.fromStore(store);
      const first = store.getComponent(`1101010118${String(before).padStart(6, '0')}`)!;
      const second = store.getComponent(`1101010118${String(before + 1).padStart(6, '0')}`)!;
      expect(validateComponentCode(first.code).ok).toBe(true);
      expect(first.name).toBe('路灯');
      expect(first.status).toBe('破损');
      expect(second.status).toBe('完好');
      expect(first.unitGridCode).toBe(reverse.resolve(...INSIDE).unitGrid?.code);
      expect(first.unitGridCode).toMatch(/^110101\d{9}$/);
    });
  });

  it('writes nothing when one feature is bad, lists every bad one by position, and exits non-zero', async () => {
    const digest = withStore((s) => s.contentDigest());
    const path = file('mixed.geojson', collection([
      point(INSIDE[0], INSIDE[1], { major: '01', minor: '18', dept_main: 'x' }),
      point(INSIDE[0], INSIDE[1], { major: '01', minor: '77', dept_main: 'x' }),
      point(INSIDE[0], 95, { major: '01', minor: '18', dept_main: 'x' }),
      point(INSIDE[0], INSIDE[1], { major: '01', minor: '18' }),
    ]));
    const result = await runCli(['import', path, '--layer', 'components', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/feature 2: .*0177/);
    expect(result.stderr).toMatch(/feature 3: .*lat/i);
    expect(result.stderr).toMatch(/feature 4: dept_main is required/);
    expect(result.stderr).not.toMatch(/feature 1:/);
    expect(result.stderr).toMatch(/3 of 4 features are invalid; nothing was imported/);
    expect(withStore((s) => s.contentDigest())).toBe(digest);
  });

  it('keeps the database unchanged when a write fails half way (constraint at the last feature)', async () => {
    const digest = withStore((s) => s.contentDigest());
    const some = withStore((s) => s.getGrid('unit', '110101001001002')!);
    // the same grid twice: the second version does not start after the first, a conflict found only while writing
    const grid = (validFrom: string): Feature => ({
      type: 'Feature',
      properties: { scheme: 'unit', code: some.code, valid_from: validFrom },
      geometry: some.geometry,
    });
    const path = file('conflict.geojson', collection([grid('2027-01-01'), grid('2027-01-01')]));
    const result = await runCli(['import', path, '--layer', 'grids', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/feature 2: .*already has a version from 2027-01-01/);
    expect(withStore((s) => s.contentDigest())).toBe(digest);
  });

  it('with --skip-invalid writes the good features and reports the rest', async () => {
    const path = file('skip.ndjson', [
      JSON.stringify(point(INSIDE[0], INSIDE[1], { road: '测试胡同', number: 1 })),
      '{not json',
      JSON.stringify(point(INSIDE[0], INSIDE[1], { road: '测试胡同', number: -3 })),
      JSON.stringify(point(INSIDE[0], INSIDE[1], { road: '测试胡同', number: 3 })),
    ].join('\n'));
    const before = withStore((s) => s.counts().addresses);
    const result = await runCli(['import', path, '--layer', 'addresses', '--skip-invalid', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/line 2: not valid JSON/);
    expect(result.stderr).toMatch(/line 3: number -3 is outside/);
    expect(result.stdout).toMatch(/imported 2 of 4 addresses .*skipped 2 invalid/);
    expect(withStore((s) => s.counts().addresses)).toBe(before + 2);
  });

  it('reads CSV with lng/lat columns and with WKT, and converts GCJ-02 and CGCS2000 Gauss-Krüger input', async () => {
    const toGcj = fromWgs84(parseCrs('gcj02'));
    const toGk = fromWgs84(parseCrs('EPSG:4527'));
    const [gLng, gLat] = toGcj(INSIDE);
    const [gx, gy] = toGk([INSIDE[0], INSIDE[1] + 0.001]);
    file('roads-gcj.csv', `name,kind,lng,lat\n`); // lng/lat CSVs make points; roads need WKT
    const roads = file('roads.csv', `name,kind,wkt\n试验路,main,"LINESTRING (${gx} ${gy}, ${gx! + 100} ${gy})"\n`);
    const plates = file('plates.csv', `road,number,lng,lat\n试验路,8,${gLng},${gLat}\n`);
    expect((await runCli(['import', roads, '--layer', 'roads', '--crs', 'EPSG:4527', '--db', db])).code).toBe(0);
    expect((await runCli(['import', plates, '--layer', 'addresses', '--crs', 'gcj02', '--db', db])).code).toBe(0);
    withStore((store) => {
      const road = [...store.iterate('roads')].find((r) => r.name === '试验路')!;
      const [lng, lat] = road.geometry.coordinates[0]!;
      expect(lng).toBeCloseTo(INSIDE[0], 7);
      expect(lat).toBeCloseTo(INSIDE[1] + 0.001, 7);
      const plate = [...store.iterate('addresses')].find((a) => a.road === '试验路')!;
      expect(plate.geometry.coordinates[0]).toBeCloseTo(INSIDE[0], 6);
      expect(plate.geometry.coordinates[1]).toBeCloseTo(INSIDE[1], 6);
    });
  });

  it('gives imported houses their unit and social grids', async () => {
    const [x, y] = INSIDE;
    const d = 0.0001;
    const footprint: Polygon = { type: 'Polygon', coordinates: [[[x, y], [x, y + d], [x + d, y + d], [x + d, y], [x, y]]] }; // clockwise on purpose
    const path = file('houses.ndjson', JSON.stringify({ type: 'Feature', properties: { floors: 6, use: '住宅' }, geometry: footprint }) + '\n');
    const result = await runCli(['import', path, '--layer', 'houses', '--db', db]);
    expect(result.code).toBe(0);
    withStore((store) => {
      const house = store.getHouse(store.nextId('houses') - 1)!;
      expect(house.heightM).toBe(18);
      const located = ReverseGeocoder.fromStore(store).resolve(x + d / 2, y + d / 2);
      expect(house.unitGridCode).toBe(located.unitGrid?.code);
      expect(house.socialStaticCode).toBe(located.socialGrid?.staticCode);
      // stored with RFC 7946 winding (exterior counter-clockwise)
      expect(house.geometry.coordinates[0]![1]).toEqual([x + d, y]);
    });
  });

  it('keeps grid history: a re-division closes the old version, and export --at shows either', async () => {
    const social = withStore((s) => s.getGrid('social', '1101010010011001')!);
    const moved = JSON.parse(JSON.stringify(social.geometry)) as Polygon;
    const path = file('redivide.geojson', collection([
      { type: 'Feature', properties: { scheme: 'social', code: social.code, dynamic_code: '202801', name: social.name, valid_from: '2028-03-01' }, geometry: moved },
    ]));
    expect((await runCli(['import', path, '--layer', 'grids', '--db', db])).code).toBe(0);
    withStore((store) => {
      const history = store.gridHistory('social', social.code);
      expect(history.map((g) => [g.dynamicCode, g.validFrom, g.validTo])).toEqual([
        ['202601', '2026-01-01', '2028-03-01'],
        ['202801', '2028-03-01', null],
      ]);
      expect(store.counts().socialGrids).toBe(589);
    });
    const before = join(dir, 'before.ndjson');
    const after = join(dir, 'after.ndjson');
    expect((await runCli(['export', '--layer', 'grids', '--format', 'ndjson', '--at', '2027-01-01', '-o', before, '--db', db])).code).toBe(0);
    expect((await runCli(['export', '--layer', 'grids', '--format', 'ndjson', '-o', after, '--db', db])).code).toBe(0);
    const find = (p: string) =>
      readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Feature).find((f) => f.properties!.code === social.code)!;
    expect(find(before).properties!.dynamic_code).toBe('202601');
    expect(find(after).properties!.dynamic_code).toBe('202801');
  });

  it('never gives an assigned id to a feature that brought its own, and rejects a key given twice', async () => {
    const next = withStore((s) => s.nextId('roads'));
    const line = (properties: Record<string, unknown>, dx: number): Feature => ({
      type: 'Feature',
      properties,
      geometry: { type: 'LineString', coordinates: [[INSIDE[0] + dx, INSIDE[1]], [INSIDE[0] + dx + 0.001, INSIDE[1]]] },
    });
    const path = file('ids.geojson', collection([line({ name: '甲路' }, 0), line({ name: '乙路', id: next + 1 }, 0.001), line({ name: '丙路' }, 0.002)]));
    const result = await runCli(['import', path, '--layer', 'roads', '--db', db]);
    expect(result.code).toBe(0);
    const names = withStore((s) => [...s.iterate('roads')].filter((r) => r.id >= next).map((r) => r.name));
    expect(names.sort()).toEqual(['丙路', '乙路', '甲路']);
    const twice = file('twice.geojson', collection([line({ name: '丁路', id: next + 10 }, 0), line({ name: '戊路', id: next + 10 }, 0.001)]));
    const rejected = await runCli(['import', twice, '--layer', 'roads', '--db', db]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/feature 2: id \d+ appears twice in this import \(first at feature 1\)/);
  });

  it('rejects bad grid codes given on components and houses', async () => {
    const path = file('badcodes.geojson', collection([point(INSIDE[0], INSIDE[1], { major: '01', minor: '18', dept_main: 'x', unit_grid_code: 'zzz' })]));
    const result = await runCli(['import', path, '--layer', 'components', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/feature 1: unit_grid_code: /);
  });

  it('refuses a bad command line with usage errors', async () => {
    expect((await runCli(['import', '--layer', 'components', '--db', db])).code).toBe(2);
    expect((await runCli(['import', 'x.geojson', '--layer', 'trees', '--db', db])).stderr).toMatch(/--layer must be one of areas, grids/);
    const crs = await runCli(['import', file('one.geojson', collection([])), '--layer', 'roads', '--crs', 'EPSG:9999', '--db', db]);
    expect(crs.code).not.toBe(0);
    expect(crs.stderr).toMatch(/EPSG:9999/);
    const date = await runCli(['import', file('two.geojson', collection([])), '--layer', 'grids', '--date', 'banana', '--db', db]);
    expect(date.code).toBe(2);
    expect(date.stderr).toMatch(/--date must be a date/);
    const unwritable = await runCli(['export', '--layer', 'roads', '-o', join(dir, 'missing-folder', 'x.geojson'), '--db', db]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/cannot write/);
  });
});

describe('wangge export', () => {
  it('round-trips every layer through CSV and GeoJSON into an empty database', async () => {
    const target = join(dir, 'copy.db');
    for (const layer of ['areas', 'grids', 'roads', 'houses', 'addresses'] as const) {
      const format = layer === 'grids' ? 'csv' : 'geojson';
      const out = join(dir, `${layer}.${format}`);
      const exported = await runCli(['export', '--layer', layer, '--format', format, '-o', out, '--db', db]);
      expect(exported.code).toBe(0);
      const imported = await runCli(['import', out, '--layer', layer, '--db', target]);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
    }
    const original = withStore((s) => s.counts());
    const copy = Store.open(target, { readonly: true });
    try {
      const counts = copy.counts();
      expect(counts).toEqual({ ...original, components: 0 });
      const grid = copy.getGrid('unit', '110101001001001')!;
      expect(grid).toEqual(withStore((s) => s.getGrid('unit', '110101001001001')));
    } finally {
      copy.close();
    }
    expect(existsSync(target)).toBe(true);
  });
});

describe('named places (pois) and aliases', () => {
  it('gives an imported place its grids and reads its aliases from a list or from separated text', async () => {
    const [x, y] = INSIDE;
    const d = 0.0002;
    const path = file('places.geojson', collection([
      point(x, y, { name: '试验小学', type: '学校', aliases: '试验校|试小、试验学校；试小' }),
      {
        type: 'Feature',
        properties: { name: '试验公园', category: '公园', aliases: ['试园', '试验公园'], address: '北京市东城区试验路1号' },
        geometry: { type: 'MultiPolygon', coordinates: [[[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]] },
      },
    ]));
    const result = await runCli(['import', path, '--layer', 'pois', '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/imported 2 of 2 pois/);
    withStore((store) => {
      const reverse = ReverseGeocoder.fromStore(store);
      const places = [...store.iterate('pois')];
      const school = places.find((p) => p.name === '试验小学')!;
      expect(school).toMatchObject({ category: '学校', aliases: ['试验校', '试小', '试验学校'], address: null });
      expect(school.unitGridCode).toBe(reverse.resolve(x, y).unitGrid?.code);
      expect(school.socialStaticCode).toBe(reverse.resolve(x, y).socialGrid?.staticCode);
      const park = places.find((p) => p.name === '试验公园')!;
      // its own name is not one of its other names
      expect(park).toMatchObject({ aliases: ['试园'], address: '北京市东城区试验路1号', geometry: { type: 'MultiPolygon' } });
      expect(park.unitGridCode).toBe(reverse.resolve(x + d / 2, y + d / 2).unitGrid?.code);
      expect(park.id).toBe(school.id + 1);
    });
  });

  it('refuses bad places and aliases, naming the line and what is wrong, and writes none of them', async () => {
    const digest = withStore((s) => s.contentDigest());
    const places = file('bad-places.csv', ['name,category,aliases,lng,lat', ',学校,,116.41,39.93', '试验,,,116.41,39.93', '试验,学校,甲|乙,116.41,39.93'].join('\n'));
    const placeResult = await runCli(['import', places, '--layer', 'pois', '--db', db]);
    expect(placeResult.code).toBe(1);
    expect(placeResult.stderr).toMatch(/line 2: name is required/);
    expect(placeResult.stderr).toMatch(/line 3: category is required \(or type\)/);
    expect(placeResult.stderr).not.toMatch(/line 4/);

    const aliases = file('bad-aliases.csv', [
      'alias,level,canonical,code,valid_from,valid_to,note',
      '崇文区,province,东城区,110101,,2010-07-01,',
      '崇文区,district,,110101,,,',
      '崇文区,district,东城区,11010,,,',
      '崇文区,district,东城区,110101,2010-07-01,2009-01-01,',
      '崇文区,district,东城区,110101,,2010-13-01,',
      '崇外,street,崇文门外街道,110101,,,',
      '崇外大街,road,崇文门外大街,110101012,,,',
      '崇文,district,东城区,110101,,2010-07-01,"the bare name, as in 原崇文"',
    ].join('\n'));
    const aliasResult = await runCli(['import', aliases, '--layer', 'aliases', '--db', db]);
    expect(aliasResult.code).toBe(1);
    const lines = aliasResult.stderr.split('\n');
    const at = (n: number): string => lines.find((l) => l.startsWith(`line ${n}: `)) ?? `(nothing at line ${n})`;
    expect(at(2)).toMatch(/level "province" must be one of district, street, community, road/);
    expect(at(3)).toMatch(/canonical is required/);
    expect(at(4)).toMatch(/code: .*11010/);
    expect(at(5)).toMatch(/valid_to 2009-01-01 must be after valid_from 2010-07-01/);
    expect(at(6)).toMatch(/valid_to "2010-13-01" is not a date/);
    expect(at(7)).toMatch(/code 110101 is a district code, but level is street/);
    expect(at(8)).toMatch(/a road alias has no code/);
    expect(at(9)).toMatch(/nothing at line 9/);
    expect(aliasResult.stderr).toMatch(/7 of 8 features are invalid; nothing was imported/);

    const located = file('located-alias.geojson', collection([point(116.41, 39.93, { alias: '崇文区', level: 'district', canonical: '东城区' })]));
    const locatedResult = await runCli(['import', located, '--layer', 'aliases', '--db', db]);
    expect(locatedResult.stderr).toMatch(/feature 1: geometry: aliases have no geometry/);
    expect(withStore((s) => s.contentDigest())).toBe(digest);
  });

  it('imports aliases from CSV without coordinates and from GeoJSON with geometry null', async () => {
    const before = withStore((s) => s.nextId('aliases'));
    const csv = file('aliases.csv', 'alias,level,canonical,code,valid_to\n试验旧区,district,东城区,110101,20100701\n');
    expect((await runCli(['import', csv, '--layer', 'aliases', '--db', db])).code).toBe(0);
    const geojson = file('aliases.geojson', collection([{ type: 'Feature', properties: { alias: '试验路口', level: 'road', canonical: '试验路' }, geometry: null } as unknown as Feature]));
    expect((await runCli(['import', geojson, '--layer', 'aliases', '--db', db])).code).toBe(0);
    withStore((store) => {
      const added = [...store.iterate('aliases')].filter((a) => a.id >= before);
      expect(added).toEqual([
        { id: before, alias: '试验旧区', level: 'district', canonical: '东城区', code: '110101', validFrom: null, validTo: '2010-07-01', note: null },
        { id: before + 1, alias: '试验路口', level: 'road', canonical: '试验路', code: null, validFrom: null, validTo: null, note: null },
      ]);
    });
  });

  it('round-trips places and aliases through GeoJSON, NDJSON and CSV into an empty database', async () => {
    const original = withStore((s) => ({ pois: [...s.iterate('pois')], aliases: [...s.iterate('aliases')] }));
    expect(original.pois.length).toBeGreaterThan(500);
    expect(original.aliases.some((a) => a.alias === '崇文区')).toBe(true);
    for (const format of FEATURE_FORMATS) {
      const target = join(dir, `places-${format}.db`);
      for (const layer of ['pois', 'aliases'] as const) {
        const out = join(dir, `${layer}-export.${format}`);
        const exported = await runCli(['export', '--layer', layer, '--format', format, '-o', out, '--db', db]);
        expect(exported.code, `${layer} ${format}`).toBe(0);
        const imported = await runCli(['import', out, '--layer', layer, '--db', target]);
        expect(imported.stderr, `${layer} ${format}`).toBe('');
      }
      const copy = Store.open(target, { readonly: true });
      try {
        expect([...copy.iterate('pois')], format).toEqual(original.pois);
        expect([...copy.iterate('aliases')], format).toEqual(original.aliases);
      } finally {
        copy.close();
      }
    }
    expect(readFileSync(join(dir, 'aliases-export.csv'), 'utf8').split('\n')[0]).toBe('id,alias,level,canonical,code,valid_from,valid_to,note');
  });
});

describe.skipIf(!hasRealData)('real Dongcheng outlines (../shared/data/real)', () => {
  it('imports the WGS84 streets and the GCJ-02 boundaries, which agree within 2 m after conversion', async () => {
    const wgsDb = join(dir, 'real-wgs.db');
    const gcjDb = join(dir, 'real-gcj.db');
    const wgs = await runCli(['import', realDataPath('dongcheng_streets.geojson'), '--layer', 'areas', '--db', wgsDb]);
    expect(wgs.stderr).toBe('');
    expect(wgs.code).toBe(0);
    const gcj = await runCli(['import', realDataPath('dongcheng_boundaries_gcj02.geojson'), '--layer', 'areas', '--crs', 'gcj02', '--db', gcjDb]);
    expect(gcj.stderr).toBe('');
    expect(gcj.code).toBe(0);
    const a = Store.open(wgsDb, { readonly: true });
    const b = Store.open(gcjDb, { readonly: true });
    try {
      expect(a.counts().streets).toBe(17);
      expect(b.getArea('110101')?.level).toBe('district');
      let worst = 0;
      for (const street of a.iterate('areas')) {
        const other = b.getArea(street.code)!;
        const ringA = (street.geometry as Polygon).coordinates[0]!;
        const ringB = (other.geometry as Polygon).coordinates[0]!;
        expect(ringB.length).toBe(ringA.length);
        ringA.forEach((p, k) => {
          const q = ringB[k]!;
          worst = Math.max(worst, metresBetween(p, q));
        });
      }
      expect(worst).toBeLessThan(2);
    } finally {
      a.close();
      b.close();
    }
  });
});
