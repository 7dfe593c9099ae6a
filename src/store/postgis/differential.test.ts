import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveChild, type ServedChild } from '../../cli/test-helpers/serve-child.js';
import { geometryBBox } from '../../geo/bbox.js';
import { noisyAddresses } from '../../geocode/test-helpers/address-noise.js';
import type { GeneratedDistrict } from '../../ingest/generate/district.js';
import { LAYERS } from '../../model.js';
import { districtDatabase, testPostgres } from '../../test-helpers/postgres.js';
import { seededRandom } from '../../test-helpers/seeded-random.js';
import { generatedDistricts } from '../build-district.js';
import { Store } from '../store.js';
import { copyPostgisToFile } from './replica.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

// issue 10's differential test: one generated district in SQLite and in PostGIS, each served by
// a real `wangge serve` (the second with --store postgres://…), asked the same questions
describe.skipIf(!testPostgres)('the same district in SQLite and in PostGIS answers identically', () => {
  let dir: string;
  let drop: () => Promise<void>;
  let url: string;
  let district: GeneratedDistrict;
  let sqlite: ServedChild;
  let postgis: ServedChild;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wangge-differential-'));
    ({ url, drop } = await districtDatabase('differential'));
    defaultDistrictAt(join(dir, 'district.db'));
    district = [...generatedDistricts().districts][0]!;
    [sqlite, postgis] = await Promise.all([serveChild(['--db', join(dir, 'district.db')], { timeoutMs: 120_000 }), serveChild(['--store', url], { timeoutMs: 120_000 })]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([sqlite?.stop(), postgis?.stop()]);
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same request to both servers: status, content type and body bytes of each (a problem's request id aside, which is new per request). */
  async function both(path: string, init?: RequestInit): Promise<[string, string]> {
    const answers = await Promise.all(
      [sqlite, postgis].map(async (server) => {
        const res = await fetch(server.url + path, init);
        const type = res.headers.get('content-type') ?? '';
        const bytes = Buffer.from(await res.arrayBuffer());
        const body = type.includes('problem+json') ? JSON.stringify({ ...(JSON.parse(bytes.toString()) as object), request_id: undefined }) : bytes.toString('base64');
        return `${res.status} ${type}\n${body}`;
      }),
    );
    return answers as [string, string];
  }

  it('every record of every layer: the replica copy of PostGIS equals the SQLite file', async () => {
    const copy = join(dir, 'copy.db');
    await copyPostgisToFile(url, copy);
    const [a, b] = [Store.open(join(dir, 'district.db'), { readonly: true }), Store.open(copy, { readonly: true })];
    try {
      for (const layer of LAYERS) expect([...b.iterate(layer)], layer).toEqual([...a.iterate(layer)]);
      expect([...b.iterateGridVersions()]).toEqual([...a.iterateGridVersions()]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('10,000 random points (POST /v1/reverse) and 1,000 noisy addresses (POST /v1/geocode)', async () => {
    const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
    const random = seededRandom(101);
    const points = Array.from({ length: 10_000 }, () => [box.minX + random() * (box.maxX - box.minX), box.minY + random() * (box.maxY - box.minY)]);
    const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const [reverseA, reverseB] = await both('/v1/reverse', post({ points }));
    expect(reverseA).toMatch(/^200 /);
    expect(reverseB).toBe(reverseA);
    const addresses = noisyAddresses(district, 1_000, 202).map((a) => a.text);
    const [geocodeA, geocodeB] = await both('/v1/geocode', post({ addresses }));
    expect(geocodeA).toMatch(/^200 /);
    expect(geocodeB).toBe(geocodeA);
  });

  // every record is compared above; over HTTP, each kind of lookup on a sample
  it('feature lookups: every area, and 300 each of unit grids, social grids, components, houses and door plates', async () => {
    const random = seededRandom(303);
    const sample = <T>(items: T[], n: number) => Array.from({ length: n }, () => items[Math.floor(random() * items.length)]!);
    const paths = [
      ...district.areas.map((a) => `/v1/areas/${a.code}`),
      ...sample(district.grids.filter((g) => g.validTo === null && g.scheme === 'unit'), 300).map((g) => `/v1/grids/${g.code}`),
      ...sample(district.grids.filter((g) => g.validTo === null && g.scheme === 'social'), 300).map((g) => `/v1/grids/${g.code}`),
      ...sample(district.components, 300).map((c) => `/v1/components/${c.code}`),
      ...sample(district.houses, 300).map((h) => `/v1/houses/${h.id}`),
      ...sample(district.addresses, 300).map((a) => `/v1/addresses/${a.id}`),
      '/v1/houses/999999999',
    ];
    for (const path of paths) {
      const [a, b] = await both(path);
      expect(b, path).toBe(a);
    }
  });

  it('tile bytes of every source at z12–z18, 20 tiles a zoom around random points in the district', async () => {
    const catalog = (await (await fetch(`${sqlite.url}/catalog`)).json()) as { tiles: Record<string, unknown> };
    const sources = Object.keys(catalog.tiles);
    expect(sources.length).toBeGreaterThan(0);
    const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
    const random = seededRandom(404);
    let withData = 0;
    for (let z = 12; z <= 18; z++) {
      for (let k = 0; k < 20; k++) {
        const lng = box.minX + random() * (box.maxX - box.minX);
        const lat = box.minY + random() * (box.maxY - box.minY);
        const x = Math.floor(((lng + 180) / 360) * 2 ** z);
        const y = Math.floor(((1 - Math.asinh(Math.tan((lat * Math.PI) / 180)) / Math.PI) / 2) * 2 ** z);
        for (const source of sources) {
          const [a, b] = await both(`/tiles/${source}/${z}/${x}/${y}`);
          expect(b, `${source} ${z}/${x}/${y}`).toBe(a);
          if (a.startsWith('200 ')) withData++;
        }
      }
    }
    expect(withData).toBeGreaterThan(100);
  });
});
