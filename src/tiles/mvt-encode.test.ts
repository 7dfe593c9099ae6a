import { describe, expect, it } from 'vitest';
import type { Component, House } from '../model.js';
import { decodeTile, ringArea } from './test-helpers/decode-tile.js';
import { EXTENT } from './layers.js';
import { encodeTile } from './mvt-encode.js';
import { latOf, lngOf, type TileCoord } from './tile-coords.js';
import { componentFeature, houseFeature } from './tile-features.js';
import { tileGeometry } from './tile-geometry.js';

const TILE: TileCoord = { z: 16, x: 53960, y: 24827 };

/** The lng/lat of a point given in this tile's coordinates (0..4096). */
function at(tx: number, ty: number): [number, number] {
  const n = 2 ** TILE.z;
  return [lngOf((TILE.x + tx / EXTENT) / n), latOf((TILE.y + ty / EXTENT) / n)];
}

/** A counter-clockwise (RFC 7946) lng/lat ring through tile-coordinate corners. */
function square(x0: number, y0: number, x1: number, y1: number): [number, number][] {
  // y grows southward in tiles, so (x0,y1) is the south-west corner
  return [at(x0, y1), at(x1, y1), at(x1, y0), at(x0, y0), at(x0, y1)];
}

function house(overrides: Partial<House> = {}): House {
  return {
    id: 7,
    geometry: { type: 'Polygon', coordinates: [square(100, 100, 1100, 1100), square(400, 400, 600, 600).reverse()] },
    floors: 6,
    floorsBelow: 1,
    heightM: 18.5,
    use: '住宅',
    yearBuilt: 1990,
    households: 24,
    address: '北京市东城区东华门街道多福巷社区多福巷12号',
    unitGridCode: '110101001001001',
    socialStaticCode: '1101010010010001',
    status: '在用',
    retiredOn: null,
    ...overrides,
  };
}

function encodeOne(name: string, feature: ReturnType<typeof houseFeature>) {
  const geometry = tileGeometry(feature, TILE);
  expect(geometry).not.toBeNull();
  return decodeTile(encodeTile([{ name, features: [{ id: feature.id, tags: feature.tags, geometry: geometry! }] }]));
}

describe('encodeTile + tileGeometry', () => {
  it('round-trips a house with a hole: version 2, extent 4096, id, typed attributes, exact corners', () => {
    const decoded = encodeOne('houses', houseFeature(house()));
    const layer = decoded.houses!;
    expect(layer.version).toBe(2);
    expect(layer.extent).toBe(4096);
    const [f] = layer.features;
    expect(f!.id).toBe(7);
    expect(f!.type).toBe(3);
    expect(f!.properties).toEqual({
      height: 18.5,
      min_height: 0,
      render_height: 18.5,
      render_min_height: 0,
      floors: 6,
      floors_below: 1,
      use: '住宅',
      address: '北京市东城区东华门街道多福巷社区多福巷12号',
      unit_grid: '110101001001001',
      social_static: '1101010010010001',
    });
    const [outer, hole] = f!.geometry;
    expect(new Set(outer!.map((p) => p.join()))).toEqual(new Set(['100,100', '1100,100', '1100,1100', '100,1100']));
    expect(new Set(hole!.map((p) => p.join()))).toEqual(new Set(['400,400', '600,400', '600,600', '400,600']));
    // MVT 2.1 §4.3.4.4: exterior clockwise on screen (positive area with y down), holes the other way
    expect(ringArea(outer!)).toBeGreaterThan(0);
    expect(ringArea(hole!)).toBeLessThan(0);
  });

  it('rewinds rings given with the wrong orientation', () => {
    const wrong = house({ geometry: { type: 'Polygon', coordinates: [square(100, 100, 1100, 1100).reverse()] } });
    const [f] = encodeOne('houses', houseFeature(wrong)).houses!.features;
    expect(ringArea(f!.geometry[0]!)).toBeGreaterThan(0);
  });

  it('clips a polygon at the tile buffer (64) and drops rings that collapse', () => {
    const big = house({ geometry: { type: 'Polygon', coordinates: [square(-3000, 2000, 3000, 9000)] } });
    const [f] = encodeOne('houses', houseFeature(big)).houses!.features;
    for (const [x, y] of f!.geometry[0]!) {
      expect(x).toBeGreaterThanOrEqual(-64);
      expect(x).toBeLessThanOrEqual(4096 + 64);
      expect(y).toBeLessThanOrEqual(4096 + 64);
    }
    // a sliver narrower than half a tile unit rounds to nothing
    const sliver = house({ geometry: { type: 'Polygon', coordinates: [square(100, 100, 100.2, 900)] } });
    expect(tileGeometry(houseFeature(sliver), TILE)).toBeNull();
    const outside = house({ geometry: { type: 'Polygon', coordinates: [square(5000, 5000, 6000, 6000)] } });
    expect(tileGeometry(houseFeature(outside), TILE)).toBeNull();
  });

  it('encodes points and lines with ids from their codes and deduplicated keys and values', () => {
    const component = (code: string, geometry: Component['geometry']): Component => ({
      code,
      major: '01',
      minor: '01',
      name: '上水井盖',
      status: '完好',
      deptMain: '自来水集团',
      deptOwner: null,
      deptMaintain: null,
      initialDate: '2024-01-01',
      changeDate: null,
      dataSource: null,
      geometry,
      unitGridCode: null,
    });
    const a = componentFeature(component('1101010101000001', { type: 'Point', coordinates: at(10, 20) }));
    const b = componentFeature(component('1101010101000002', { type: 'LineString', coordinates: [at(-500, 50), at(2000, 50), at(2000, 5000)] }));
    const features = [a, b].map((f) => ({ id: f.id, tags: f.tags, geometry: tileGeometry(f, TILE)! }));
    const decoded = decodeTile(encodeTile([{ name: 'components', features }])).components!.features;
    expect(decoded.map((f) => f.id)).toEqual([1101010101000001, 1101010101000002]);
    expect(decoded[0]!.geometry).toEqual([[[10, 20]]]);
    expect(decoded[0]!.properties).toMatchObject({ code: '1101010101000001', class: '上水井盖', major: '01', status: '完好' });
    expect(decoded[1]!.type).toBe(2);
    expect(decoded[1]!.geometry).toEqual([
      [
        [-64, 50],
        [2000, 50],
        [2000, 4160],
      ],
    ]);
  });

  it('leaves empty layers out and keeps string "1" apart from number 1', () => {
    const geometry = { type: 1 as const, parts: [[5, 5]] };
    const bytes = encodeTile([
      { name: 'empty', features: [] },
      { name: 'values', features: [{ id: 1, tags: { a: '1', b: 1, c: -2, d: 2.5 }, geometry }] },
    ]);
    const decoded = decodeTile(bytes);
    expect(Object.keys(decoded)).toEqual(['values']);
    expect(decoded.values!.features[0]!.properties).toEqual({ a: '1', b: 1, c: -2, d: 2.5 });
  });
});
