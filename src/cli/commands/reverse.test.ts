import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geometryBBox } from '../../geo/bbox.js';
import { fromWgs84, parseCrs, toWgs84 } from '../../geo/crs.js';
import { ReverseGeocoder, type Resolution } from '../../geocode/reverse.js';
import { csvField, parseCsv } from '../../ingest/csv.js';
import { Store } from '../../store/store.js';
import { runCli } from '../test-helpers/run-cli.js';
import { REVERSE_COLUMNS } from './reverse.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/wangge.js', import.meta.url).pathname;
const built = existsSync(new URL('../../../dist/cli/commands/reverse.js', import.meta.url));

let dir: string;
let db: string;
let reverse: ReverseGeocoder;
let box: { minX: number; minY: number; maxX: number; maxY: number };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-reverse-'));
  db = join(dir, 'dongcheng.db');
  defaultDistrictAt(db);
  const store = Store.open(db, { readonly: true });
  try {
    reverse = ReverseGeocoder.fromStore(store);
    box = geometryBBox([...store.iterate('areas')].find((a) => a.level === 'district')!.geometry);
  } finally {
    store.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const codes = (r: Resolution): (string | null)[] => [
  r.district?.code ?? null,
  r.street?.code ?? null,
  r.community?.code ?? null,
  r.unitGrid?.code ?? null,
  r.socialGrid?.staticCode ?? null,
  r.socialGrid?.dynamicCode ?? null,
];
const csvCodes = (r: Resolution): string[] => codes(r).map((c) => c ?? '');

/** Seeded points over the district's box and a margin around it (some fall outside), as 6-decimal text. */
function points(count: number, seed = 1): [string, string][] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const w = box.maxX - box.minX;
  const h = box.maxY - box.minY;
  return Array.from({ length: count }, () => [(box.minX - 0.05 * w + random() * 1.1 * w).toFixed(6), (box.minY - 0.05 * h + random() * 1.1 * h).toFixed(6)]);
}

/** A CSV with extra columns around lng/lat, quoted fields with commas, quotes and line breaks. */
function pointsCsv(count: number, seed = 1): string {
  const rows = points(count, seed).map(([lng, lat], k) => {
    const name = k % 5 === 0 ? `点 ${k}, "东"` : `p${k}`;
    const note = k % 11 === 0 ? `two\nlines ${k}` : '';
    return [String(k + 1), name, lng, lat, note].map(csvField).join(',');
  });
  return `id,name,lng,lat,note\n${rows.join('\n')}\n`;
}

const rowsOf = (text: string) => [...parseCsv(text)].map((r) => r.fields);

describe('wangge reverse (CSV)', () => {
  it('appends the codes ReverseGeocoder.resolve gives to every row, keeping the fields, quoting and order', async () => {
    const input = pointsCsv(3000);
    const out = join(dir, 'points.out.csv');
    const result = await runCli(['reverse', file('points.csv', input), '-o', out, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^reverse: 3,000 rows \(\d[\d,]* matched, \d[\d,]* unmatched, 0 bad\) in [\d.]+ s, [\d,]+ rows\/s$/);
    const text = readFileSync(out, 'utf8');
    // the input records are copied through byte for byte
    expect(text.split('\n')[0]).toBe(`id,name,lng,lat,note,${REVERSE_COLUMNS.join(',')}`);
    const inputRows = rowsOf(input);
    const outputRows = rowsOf(text);
    expect(outputRows.length).toBe(inputRows.length);
    let inside = 0;
    let outside = 0;
    outputRows.slice(1).forEach((row, k) => {
      const original = inputRows[k + 1]!;
      expect(row.slice(0, 5)).toEqual(original);
      const resolution = reverse.resolve(Number(original[2]), Number(original[3]));
      expect(row.slice(5)).toEqual(csvCodes(resolution));
      if (resolution.unitGrid === null) outside++;
      else inside++;
    });
    expect(inside).toBeGreaterThan(1000);
    expect(outside).toBeGreaterThan(50);
  });

  it('reports bad rows by line number, leaves them out and exits 0; --strict exits 1', async () => {
    const input = [
      'id,lng,lat,note',
      '1,116.41,39.93,ok',
      '2,abc,39.93,x',
      '3,116.41,39.93,"two',
      'lines"',
      '4,116.41,95,x',
      '',
      '5,116.41,39.93',
      '6,116.41,,x',
      '7,116.42,39.92,"""quoted"""',
      '8,116.42,39.92,"never closed',
    ].join('\r\n');
    const path = file('bad.csv', input);
    const out = join(dir, 'bad.out.csv');
    const result = await runCli(['reverse', path, '-o', out, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toEqual([
      'line 3: lng "abc" is not a number',
      'line 6: lng, lat = 116.41, 95 is outside -180..180, -90..90',
      'line 8: has 3 fields, the header has 4',
      'line 9: lat "" is not a number',
      'line 11: a quoted field is never closed',
      expect.stringMatching(/^reverse: 8 rows \(3 matched, 0 unmatched, 5 bad\) in /),
    ]);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows.map((r) => r[0])).toEqual(['id', '1', '3', '7']);
    expect(rows[2]![3]).toBe('two\r\nlines');
    expect(rows[3]![3]).toBe('"quoted"');

    const strict = await runCli(['reverse', path, '-o', out, '--strict', '--db', db]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/error: 5 bad rows \(--strict\)$/);
  });

  it('converts --crs input to WGS84 and reads other column names', async () => {
    const toGcj = fromWgs84(parseCrs('gcj02'));
    const fromGcj = toWgs84(parseCrs('gcj02'));
    const gcj = points(300, 2).map(([lng, lat]) => toGcj([Number(lng), Number(lat)]) as [number, number]);
    const path = file('gcj.csv', `经度,纬度\n${gcj.map(([x, y]) => `${x},${y}`).join('\n')}\n`);
    const out = join(dir, 'gcj.out.csv');
    expect((await runCli(['reverse', path, '-o', out, '--crs', 'gcj02', '--db', db])).code).toBe(0);
    rowsOf(readFileSync(out, 'utf8')).slice(1).forEach((row, k) => {
      const [x, y] = fromGcj(gcj[k]!) as [number, number];
      expect(row.slice(2)).toEqual(csvCodes(reverse.resolve(x, y)));
    });
    const named = file('named.csv', 'E,N\n116.4135,39.9305\n');
    expect((await runCli(['reverse', named, '-o', out, '--lng-column', 'E', '--lat-column', 'N', '--db', db])).code).toBe(0);
    expect(rowsOf(readFileSync(out, 'utf8'))[1]!.slice(2)).toEqual(csvCodes(reverse.resolve(116.4135, 39.9305)));
  });

  it('answers with the grid versions valid on --at', async () => {
    // a copy of the database with one social grid re-divided from 2028-03-01
    const history = join(dir, 'history.db');
    copyFileSync(db, history);
    const store = Store.open(history, { readonly: true });
    const social = store.getGrid('social', '1101010010011001')!;
    store.close();
    const redivision: FeatureCollection = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { scheme: 'social', code: social.code, dynamic_code: '202801', name: social.name, valid_from: '2028-03-01' }, geometry: social.geometry }],
    };
    expect((await runCli(['import', file('redivide.geojson', JSON.stringify(redivision)), '--layer', 'grids', '--db', history])).code).toBe(0);
    const ring = (social.geometry as Polygon).coordinates[0]!;
    const [x, y] = [ring.reduce((s, p) => s + p[0]!, 0) / ring.length, ring.reduce((s, p) => s + p[1]!, 0) / ring.length];
    const input = file('at.csv', `lng,lat\n${points(500, 3).map((p) => p.join(',')).join('\n')}\n${x},${y}\n`);
    const historic = (() => {
      const s = Store.open(history, { readonly: true });
      try {
        return ReverseGeocoder.fromStore(s);
      } finally {
        s.close();
      }
    })();
    const dynamicCodes = new Set<string>();
    for (const at of ['2027-01-01', undefined]) {
      const out = join(dir, `at-${at}.csv`);
      expect((await runCli(['reverse', input, '-o', out, ...(at ? ['--at', at] : []), '--db', history])).code).toBe(0);
      const rows = rowsOf(readFileSync(out, 'utf8')).slice(1);
      rows.forEach((row) => expect(row.slice(2)).toEqual(csvCodes(historic.resolve(Number(row[0]), Number(row[1]), at))));
      dynamicCodes.add(rows.at(-1)![7]!);
    }
    expect(dynamicCodes).toEqual(new Set(['202601', '202801']));
  });

  it('refuses a bad command line or input with a message', async () => {
    const path = file('plain.csv', 'a,b\n1,2\n');
    const noColumn = await runCli(['reverse', path, '--db', db]);
    expect(noColumn.code).toBe(1);
    expect(noColumn.stderr).toMatch(/no lng column .* the header has a, b/);
    expect((await runCli(['reverse', path, '--lng-column', 'a', '--lat-column', 'zz', '--db', db])).stderr).toMatch(/--lat-column zz: no such column/);
    expect((await runCli(['reverse', path, '--format', 'xml', '--db', db])).code).toBe(2);
    expect((await runCli(['reverse', path, '--at', '2026-13-01', '--db', db])).code).toBe(2);
    expect((await runCli(['reverse', path, '--crs', 'EPSG:9999', '--db', db])).code).toBe(2);
    expect((await runCli(['reverse', path, '--threads', '0', '--db', db])).code).toBe(2);
    expect((await runCli(['reverse', join(dir, 'missing.csv'), '--db', db])).stderr).toMatch(/missing\.csv: no such file/);
    expect((await runCli(['reverse', path, '--db', join(dir, 'missing.db')])).code).toBe(1);
    expect((await runCli(['reverse', '--help'])).stdout).toMatch(/--threads N/);
  });
});

describe('wangge reverse (NDJSON, GeoJSON)', () => {
  it('adds the codes as properties of NDJSON records: Point features, plain objects, features without geometry', async () => {
    const [[a, b], [c, d]] = points(2, 4).map(([x, y]) => [Number(x), Number(y)]) as [[number, number], [number, number]];
    const input = [
      JSON.stringify({ type: 'Feature', properties: { id: 1 }, geometry: { type: 'Point', coordinates: [a, b] } }),
      JSON.stringify({ id: 2, lng: c, lat: d }),
      '',
      '{"type": "Feature", "properties": {"id": 3, "lon": "116.4135", "lat": "39.9305"}, "geometry": null}',
      'not json',
      JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: [[a, b], [c, d]] } }),
      JSON.stringify({ type: 'Point', coordinates: [c, d] }),
    ].join('\n');
    const out = join(dir, 'points.out.ndjson');
    const result = await runCli(['reverse', file('points.ndjson', input), '-o', out, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^line 5: not valid JSON.*\nline 6: has a LineString geometry/);
    const records = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBe(4);
    const props = (k: number) => ((records[k]!.properties ?? records[k]) as Record<string, unknown>);
    const expected = (x: number, y: number) => Object.fromEntries(REVERSE_COLUMNS.map((column, k) => [column, codes(reverse.resolve(x, y))[k]]));
    expect(props(0)).toEqual({ id: 1, ...expected(a, b) });
    expect(props(1)).toEqual({ id: 2, lng: c, lat: d, ...expected(c, d) });
    expect(props(2)).toEqual({ id: 3, lon: '116.4135', lat: '39.9305', ...expected(116.4135, 39.9305) });
    expect(records[3]).toEqual({ type: 'Feature', properties: expected(c, d), geometry: { type: 'Point', coordinates: [c, d] } });
  });

  it('streams a pretty-printed FeatureCollection into one with the codes, reporting a bad feature by its line', async () => {
    const features: Feature<Point>[] = points(200, 5).map(([x, y], k) => ({ type: 'Feature', properties: { k }, geometry: { type: 'Point', coordinates: [Number(x), Number(y)] } }));
    features[7]!.geometry.coordinates = [500, 39.9];
    const text = JSON.stringify({ type: 'FeatureCollection', name: 'test', features }, null, 2);
    const badLine = text.split('\n').findIndex((line) => line.includes('500')) + 1;
    const out = join(dir, 'points.out.geojson');
    const result = await runCli(['reverse', file('points.geojson', text), '-o', out, '--db', db]);
    expect(result.code).toBe(0);
    const reported = Number(/^line (\d+): lng, lat = 500, 39.9 is outside/.exec(result.stderr)?.[1]);
    // the feature's opening brace: a few lines above its coordinates
    expect(badLine - reported).toBeGreaterThan(0);
    expect(badLine - reported).toBeLessThan(12);
    const collection = JSON.parse(readFileSync(out, 'utf8')) as FeatureCollection<Point>;
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features.map((f) => f.properties!.k)).toEqual(features.map((_, k) => k).filter((k) => k !== 7));
    for (const feature of collection.features) {
      const [x, y] = feature.geometry.coordinates as [number, number];
      expect(REVERSE_COLUMNS.map((c) => feature.properties![c])).toEqual(codes(reverse.resolve(x, y)));
    }
  });
});

describe('wangge reverse, large input', () => {
  let big: string;
  let single: string;

  beforeAll(async () => {
    // about 2 MB: several blocks
    big = file('big.csv', pointsCsv(50_000, 6));
    single = join(dir, 'big.single.csv');
    const result = await runCli(['reverse', big, '-o', single, '--threads', '1', '--db', db]);
    expect(result.code).toBe(0);
  });

  it('keeps every row in order across blocks', () => {
    const rows = rowsOf(readFileSync(single, 'utf8'));
    expect(rows.length).toBe(50_001);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(Array.from({ length: 50_000 }, (_, k) => k + 1));
    for (const row of rows.slice(1).filter((_, k) => k % 97 === 0)) expect(row.slice(5)).toEqual(csvCodes(reverse.resolve(Number(row[2]), Number(row[3]))));
  });

  it.skipIf(!built)('gives byte-identical output on worker threads (the built binary)', async () => {
    const out = join(dir, 'big.workers.csv');
    const { stderr } = await run(process.execPath, [BIN, 'reverse', big, '-o', out, '--threads', '2', '--db', db]);
    expect(stderr).toMatch(/reverse: 50,000 rows/);
    expect(readFileSync(out).equals(readFileSync(single))).toBe(true);
  });

  it.skipIf(!built)('reads standard input and writes standard output (the built binary)', async () => {
    const child = spawn(process.execPath, [BIN, 'reverse', '-', '--db', db]);
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdin.end(readFileSync(big));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toMatch(/reverse: 50,000 rows/);
    expect(code).toBe(0);
    expect(Buffer.concat(stdout).equals(readFileSync(single))).toBe(true);
  });
});
