import type { MultiPolygon, Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pointInPolygon } from '../geo/pip.js';
import { changesSince, lastChangeSeq } from '../store/changes.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { areaLabel, gridLabel, labelPoint } from './labels.js';
import { EXTENT, LABEL_MINZOOMS, TILE_SOURCES } from './layers.js';
import { decodeTile } from './test-helpers/decode-tile.js';
import { latOf, lngOf, worldX, worldY, type TileCoord } from './tile-coords.js';
import type { TileFeature } from './tile-features.js';
import { TileService } from './tile-service.js';

/** A U open to the north: its vertex centroid (0.5, 0.55) lies in the notch, outside the shape. */
const U: Polygon = {
  type: 'Polygon',
  coordinates: [[[0, 0], [1, 0], [1, 1], [0.8, 1], [0.8, 0.2], [0.2, 0.2], [0.2, 1], [0, 1], [0, 0]]],
};

/** Where a label feature stands, in world coordinates. */
function pointOf(label: TileFeature | null): [number, number] {
  if (label?.type !== 1) throw new Error(`expected a point label, got ${JSON.stringify(label)}`);
  return [label.points[0]!, label.points[1]!];
}

/** The label point of a geometry back in lng/lat. */
function lngLatOf(geometry: Polygon | MultiPolygon): [number, number] {
  const [x, y] = labelPoint(geometry);
  return [lngOf(x), latOf(y)];
}

describe('labelPoint', () => {
  it('lies inside a concave polygon, where its centroid does not', () => {
    expect(pointInPolygon(0.5, 0.55, U)).toBe(false);
    const [lng, lat] = lngLatOf(U);
    expect(pointInPolygon(lng, lat, U)).toBe(true);
  });

  it('is the point farthest from the edges: the middle of a square', () => {
    const square: Polygon = { type: 'Polygon', coordinates: [[[116.4, 39.9], [116.41, 39.9], [116.41, 39.91], [116.4, 39.91], [116.4, 39.9]]] };
    const [lng, lat] = lngLatOf(square);
    expect(lng).toBeCloseTo(116.405, 5);
    // the middle in Web Mercator, a little north of the middle latitude
    expect(worldY(lat)).toBeCloseTo((worldY(39.9) + worldY(39.91)) / 2, 9);
  });

  it('goes in the roomiest part of a multipolygon', () => {
    const small = [[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1], [0, 0]]];
    const large = [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]];
    const [lng] = lngLatOf({ type: 'MultiPolygon', coordinates: [small, large] });
    expect(lng).toBeCloseTo(1.5, 3);
  });

  it('keeps out of a hole', () => {
    // a square frame: the middle of the square is the hole's middle
    const holed: Polygon = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]] };
    const [lng, lat] = lngLatOf(holed);
    expect(pointInPolygon(lng, lat, holed)).toBe(true);
  });
});

describe('the labels layer of the default district', () => {
  let district: TestDistrict;
  let tiles: TileService;

  beforeAll(() => {
    district = openTestDistrict('labels');
    tiles = TileService.fromStore(district.store);
  }, 60_000);

  afterAll(() => district?.remove());

  /** The label features of a tile of the grids source, decoded. */
  function labelsOf(tile: TileCoord) {
    const served = tiles.tile('grids', tile);
    return served ? (decodeTile(served.gzip).labels?.features ?? []) : [];
  }

  /** The tile of zoom z holding a world point. */
  function tileOf(z: number, x: number, y: number): TileCoord {
    return { z, x: Math.floor(x * 2 ** z), y: Math.floor(y * 2 ** z) };
  }

  it('is served by the grids and wangge sources', () => {
    expect(TILE_SOURCES.grids).toContain('labels');
    expect(TILE_SOURCES.wangge).toContain('labels');
  });

  it('has one label per street, community, social grid and unit grid, each inside what it names', () => {
    const { store } = district;
    const expected = { street: 0, community: 0, social_grid: 0, unit_grid: 0 };
    for (const area of store.iterate('areas')) {
      const label = areaLabel(area);
      if (area.level === 'district') {
        expect(label).toBeNull();
        continue;
      }
      expected[area.level as 'street' | 'community']++;
      expect(label?.tags).toEqual({ kind: area.level, code: area.code, name: area.name });
      const [x, y] = pointOf(label);
      expect(pointInPolygon(lngOf(x), latOf(y), area.geometry), area.code).toBe(true);
    }
    for (const grid of store.iterate('grids')) {
      expected[grid.scheme === 'social' ? 'social_grid' : 'unit_grid']++;
      const [x, y] = pointOf(gridLabel(grid));
      expect(pointInPolygon(lngOf(x), latOf(y), grid.geometry), grid.code).toBe(true);
    }
    expect(expected).toEqual({ street: 17, community: 169, social_grid: 589, unit_grid: 2329 });
    expect(tiles.indexSizes().labels).toBe(17 + 169 + 589 + 2329);
  });

  it('puts each label in its anchor tile from the zoom of its kind on, and in no other tile inside 0..EXTENT', () => {
    const { store } = district;
    const unit = [...store.iterate('grids')].find((g) => g.scheme === 'unit')!;
    const social = store.getGrid('social', [...store.iterate('grids')].find((g) => g.scheme === 'social')!.code)!;
    const community = store.getArea(unit.communityCode)!;
    const street = store.getArea(community.parentCode!)!;
    for (const label of [areaLabel(street)!, areaLabel(community)!, gridLabel(social), gridLabel(unit)]) {
      const [x, y] = pointOf(label);
      const minzoom = LABEL_MINZOOMS[label.tags.kind as keyof typeof LABEL_MINZOOMS];
      for (let z = 10; z <= 18; z++) {
        const home = tileOf(z, x, y);
        expect(labelsOf(home).filter((f) => f.id === label.id).length, `${label.tags.kind} at z${z}`).toBe(z >= minzoom ? 1 : 0);
        // the neighbours carry it only in their buffer, outside 0..EXTENT, where MapLibre places no symbol
        for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1]] as const) {
          for (const f of labelsOf({ z, x: home.x + dx, y: home.y + dy })) {
            if (f.id !== label.id) continue;
            const [px, py] = f.geometry[0]![0]!;
            expect(px < 0 || px >= EXTENT || py < 0 || py >= EXTENT, `${label.tags.kind} z${z} neighbour ${dx},${dy}`).toBe(true);
          }
        }
      }
    }
  });

  it('draws each unit-grid code once at z17: as many labels placed in a tile as grids anchored there', () => {
    const centre = tileOf(17, worldX(116.4135), worldY(39.9305));
    const inside = labelsOf(centre).filter((f) => {
      const [px, py] = f.geometry[0]![0]!;
      return f.properties.kind === 'unit_grid' && px >= 0 && px < EXTENT && py >= 0 && py < EXTENT;
    });
    expect(inside.length).toBeGreaterThan(0);
    expect(new Set(inside.map((f) => f.properties.code)).size).toBe(inside.length);
  });

  it('follows a redraw: the label moves into the new boundary and the cached tiles showing it are dropped', () => {
    const { store } = district;
    const grid = [...store.iterate('grids')].find((g) => g.scheme === 'unit')!;
    const [bx, by] = pointOf(gridLabel(grid));
    const oldTile = tileOf(18, bx, by);
    const oldSpot = [Math.round((bx * 2 ** 18 - oldTile.x) * EXTENT), Math.round((by * 2 ** 18 - oldTile.y) * EXTENT)];
    const spotsIn = (tile: TileCoord) => labelsOf(tile).filter((f) => f.properties.code === grid.code).map((f) => f.geometry[0]![0]);
    expect(spotsIn(oldTile)).toEqual([oldSpot]);

    // the new boundary: the western quarter of the old box, which the old label point is not in
    const ring = grid.geometry.type === 'Polygon' ? grid.geometry.coordinates[0]! : grid.geometry.coordinates[0]![0]!;
    const lngs = ring.map((p) => p[0]!);
    const lats = ring.map((p) => p[1]!);
    const [w, e, s, n] = [Math.min(...lngs), Math.max(...lngs), Math.min(...lats), Math.max(...lats)];
    const cut = w + (e - w) / 4;
    const geometry: Polygon = { type: 'Polygon', coordinates: [[[w, s], [cut, s], [cut, n], [w, n], [w, s]]] };
    expect(lngOf(bx)).toBeGreaterThan(cut);
    const seq = lastChangeSeq(store.db);
    store.addGridVersion({ ...grid, geometry, validFrom: '2099-01-01', validTo: null });
    tiles.applyChanges(changesSince(store.db, seq));

    const [nx, ny] = pointOf(gridLabel(store.getGrid('unit', grid.code)!));
    expect(pointInPolygon(lngOf(nx), latOf(ny), geometry)).toBe(true);
    // served (not from the cache) at the new point, and no longer at the old one
    const newTile = tileOf(18, nx, ny);
    expect(spotsIn(newTile)).toEqual([[Math.round((nx * 2 ** 18 - newTile.x) * EXTENT), Math.round((ny * 2 ** 18 - newTile.y) * EXTENT)]]);
    expect(spotsIn(oldTile)).not.toContainEqual(oldSpot);
  });

  it('follows a renamed street', () => {
    const { store } = district;
    const street = [...store.iterate('areas')].find((a) => a.level === 'street')!;
    const [x, y] = labelPoint(street.geometry);
    expect(labelsOf(tileOf(12, x, y)).filter((f) => f.properties.code === street.code).map((f) => f.properties.name)).toEqual([street.name]);
    const seq = lastChangeSeq(store.db);
    store.upsert('areas', [{ ...street, name: '测试街道' }]);
    tiles.applyChanges(changesSince(store.db, seq));
    const names = labelsOf(tileOf(12, x, y)).filter((f) => f.properties.code === street.code).map((f) => f.properties.name);
    expect(names).toEqual(['测试街道']);
  });
});
