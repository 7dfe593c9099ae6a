import { fc, test } from '@fast-check/vitest';
import type { FeatureCollection, Geometry, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../errors.js';
import { metresBetween } from '../test-helpers/distance.js';
import { hasRealData, readRealData } from '../test-helpers/real-data.js';
import { crsLabel, fromWgs84, parseCrs, toWgs84, transformGeometry } from './crs.js';
import { bd09ToWgs84, gcj02ToWgs84, wgs84ToBd09, wgs84ToGcj02 } from './gcj02.js';

// textbook series for the meridian arc length (mm-accurate), independent of proj4
function meridianArcGrs80(latDeg: number): number {
  const a = 6378137;
  const f = 1 / 298.257222101;
  const e2 = f * (2 - f);
  const e4 = e2 * e2;
  const e6 = e4 * e2;
  const phi = (latDeg * Math.PI) / 180;
  return (
    a *
    ((1 - e2 / 4 - (3 * e4) / 64 - (5 * e6) / 256) * phi -
      ((3 * e2) / 8 + (3 * e4) / 32 + (45 * e6) / 1024) * Math.sin(2 * phi) +
      ((15 * e4) / 256 + (45 * e6) / 1024) * Math.sin(4 * phi) -
      ((35 * e6) / 3072) * Math.sin(6 * phi))
  );
}

describe('parseCrs', () => {
  it('accepts the aliases in any case', () => {
    expect(parseCrs('wgs84').name).toBe('wgs84');
    expect(parseCrs('WGS84').name).toBe('wgs84');
    expect(parseCrs('CGCS2000').name).toBe('cgcs2000');
    expect(parseCrs('Gcj02').kind).toBe('gcj02');
    expect(parseCrs(' bd09 ').kind).toBe('bd09');
  });

  it('accepts EPSG codes with either prefix case', () => {
    expect(parseCrs('EPSG:4326')).toMatchObject({ name: 'EPSG:4326', kind: 'geographic' });
    expect(parseCrs('epsg:4490')).toMatchObject({ name: 'EPSG:4490', kind: 'geographic' });
    expect(parseCrs('epsg:3857')).toMatchObject({ name: 'EPSG:3857', kind: 'projected' });
  });

  it('defines EPSG:4527 as zone 39, CM 117°E, false easting 39 500 000', () => {
    const crs = parseCrs('EPSG:4527');
    expect(crs.proj4).toBe('+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=39500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsLabel(crs)).toBe('CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527)');
  });

  it('covers zones 25–45 (4513–4533) and CM 75°E–135°E (4534–4554)', () => {
    expect(parseCrs('EPSG:4513').proj4).toContain('+lon_0=75 +k=1 +x_0=25500000 ');
    expect(parseCrs('EPSG:4533').proj4).toContain('+lon_0=135 +k=1 +x_0=45500000 ');
    expect(parseCrs('EPSG:4534').proj4).toContain('+lon_0=75 +k=1 +x_0=500000 ');
    expect(parseCrs('EPSG:4548').proj4).toContain('+lon_0=117 +k=1 +x_0=500000 ');
    expect(parseCrs('EPSG:4554').proj4).toContain('+lon_0=135 +k=1 +x_0=500000 ');
    expect(crsLabel(parseCrs('EPSG:4548'))).toBe('CGCS2000 / 3-degree Gauss-Kruger CM 117E (EPSG:4548)');
  });

  it.each(['EPSG:4512', 'EPSG:4555', 'EPSG:2000', 'EPSG:', 'EPSG:43x6', 'utm50', '', 'constructor', '__proto__'])(
    'rejects %j with InvalidRequestError listing what is accepted',
    (text) => {
      expect(() => parseCrs(text)).toThrow(InvalidRequestError);
      expect(() => parseCrs(text)).toThrow(/expected one of wgs84, cgcs2000, gcj02, bd09, EPSG:4326.*EPSG:4513–EPSG:4554/);
    },
  );
});

describe('crsLabel', () => {
  it('names every kind', () => {
    expect(crsLabel(parseCrs('wgs84'))).toBe('WGS 84');
    expect(crsLabel(parseCrs('EPSG:4326'))).toBe('WGS 84 (EPSG:4326)');
    expect(crsLabel(parseCrs('EPSG:4490'))).toBe('CGCS2000 (EPSG:4490)');
    expect(crsLabel(parseCrs('EPSG:3857'))).toBe('WGS 84 / Pseudo-Mercator (EPSG:3857)');
    expect(crsLabel(parseCrs('gcj02'))).toMatch(/^GCJ-02/);
    expect(crsLabel(parseCrs('bd09'))).toMatch(/^BD-09/);
  });
});

describe('EPSG:4527 (CGCS2000 3-degree Gauss-Kruger zone 39)', () => {
  const crs = parseCrs('EPSG:4527');
  const forward = fromWgs84(crs);
  const inverse = toWgs84(crs);

  it('maps the central meridian to the false easting exactly', () => {
    const [easting, northing] = forward([117, 40]);
    expect(easting).toBe(39500000);
    // on the central meridian (k=1) the northing is the GRS80 meridian arc from the equator
    expect(Math.abs(northing! - meridianArcGrs80(40))).toBeLessThan(0.001);
  });

  it('puts Tiananmen (~116.3975, 39.9087) west of the central meridian, in the 39 4xx xxx / 4 41x xxx range', () => {
    const [easting, northing] = forward([116.3975, 39.9087]);
    expect(easting).toBeGreaterThan(39400000);
    expect(easting).toBeLessThan(39500000);
    expect(northing).toBeGreaterThan(4410000);
    expect(northing).toBeLessThan(4420000);
  });

  test.prop([fc.double({ min: 115.5, max: 118.5, noNaN: true }), fc.double({ min: 20, max: 50, noNaN: true })])(
    'round-trips wgs84 → 4527 → wgs84 within 1e-8°',
    (lng, lat) => {
      const [bLng, bLat] = inverse(forward([lng, lat]));
      expect(Math.abs(bLng! - lng)).toBeLessThan(1e-8);
      expect(Math.abs(bLat! - lat)).toBeLessThan(1e-8);
    },
  );

  it('differs from the CM-only variant EPSG:4548 by exactly the zone prefix', () => {
    const withZone = forward([116.3975, 39.9087]);
    const withoutZone = fromWgs84(parseCrs('EPSG:4548'))([116.3975, 39.9087]);
    expect(withZone[0]! - withoutZone[0]!).toBeCloseTo(39000000, 6);
    expect(withZone[1]).toBe(withoutZone[1]);
  });
});

describe('EPSG:3857', () => {
  const forward = fromWgs84(parseCrs('EPSG:3857'));
  const inverse = toWgs84(parseCrs('EPSG:3857'));

  it('maps (0, 0) to the origin', () => {
    const [x, y] = forward([0, 0]);
    expect(x).toBe(0);
    expect(Math.abs(y!)).toBeLessThan(1e-6);
  });

  it('maps (180, 85.0511287798) to the square corner 20037508.34 m', () => {
    const [x, y] = forward([180, 85.0511287798]);
    expect(x).toBeCloseTo(20037508.342789244, 4);
    expect(y).toBeCloseTo(20037508.342789244, 1);
    const [lng, lat] = inverse([-20037508.342789244, -20037508.342789244]);
    expect(lng).toBeCloseTo(-180, 9);
    expect(lat).toBeCloseTo(-85.0511287798, 9);
  });
});

describe('geographic and offset CRSs', () => {
  it('passes wgs84, cgcs2000, 4326 and 4490 through as copies', () => {
    for (const name of ['wgs84', 'cgcs2000', 'EPSG:4326', 'EPSG:4490']) {
      const p = [116.3913, 39.9075];
      const out = toWgs84(parseCrs(name))(p);
      expect(out).toEqual(p);
      expect(out).not.toBe(p);
      expect(fromWgs84(parseCrs(name))(p)).toEqual(p);
    }
  });

  it('routes gcj02 and bd09 through gcj02.ts', () => {
    const p = [116.3913, 39.9075];
    expect(fromWgs84(parseCrs('gcj02'))(p)).toEqual(wgs84ToGcj02(p));
    expect(toWgs84(parseCrs('gcj02'))(p)).toEqual(gcj02ToWgs84(p));
    expect(fromWgs84(parseCrs('bd09'))(p)).toEqual(wgs84ToBd09(p));
    expect(toWgs84(parseCrs('bd09'))(p)).toEqual(bd09ToWgs84(p));
  });

  it('keeps an altitude through proj4', () => {
    const out = fromWgs84(parseCrs('EPSG:4527'))([117, 40, 52.5]);
    expect(out).toEqual([39500000, expect.any(Number), 52.5]);
  });
});

describe('transformGeometry', () => {
  const shift = (p: Position): Position => [p[0]! + 1, p[1]! + 2];

  it('converts every geometry type and returns new objects', () => {
    const geometries: Geometry[] = [
      { type: 'Point', coordinates: [0, 0] },
      { type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] },
      { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
      { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] },
      { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]] },
    ];
    const collection: Geometry = { type: 'GeometryCollection', geometries };
    for (const g of [...geometries, collection]) {
      const before = JSON.stringify(g);
      const out = transformGeometry(g, shift);
      expect(JSON.stringify(g)).toBe(before);
      expect(out.type).toBe(g.type);
      expect(out).not.toBe(g);
      expect(JSON.stringify(out)).toBe(JSON.stringify(g, (_key, value: unknown) => shiftLeaf(value)));
    }
  });

  it('drops a stale bbox', () => {
    const out = transformGeometry({ type: 'Point', coordinates: [0, 0], bbox: [0, 0, 0, 0] }, shift);
    expect(out).toEqual({ type: 'Point', coordinates: [1, 2] });
  });
});

// JSON.stringify replacer that applies `shift` to every [x, y] leaf
function shiftLeaf(value: unknown): unknown {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number') {
    return [value[0] + 1, (value[1] as number) + 2];
  }
  return value;
}

describe.skipIf(!hasRealData)('against the Dongcheng real data', () => {
  it('the 17 GCJ-02 street polygons convert onto dongcheng_streets.geojson within 2 m per vertex', () => {
    type Props = { name: string; code?: string; level?: string };
    const read = (file: string) => readRealData<FeatureCollection<Polygon, Props>>(file);
    const gcjStreets = read('dongcheng_boundaries_gcj02.geojson').features.filter(
      (f) => f.properties.level !== 'district',
    );
    const wgsStreets = read('dongcheng_streets.geojson').features;
    expect(gcjStreets).toHaveLength(17);
    const convert = toWgs84(parseCrs('gcj02'));
    let worst = 0;
    for (const gcj of gcjStreets) {
      const wgs = wgsStreets.find((f) =>
        gcj.properties.code ? f.properties.code === gcj.properties.code : f.properties.name === gcj.properties.name,
      );
      expect(wgs, gcj.properties.name).toBeDefined();
      const converted = transformGeometry(gcj.geometry, convert);
      expect(converted.coordinates.map((r) => r.length)).toEqual(wgs!.geometry.coordinates.map((r) => r.length));
      converted.coordinates.forEach((ring, r) =>
        ring.forEach((p, i) => {
          worst = Math.max(worst, metresBetween(p, wgs!.geometry.coordinates[r]![i]!));
        }),
      );
    }
    expect(worst).toBeLessThan(2);
  });
});
