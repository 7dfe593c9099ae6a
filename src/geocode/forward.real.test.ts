import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Feature, FeatureCollection, Point } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCrs, toWgs84 } from '../geo/crs.js';
import { pointInPolygon } from '../geo/pip.js';
import { readFeatures } from '../ingest/read-features.js';
import type { AdminArea, Layer } from '../model.js';
import { importLayer } from '../store/import-layer.js';
import { Store } from '../store/store.js';
import { ForwardGeocoder } from './forward.js';
import { distanceM } from './nearest-address.js';
import { ReverseGeocoder } from './reverse.js';

// the public Dongcheng files (README there): read in place, never copied into the repo
const REAL_DATA = new URL('../../../shared/data/real/', import.meta.url);
const hasRealData = existsSync(fileURLToPath(REAL_DATA));
const read = (file: string): FeatureCollection => JSON.parse(readFileSync(new URL(file, REAL_DATA), 'utf8')) as FeatureCollection;

interface Sample {
  query: string;
  lng: number;
  lat: number;
  /** the road the record names, when it names one */
  road: string | null;
}

interface Report {
  records: number;
  /** records whose recorded point lies in a 街道 of the district */
  inside: number;
  rightStreet: number;
  withRoad: number;
  rightRoad: number;
  medianDistanceM: number;
  levels: Record<string, number>;
}

describe.skipIf(!hasRealData)('forward geocoding the real Dongcheng addresses (roads and 街道 only, no door plates)', () => {
  let dir: string;
  let store: Store;
  let geocoder: ForwardGeocoder;
  let streets: AdminArea[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wangge-forward-real-'));
    store = Store.open(join(dir, 'real.db'));
    const load = (layer: Layer, features: Feature[]) => {
      const report = importLayer(store, layer, readFeatures(JSON.stringify({ type: 'FeatureCollection', features }), 'geojson'), {
        toWgs84: toWgs84(parseCrs('wgs84')),
        skipInvalid: true,
        today: '2026-01-01',
        gridsAt: () => ({ unitGridCode: null, socialStaticCode: null }),
      });
      expect(report.invalid, layer).toEqual([]);
    };
    // the district outline with its code; streets under their official names (体育馆路街道)
    const district = read('dongcheng_district_boundary.geojson').features.map((f) => ({ ...f, properties: { code: '110101', level: 'district', name: '东城区' } }));
    const streetFeatures = read('dongcheng_streets.geojson').features.map((f) => ({
      ...f,
      properties: { code: f.properties!.code, level: 'street', name: f.properties!.name_official ?? f.properties!.name },
    }));
    load('areas', [...district, ...streetFeatures]);
    const roads = read('dongcheng_roads.geojson')
      .features.filter((f) => typeof f.properties?.name === 'string' && f.properties.name !== '')
      .map((f) => ({ ...f, properties: { name: f.properties!.name, kind: f.properties!.is_hutong ? 'hutong' : 'main' } }));
    load('roads', roads);
    geocoder = ForwardGeocoder.fromStore(store, ReverseGeocoder.fromStore(store));
    streets = [...store.iterate('areas')].filter((a) => a.level === 'street');
  });

  afterAll(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const streetAt = (lng: number, lat: number): string | null => streets.find((s) => pointInPolygon(lng, lat, s.geometry))?.name ?? null;

  function evaluate(samples: Sample[]): Report {
    const report: Report = { records: samples.length, inside: 0, rightStreet: 0, withRoad: 0, rightRoad: 0, medianDistanceM: NaN, levels: {} };
    const distances: number[] = [];
    for (const sample of samples) {
      const [best] = geocoder.geocode(sample.query, { limit: 1 });
      const level = best?.level ?? 'none';
      report.levels[level] = (report.levels[level] ?? 0) + 1;
      const truth = streetAt(sample.lng, sample.lat);
      if (truth !== null) {
        report.inside++;
        if (best?.street?.name === truth) report.rightStreet++;
      }
      if (sample.road !== null) {
        report.withRoad++;
        if (best?.level === 'road' && best.address.endsWith(sample.road)) report.rightRoad++;
      }
      if (best !== undefined) distances.push(distanceM(best.lng, best.lat, sample.lng, sample.lat));
    }
    distances.sort((a, b) => a - b);
    report.medianDistanceM = distances.length === 0 ? NaN : distances[Math.floor(distances.length / 2)]!;
    return report;
  }

  const show = (label: string, r: Report): void => {
    const share = (a: number, b: number) => (b === 0 ? 'n/a' : `${((a / b) * 100).toFixed(1)} % (${a}/${b})`);
    console.log(
      `${label}: ${r.records} addresses; right 街道 ${share(r.rightStreet, r.inside)} of those inside the district; ` +
        `right road ${share(r.rightRoad, r.withRoad)} of those naming one; median distance ${r.medianDistanceM.toFixed(0)} m; levels ${JSON.stringify(r.levels)}`,
    );
  };

  const samplesOf = (features: Feature[], query: (f: Feature) => unknown, road: (f: Feature) => unknown): Sample[] =>
    features
      .filter((f) => typeof query(f) === 'string' && query(f) !== '')
      .map((f) => {
        const [lng, lat] = (f.geometry as Point).coordinates as [number, number];
        const named = road(f);
        return { query: query(f) as string, lng, lat, road: typeof named === 'string' && named !== '' ? named : null };
      });

  it('places ≥ 90 % of the cultural resources (addresses naming their 街道) in the right 街道', () => {
    const features = read('dongcheng_cultural_resources.geojson').features.filter(
      (f) => f.properties?.in_district === true && f.properties.suspect_geocode_fallback !== true,
    );
    const cultural = evaluate(samplesOf(features, (f) => f.properties!.address, () => null));
    show('cultural resources', cultural);

    const parking = evaluate(samplesOf(read('dongcheng_parking.geojson').features, (f) => f.properties!.address, (f) => f.properties!.street_road));
    show('parking (short addresses, no 街道)', parking);
    const inside = cultural.inside + parking.inside;
    console.log(`both: right 街道 ${(((cultural.rightStreet + parking.rightStreet) / inside) * 100).toFixed(1)} % of ${inside} inside the district`);

    expect(cultural.inside).toBeGreaterThan(800);
    expect(cultural.rightStreet / cultural.inside).toBeGreaterThanOrEqual(0.9);
  });
});
