import { fc, test } from '@fast-check/vitest';
import type { FeatureCollection, Point, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { metresBetween } from '../test-helpers/distance.js';
import { hasRealData, readRealData } from '../test-helpers/real-data.js';
import {
  bd09ToGcj02,
  bd09ToWgs84,
  gcj02ToBd09,
  gcj02ToWgs84,
  isInChinaBox,
  wgs84ToBd09,
  wgs84ToGcj02,
} from './gcj02.js';

// well inside the China box so that the ~0.01° offset never crosses its edge
const chinaPoint = fc.tuple(
  fc.double({ min: 73, max: 135, noNaN: true }),
  fc.double({ min: 1, max: 55, noNaN: true }),
);

describe('wgs84ToGcj02', () => {
  it('shifts the README reference point in Beijing by about +530 m east, +155 m north', () => {
    const [lng, lat] = wgs84ToGcj02([116.3913, 39.9075]);
    expect(lng).toBeCloseTo(116.39754, 5);
    expect(lat).toBeCloseTo(39.9089, 5);
    expect(Math.abs(lng! - 116.39754)).toBeLessThan(1e-5);
    expect(Math.abs(lat! - 39.9089)).toBeLessThan(1e-5);
  });

  it('is the identity outside the China box', () => {
    expect(wgs84ToGcj02([2.3522, 48.8566])).toEqual([2.3522, 48.8566]);
    expect(wgs84ToGcj02([-74.006, 40.7128])).toEqual([-74.006, 40.7128]);
    expect(wgs84ToGcj02([116.4, -10])).toEqual([116.4, -10]);
    expect(isInChinaBox(116.4, 39.9)).toBe(true);
    expect(isInChinaBox(139.7, 35.7)).toBe(false);
  });

  it('keeps an altitude', () => {
    const out = wgs84ToGcj02([116.3913, 39.9075, 44.5]);
    expect(out).toHaveLength(3);
    expect(out[2]).toBe(44.5);
  });

  it('does not mutate its input', () => {
    const p = [116.3913, 39.9075];
    wgs84ToGcj02(p);
    expect(p).toEqual([116.3913, 39.9075]);
  });
});

describe('gcj02ToWgs84', () => {
  it('inverts the reference point exactly, unlike the one-step approximation', () => {
    const [lng, lat] = gcj02ToWgs84(wgs84ToGcj02([116.3913, 39.9075]));
    expect(Math.abs(lng! - 116.3913)).toBeLessThan(1e-9);
    expect(Math.abs(lat! - 39.9075)).toBeLessThan(1e-9);
  });

  it('is the identity outside the China box', () => {
    expect(gcj02ToWgs84([151.2093, -33.8688])).toEqual([151.2093, -33.8688]);
  });

  test.prop([chinaPoint])('round-trips points in China within 1e-9°', ([lng, lat]) => {
    const [bLng, bLat] = gcj02ToWgs84(wgs84ToGcj02([lng, lat]));
    expect(Math.abs(bLng! - lng)).toBeLessThan(1e-9);
    expect(Math.abs(bLat! - lat)).toBeLessThan(1e-9);
  });

  test.prop([chinaPoint])('is a right inverse too: wgs84ToGcj02(gcj02ToWgs84(g)) = g', ([lng, lat]) => {
    const [bLng, bLat] = wgs84ToGcj02(gcj02ToWgs84([lng, lat]));
    expect(Math.abs(bLng! - lng)).toBeLessThan(1e-9);
    expect(Math.abs(bLat! - lat)).toBeLessThan(1e-9);
  });

  test.prop([chinaPoint])('moves points by less than 1 km', ([lng, lat]) => {
    expect(metresBetween([lng, lat], wgs84ToGcj02([lng, lat]))).toBeLessThan(1000);
  });
});

describe('BD-09', () => {
  it('offsets GCJ-02 by roughly +0.0065°, +0.006° in Beijing', () => {
    const [lng, lat] = gcj02ToBd09([116.404, 39.915]);
    expect(lng! - 116.404).toBeGreaterThan(0.005);
    expect(lng! - 116.404).toBeLessThan(0.008);
    expect(lat! - 39.915).toBeGreaterThan(0.005);
    expect(lat! - 39.915).toBeLessThan(0.008);
  });

  test.prop([chinaPoint])('gcj02 → bd09 → gcj02 round-trips within 1e-9°', ([lng, lat]) => {
    const [bLng, bLat] = bd09ToGcj02(gcj02ToBd09([lng, lat]));
    expect(Math.abs(bLng! - lng)).toBeLessThan(1e-9);
    expect(Math.abs(bLat! - lat)).toBeLessThan(1e-9);
  });

  test.prop([chinaPoint])('wgs84 → bd09 → wgs84 round-trips within 1e-9°', ([lng, lat]) => {
    const [bLng, bLat] = bd09ToWgs84(wgs84ToBd09([lng, lat]));
    expect(Math.abs(bLng! - lng)).toBeLessThan(1e-9);
    expect(Math.abs(bLat! - lat)).toBeLessThan(1e-9);
  });

  it('wgs84ToBd09 goes through GCJ-02', () => {
    const p = [116.3913, 39.9075];
    expect(wgs84ToBd09(p)).toEqual(gcj02ToBd09(wgs84ToGcj02(p)));
  });
});

describe.skipIf(!hasRealData)('against the Dongcheng real data (GCJ-02 originals kept in properties.gcj02)', () => {
  const files = ['dongcheng_parking.geojson', 'dongcheng_cultural_resources.geojson'];

  for (const file of files) {
    it(`${file}: every point matches its GCJ-02 original (forward < 0.5 m, inverse < 0.05 m)`, () => {
      const collection = readRealData<FeatureCollection<Point, { gcj02: Position }>>(file);
      expect(collection.features.length).toBeGreaterThan(1000);
      let worstForward = 0;
      let worstInverse = 0;
      for (const feature of collection.features) {
        const wgs = feature.geometry.coordinates;
        const gcj = feature.properties.gcj02;
        worstForward = Math.max(worstForward, metresBetween(wgs84ToGcj02(wgs), gcj));
        worstInverse = Math.max(worstInverse, metresBetween(gcj02ToWgs84(gcj), wgs));
      }
      expect(worstForward).toBeLessThan(0.5);
      expect(worstInverse).toBeLessThan(0.05);
    });
  }
});
