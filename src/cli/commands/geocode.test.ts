import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForwardGeocoder } from '../../geocode/forward.js';
import { ReverseGeocoder } from '../../geocode/reverse.js';
import { noisyAddresses } from '../../geocode/test-helpers/address-noise.js';
import { csvField, parseCsv } from '../../ingest/csv.js';
import type { Address, House } from '../../model.js';
import { Store } from '../../store/store.js';
import { runCli } from '../test-helpers/run-cli.js';
import { GEOCODE_COLUMNS } from './geocode.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

const run = promisify(execFile);
const BIN = new URL('../../../bin/wangge.js', import.meta.url).pathname;
const built = existsSync(new URL('../../../dist/cli/commands/geocode.js', import.meta.url));

let dir: string;
let db: string;
let houses: House[];
let plates: Map<number, Address>;
let reverse: ReverseGeocoder;
let forward: ForwardGeocoder;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-geocode-'));
  db = join(dir, 'dongcheng.db');
  defaultDistrictAt(db);
  const store = Store.open(db, { readonly: true });
  try {
    houses = [...store.iterate('houses')].filter((h) => h.address !== null);
    plates = new Map([...store.iterate('addresses')].map((a) => [a.houseId!, a]));
    reverse = ReverseGeocoder.fromStore(store);
    forward = ForwardGeocoder.fromStore(store, reverse);
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
const rowsOf = (text: string) => [...parseCsv(text)].map((r) => r.fields);

describe('wangge geocode, canonical addresses', () => {
  let input: string;
  let single: string;
  let stderr: string;

  beforeAll(async () => {
    input = file('houses.csv', `id,address,note\n${houses.map((h) => [h.id, h.address, `楼, "${h.id % 7}"`].map(csvField).join(',')).join('\n')}\n`);
    single = join(dir, 'houses.out.csv');
    const result = await runCli(['geocode', input, '-o', single, '--db', db]);
    expect(result.code).toBe(0);
    stderr = result.stderr;
  });

  it("places every house's canonical address at its door plate, with the plate's grids", () => {
    expect(stderr).toMatch(new RegExp(`^geocode: ${houses.length.toLocaleString('en')} rows \\(${houses.length.toLocaleString('en')} matched, 0 unmatched, 0 bad\\)`));
    const rows = rowsOf(readFileSync(single, 'utf8'));
    expect(rows[0]).toEqual(['id', 'address', 'note', ...GEOCODE_COLUMNS]);
    expect(rows.length).toBe(houses.length + 1);
    rows.slice(1).forEach((row, k) => {
      const house = houses[k]!;
      expect(row.slice(0, 3)).toEqual([String(house.id), house.address, `楼, "${house.id % 7}"`]);
      const [x, y] = plates.get(house.id)!.geometry.coordinates as [number, number];
      const [lng, lat, level, , unitGrid, socialStatic, , community, street] = row.slice(3);
      expect([Number(lng), Number(lat), level]).toEqual([x, y, 'door']);
      const at = reverse.resolve(x, y);
      expect([unitGrid, socialStatic, community, street]).toEqual([at.unitGrid!.code, at.socialGrid!.staticCode, at.community!.code, at.street!.code]);
      expect(unitGrid).toBe(house.unitGridCode);
    });
  });

});

describe('wangge geocode --threads 2 (the built binary)', () => {
  it.skipIf(!built)('writes byte for byte what one thread writes, with both threads taking blocks', async () => {
    // ~1.6 MB, six blocks: the worker is kept three ahead, so this thread takes some too;
    // noisy spellings (each twice: the second from the cache), unknown places, bad rows, "" escapes
    const store = Store.open(db, { readonly: true });
    const district = { areas: [...store.iterate('areas')], houses: [...store.iterate('houses')], addresses: [...store.iterate('addresses')] };
    store.close();
    const noisy = noisyAddresses(district, 12_000, 9).map((n) => n.text);
    const lines = noisy.flatMap((text, k) => {
      const row = [`${k},${csvField(text)}`, `${k}b,${csvField(text)}`];
      if (k % 997 === 0) row.push(`${k}c,`, `${k}d,${csvField(text)},extra`, `${k}e,"火星""基地""一号"`, '');
      return row;
    });
    const input = file('threads.csv', `id,address\r\n${lines.join('\r\n')}\r\n`);
    const outputs: { bytes: Buffer; stderr: string }[] = [];
    for (const threads of ['1', '2']) {
      const out = join(dir, `threads.${threads}.csv`);
      // (with a V8 flag, which the workers inherit: a flag list given to a worker may not hold one)
      const { stderr } = await run(process.execPath, ['--max-semi-space-size=32', BIN, 'geocode', input, '-o', out, '--threads', threads, '--db', db]);
      outputs.push({ bytes: readFileSync(out), stderr });
    }
    const [one, two] = outputs;
    expect(one!.stderr).toMatch(/^line 4: empty address\nline 5: has 3 fields, the header has 2\n/);
    expect(two!.stderr).toMatch(/rows\/s on 2 threads\n$/);
    expect(two!.stderr.replace(/ in .*/s, '')).toBe(one!.stderr.replace(/ in .*/s, ''));
    expect(one!.bytes.length).toBeGreaterThan(1_000_000);
    expect(two!.bytes.equals(one!.bytes)).toBe(true);
  });
});

describe('wangge geocode', () => {
  it('answers as ForwardGeocoder.geocode does for variants, and leaves unknown places empty', async () => {
    const sample = houses.filter((_, k) => k % 500 === 0);
    const queries = [
      ...sample.map((h) => h.address!.replace(/^北京市东城区/, '')),
      ...sample.map((h) => `${plates.get(h.id)!.road}${(h.id % 40) + 1}号`),
      // spellings the matcher relaxes, so that matched_road and edits say something
      ...sample.map((h) => `${plates.get(h.id)!.road.replace(/(胡同|大街|街)$/, '')}${plates.get(h.id)!.number}号`),
      '火星基地一号',
    ];
    // each query twice: the second answer comes from the cache
    const doubled = queries.flatMap((q) => [q, q]);
    const out = join(dir, 'variants.out.csv');
    const result = await runCli(['geocode', file('variants.csv', `address\n${doubled.map(csvField).join('\n')}\n`), '-o', out, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/ 0 bad\)/);
    const rows = rowsOf(readFileSync(out, 'utf8'));
    expect(rows[0]).toEqual(['address', ...GEOCODE_COLUMNS]);
    rows.slice(1).forEach((row, k) => {
      const best = forward.geocode(doubled[k]!, { limit: 1 })[0];
      const m = best?.matched;
      const expected = best
        ? [best.lng, best.lat, best.level, best.score, best.unitGrid?.code, best.socialGrid?.staticCode, best.socialGrid?.dynamicCode, best.community?.code, best.street?.code, m!.road, m!.number, m!.poi, m!.alias, m!.edits.join('|')].map((v) =>
            v === undefined || v === null ? '' : String(v),
          )
        : GEOCODE_COLUMNS.map(() => '');
      expect(row).toEqual([doubled[k], ...expected]);
    });
    // the relaxed spellings are explained
    expect(rows.some((row) => row[row.length - 1] !== '')).toBe(true);
  });

  it('reports empty addresses and wrong field counts by line, carries on, and exits 1 with --strict', async () => {
    const good = houses[0]!.address!;
    const path = file('bad.csv', `id,address\n1,${good}\n2,\n3,"  "\n4,${good},extra\n\n5,${good}\n`);
    const out = join(dir, 'bad.out.csv');
    const result = await runCli(['geocode', path, '-o', out, '--strict', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'line 3: empty address',
      'line 4: empty address',
      'line 5: has 3 fields, the header has 2',
      expect.stringMatching(/^geocode: 5 rows \(2 matched, 0 unmatched, 3 bad\)/),
      'error: 3 bad rows (--strict)',
    ]);
    expect(rowsOf(readFileSync(out, 'utf8')).map((r) => r[0])).toEqual(['id', '1', '5']);
    expect((await runCli(['geocode', file('noaddr.csv', 'a,b\n1,2\n'), '--db', db])).stderr).toMatch(/no address column/);
    expect((await runCli(['geocode', path, '--format', 'geojson', '--db', db])).code).toBe(2);
  });

  it('adds the properties to NDJSON records, and a Point to features without geometry', async () => {
    const house = houses[3]!;
    const [x, y] = plates.get(house.id)!.geometry.coordinates as [number, number];
    const input = [
      JSON.stringify({ id: 1, 地址: house.address }),
      JSON.stringify({ type: 'Feature', properties: { address: house.address }, geometry: null }),
      JSON.stringify({ id: 3 }),
    ].join('\n');
    const out = join(dir, 'addresses.out.ndjson');
    const result = await runCli(['geocode', file('addresses.ndjson', input), '-o', out, '--db', db]);
    expect(result.stderr).toMatch(/^line 3: has no address property/);
    const [plain, feature] = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(plain).toMatchObject({ id: 1, lng: x, lat: y, level: 'door', unit_grid: house.unitGridCode, social_static: house.socialStaticCode, edits: '' });
    expect(Object.keys(plain!)).toEqual(['id', '地址', ...GEOCODE_COLUMNS]);
    expect(feature).toMatchObject({ properties: { lng: x, lat: y, level: 'door' }, geometry: { type: 'Point', coordinates: [x, y] } });
  });
});
