import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Component } from '../model.js';
import { changesSince, lastChangeSeq } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { pyramidTiles } from './export-pyramid.js';
import { BUFFER, EXTENT, MAX_TILE_BYTES, TILE_LAYERS, TILE_SOURCES } from './layers.js';
import { decodeTile, ringArea } from './test-helpers/decode-tile.js';
import { latOf, lngOf, tileWorldBox, worldX, worldY, type TileCoord } from './tile-coords.js';
import { TileCache } from './tile-cache.js';
import { componentFeature, isDrawnComponent } from './tile-features.js';
import { TileService } from './tile-service.js';
import { FULL_DETAIL_ZOOM, THINNING_CELLS_PER_TILE } from './thinning.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';

let district: TestDistrict;
let store: Store;
let tiles: TileService;

beforeAll(() => {
  district = openTestDistrict('tiles');
  store = district.store;
  tiles = TileService.fromStore(store);
}, 60_000);

afterAll(() => {
  district?.remove();
});

/** The tile of zoom z holding a lng/lat. */
function tileAt(z: number, lng: number, lat: number): TileCoord {
  const n = 2 ** z;
  return { z, x: Math.floor(worldX(lng) * n), y: Math.floor(worldY(lat) * n) };
}

/** Tile coordinates (0..4096) of a lng/lat in `tile`. */
function toTile(tile: TileCoord, [lng, lat]: number[]): [number, number] {
  const n = 2 ** tile.z;
  return [(worldX(lng!) * n - tile.x) * EXTENT, (worldY(lat!) * n - tile.y) * EXTENT];
}

function decoded(source: string, tile: TileCoord) {
  const served = tiles.tile(source, tile);
  return served ? decodeTile(served.gzip) : {};
}

const CENTRE: [number, number] = [116.4135, 39.9305];

describe('golden decodings', () => {
  // generated once from the deterministic default district; a change of the tiler, encoder or
  // generator that alters tiles shows up here (regenerate with UPDATE_GOLDEN=1 after checking why)
  const cases: [string, TileCoord][] = [
    ['wangge', tileAt(18, ...CENTRE)],
    ['grids', tileAt(15, ...CENTRE)],
  ];
  for (const [source, tile] of cases) {
    it(`${source} ${tile.z}/${tile.x}/${tile.y} decodes to the committed golden file`, () => {
      const file = new URL(`./golden/${source}-${tile.z}-${tile.x}-${tile.y}.json`, import.meta.url);
      const actual = JSON.parse(JSON.stringify(decoded(source, tile))) as unknown;
      if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(file) && !process.env.CI)) {
        mkdirSync(new URL('./golden/', import.meta.url), { recursive: true });
        writeFileSync(file, JSON.stringify(actual) + '\n');
      }
      expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    });
  }
});

describe('tiles against the store (brute force)', () => {
  it('a z16 tile holds every house standing in it, with its attributes, id and footprint', () => {
    const tile = tileAt(16, ...CENTRE);
    const layer = decoded('houses', tile).houses!;
    const byId = new Map(layer.features.map((f) => [f.id, f]));
    let inside = 0;
    for (const house of store.iterate('houses')) {
      const ring = house.geometry.coordinates[0]!;
      const points = ring.map((p) => toTile(tile, p));
      if (!points.every(([x, y]) => x >= 0 && x < EXTENT && y >= 0 && y < EXTENT)) continue;
      inside++;
      const f = byId.get(house.id);
      expect(f, `house ${house.id}`).toBeDefined();
      expect(f!.properties).toMatchObject({ height: house.heightM, render_height: house.heightM, min_height: 0, floors: house.floors, use: house.use });
      if (house.address) expect(f!.properties.address).toBe(house.address);
      // every decoded vertex is one of the footprint's, rounded to the tile grid
      for (const [x, y] of f!.geometry[0]!) expect(points.some(([px, py]) => Math.abs(px - x) <= 0.5 && Math.abs(py - y) <= 0.5)).toBe(true);
    }
    expect(inside).toBeGreaterThan(50);
  });

  it('below z15 houses carry only the height fields, floors and use', () => {
    const [f] = decoded('houses', tileAt(14, ...CENTRE)).houses!.features;
    expect(Object.keys(f!.properties).sort()).toEqual([...TILE_LAYERS.houses.lowZoomFields!].sort());
  });

  it('unit grids of a z15 tile are exactly the grids whose box meets it', () => {
    const tile = tileAt(15, ...CENTRE);
    const got = new Set(decoded('grids', tile).unit_grids!.features.map((f) => String(f.properties.code)));
    const box = tileWorldBox(tile);
    const expected = new Set<string>();
    for (const grid of store.iterate('grids')) {
      if (grid.scheme !== 'unit') continue;
      // a grid wholly inside or overlapping the tile proper must be there
      const ring = grid.geometry.type === 'Polygon' ? grid.geometry.coordinates[0]! : grid.geometry.coordinates[0]![0]!;
      if (ring.some(([lng, lat]) => worldX(lng!) > box.minX && worldX(lng!) < box.maxX && worldY(lat!) > box.minY && worldY(lat!) < box.maxY)) expected.add(grid.code);
    }
    expect(expected.size).toBeGreaterThan(5);
    for (const code of expected) expect(got.has(code), code).toBe(true);
  });

  it('components are thinned to the best-ranked one per cell below z17 and all there from z17', () => {
    for (const z of [14, 15, 16, 17]) {
      const tile = tileAt(z, ...CENTRE);
      const got = decoded('components', tile).components!.features;
      const cells = 2 ** z * THINNING_CELLS_PER_TILE;
      const winners = new Map<number, ReturnType<typeof componentFeature>>();
      const box = tileWorldBox(tile);
      const unit = 1 / 2 ** z / EXTENT;
      const margin = BUFFER * unit;
      const edge = new Set<string>();
      for (const component of store.iterate('components')) {
        if (!isDrawnComponent(component)) continue;
        const f = componentFeature(component);
        const cx = (f.bbox.minX + f.bbox.maxX) / 2;
        const cy = (f.bbox.minY + f.bbox.maxY) / 2;
        if (cx < box.minX - margin || cx >= box.maxX + margin || cy < box.minY - margin || cy >= box.maxY + margin) continue;
        // points within a unit of the buffer's edge may round either way
        if (nearEdge(cx, box.minX - margin, box.maxX + margin, unit) || nearEdge(cy, box.minY - margin, box.maxY + margin, unit)) {
          edge.add(f.key);
          continue;
        }
        const cell = z >= FULL_DETAIL_ZOOM ? winners.size : Math.floor(cy * cells) * cells + Math.floor(cx * cells);
        const holder = winners.get(cell);
        if (!holder || f.rank < holder.rank || (f.rank === holder.rank && f.key < holder.key)) winners.set(cell, f);
      }
      // lines and polygons compete for cells too (by their box centre) but are clipped, not placed
      const expected = [...winners.values()].filter((f) => f.type === 1).map((f) => f.key).sort();
      const actual = got.filter((f) => f.type === 1 && !edge.has(String(f.properties.code))).map((f) => String(f.properties.code)).sort();
      expect(actual, `z${z}`).toEqual(expected);
      expect(actual.length).toBeGreaterThan(z >= FULL_DETAIL_ZOOM ? 10 : 100);
    }
  });
});

function nearEdge(v: number, min: number, max: number, unit: number): boolean {
  return Math.abs(v - min) < unit || Math.abs(v - max) < unit;
}

describe('every tile of the default district (z10–z18)', () => {
  it(`is under ${MAX_TILE_BYTES / 1024} KiB, MVT 2.1 with extent 4096, with valid rings and geometry inside the buffer`, () => {
    const bounds = tiles.metadata('wangge').bounds;
    let count = 0;
    let largest = 0;
    const problems: string[] = [];
    for (const tile of pyramidTiles(bounds, 10, 18)) {
      const bytes = tiles.render('wangge', tile);
      if (!bytes) continue;
      count++;
      largest = Math.max(largest, bytes.byteLength);
      expect(bytes.byteLength, `${tile.z}/${tile.x}/${tile.y}`).toBeLessThanOrEqual(MAX_TILE_BYTES);
      // decoding every z18 tile costs ~10 s; the rings of z10–z17 and one z18 tile in 8 are checked
      if (tile.z === 18 && (tile.x + tile.y) % 8 !== 0) continue;
      for (const [name, layer] of Object.entries(decodeTile(bytes))) {
        const where = `${name} ${tile.z}/${tile.x}/${tile.y}`;
        expect(layer.version, where).toBe(2);
        expect(layer.extent, where).toBe(EXTENT);
        for (const f of layer.features) {
          if (typeof f.id !== 'number') problems.push(`${where}: feature without id`);
          for (const ring of f.geometry) {
            if (ring.some(([x, y]) => x < -BUFFER || x > EXTENT + BUFFER || y < -BUFFER || y > EXTENT + BUFFER)) problems.push(`${where} ${f.id}: outside the buffer`);
          }
          if (f.type !== 3) continue;
          // the first ring is an exterior; every ring is closed, has ≥ 3 distinct points and an area
          if (!(ringArea(f.geometry[0]!) > 0)) problems.push(`${where} ${f.id}: first ring is not clockwise`);
          for (const ring of f.geometry) if (ring.length < 4 || ringArea(ring) === 0) problems.push(`${where} ${f.id}: degenerate ring`);
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    console.log(`checked ${count} non-empty wangge tiles z10–z18; largest ${(largest / 1024).toFixed(0)} KiB`);
    expect(count).toBeGreaterThan(1000);
  }, 120_000);
});

describe('applyChanges', () => {
  it('drops exactly the cached tiles a change touches, and the tiles show it', () => {
    const warmed: { source: string; tile: TileCoord; gzip: Uint8Array | null }[] = [];
    for (let z = 13; z <= 18; z++) {
      const centre = tileAt(z, ...CENTRE);
      for (let dx = -2; dx <= 2; dx++) {
        for (let dy = -2; dy <= 2; dy++) {
          const tile = { z, x: centre.x + dx, y: centre.y + dy };
          for (const source of Object.keys(TILE_SOURCES)) warmed.push({ source, tile, gzip: tiles.tile(source, tile)?.gzip ?? null });
        }
      }
    }
    const seq = lastChangeSeq(store.db);
    // a new hazard (class 06, ranked first) a little off the centre, a taller house, a retired component
    const hazard: Component = {
      code: '1101010601999999',
      major: '06',
      minor: '01',
      name: '重大危险源',
      status: '完好',
      deptMain: '区应急管理局',
      deptOwner: null,
      deptMaintain: null,
      initialDate: '2026-11-27',
      changeDate: null,
      dataSource: 'test',
      geometry: { type: 'Point', coordinates: [CENTRE[0] + 0.0004, CENTRE[1] - 0.0003] },
      unitGridCode: null,
    };
    const house = decoded('houses', tileAt(17, ...CENTRE)).houses!.features[0]!;
    const stored = store.getHouse(house.id!)!;
    const retired = store.getComponent(String(decoded('components', tileAt(17, ...CENTRE)).components!.features[0]!.properties.code))!;
    store.transaction(() => {
      store.upsert('components', [hazard, { ...retired, status: '废弃' }]);
      store.upsert('houses', [{ ...stored, heightM: stored.heightM + 30 }]);
    });
    const changes = changesSince(store.db, seq);
    expect(changes.map((c) => `${c.layer}:${c.key}`)).toEqual([`components:${hazard.code}`, `components:${retired.code}`, `houses:${stored.id}`]);

    tiles.applyChanges(changes);
    let changed = 0;
    let dropped = 0;
    for (const { source, tile, gzip } of warmed) {
      const key = TileCache.key(source, tile.z, tile.x, tile.y);
      const wasDropped = !tiles.cache.has(key);
      const now = tiles.render(source as 'wangge', tile);
      const before = gzip && gunzipSync(gzip);
      const differs = (before === null) !== (now === null) || (before !== null && !Buffer.from(before).equals(Buffer.from(now!)));
      if (differs) changed++;
      if (wasDropped) dropped++;
      // a tile whose content changed must not be served from the cache any more
      if (differs) expect(wasDropped, `${source} ${tile.z}/${tile.x}/${tile.y} changed but stayed cached`).toBe(true);
    }
    expect(changed).toBeGreaterThan(10);
    // exactness: tiles far from the three changes stay cached
    expect(dropped).toBeLessThan(warmed.length / 2);
    console.log(`${warmed.length} cached tiles: ${changed} changed, ${dropped} dropped`);

    const z17 = decoded('wangge', tileAt(17, ...hazard.geometry.coordinates as [number, number]));
    expect(z17.components!.features.map((f) => f.properties.code)).toContain(hazard.code);
    expect(decoded('components', tileAt(17, ...CENTRE)).components!.features.map((f) => f.properties.code)).not.toContain(retired.code);
    expect(decoded('houses', tileAt(17, ...CENTRE)).houses!.features.find((f) => f.id === stored.id)!.properties.height).toBe(stored.heightM + 30);
    // at z14 the hazard wins its thinning cell
    expect(decoded('components', tileAt(14, ...hazard.geometry.coordinates as [number, number])).components!.features.map((f) => f.properties.code)).toContain(hazard.code);
  });
});

describe('metadata', () => {
  it('reports the district bounds, a centre inside them and every layer of the source', () => {
    const m = tiles.metadata('wangge');
    const [west, south, east, north] = m.bounds;
    expect(west).toBeGreaterThan(116.3);
    expect(east).toBeLessThan(116.5);
    expect(south).toBeGreaterThan(39.8);
    expect(north).toBeLessThan(40);
    expect(m.center[0]).toBeGreaterThan(west);
    expect(m.center[1]).toBeLessThan(north);
    expect(m.vectorLayers.map((l) => l.id)).toEqual([...TILE_SOURCES.wangge]);
    expect(m.minzoom).toBe(10);
    expect(m.maxzoom).toBe(18);
    expect(lngOf(worldX(west))).toBeCloseTo(west, 9);
    expect(latOf(worldY(north))).toBeCloseTo(north, 9);
  });
});
