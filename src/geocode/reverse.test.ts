import type { Position } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { pointInPolygon } from '../geo/pip.js';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict, type GeneratedDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import type { AreaGeometry, Grid } from '../model.js';
import { createRandom } from '../ingest/generate/random.js';
import { representativePoint } from '../ingest/layer-records.js';
import { NOWHERE, PointResolver, ReverseGeocoder, type Resolution } from './reverse.js';

let district: GeneratedDistrict;
let resolver: PointResolver;

beforeAll(() => {
  district = generateDistrict(loadGeneratorInputs(), { ...DEFAULT_DISTRICT_OPTIONS, copy: 0, firstIds: { road: 1, house: 1, address: 1 } });
  resolver = new PointResolver(district.areas, district.grids);
});

/** the same 100,000 points every run */
const seeded = (seed: number): (() => number) => createRandom(seed).next;

/** The oracle: a linear scan over every polygon of a layer (box check, then pip.ts). */
function bruteForce(polygons: { box: BBox; geometry: AreaGeometry; key: string }[], x: number, y: number): string | null {
  for (const p of polygons) {
    if (x < p.box.minX || x > p.box.maxX || y < p.box.minY || y > p.box.maxY) continue;
    if (pointInPolygon(x, y, p.geometry)) return p.key;
  }
  return null;
}

const keyOf = (r: Resolution): string[] => [
  r.district?.code ?? '-',
  r.street?.code ?? '-',
  r.community?.code ?? '-',
  r.unitGrid?.code ?? '-',
  r.socialGrid ? `${r.socialGrid.staticCode}-${r.socialGrid.dynamicCode}` : '-',
];

describe('reverse geocoding agrees with brute force', () => {
  it('on 100,000 points inside, outside, on shared vertices and on shared edges: 0 mismatches', () => {
    const layer = (items: { geometry: AreaGeometry; key: string }[]) => items.map((i) => ({ ...i, box: geometryBBox(i.geometry) }));
    const layers = [
      layer(district.areas.filter((a) => a.level === 'district').map((a) => ({ geometry: a.geometry, key: a.code }))),
      layer(district.areas.filter((a) => a.level === 'street').map((a) => ({ geometry: a.geometry, key: a.code }))),
      layer(district.areas.filter((a) => a.level === 'community').map((a) => ({ geometry: a.geometry, key: a.code }))),
      layer(district.grids.filter((g) => g.scheme === 'unit').map((g) => ({ geometry: g.geometry, key: g.code }))),
      layer(district.grids.filter((g) => g.scheme === 'social').map((g) => ({ geometry: g.geometry, key: `${g.code}-${g.dynamicCode}` }))),
    ];
    const random = seeded(20261127);
    const box = geometryBBox(district.areas[0]!.geometry);
    const vertices: Position[] = [];
    const edges: [Position, Position][] = [];
    for (const g of district.grids.filter((g) => g.scheme === 'unit')) {
      const ring = g.geometry.type === 'Polygon' ? g.geometry.coordinates[0]! : g.geometry.coordinates[0]![0]!;
      for (let k = 0; k < ring.length - 1; k++) {
        vertices.push(ring[k]!);
        edges.push([ring[k]!, ring[k + 1]!]);
      }
    }
    const points: { kind: string; x: number; y: number }[] = [];
    const margin = 0.01;
    for (let n = 0; n < 40_000; n++) points.push({ kind: 'box', x: box.minX + random() * (box.maxX - box.minX), y: box.minY + random() * (box.maxY - box.minY) });
    for (let n = 0; n < 10_000; n++) {
      points.push({ kind: 'outside', x: box.minX - margin + random() * (box.maxX - box.minX + 2 * margin), y: box.minY - margin + random() * (box.maxY - box.minY + 2 * margin) });
    }
    for (let n = 0; n < 25_000; n++) {
      const v = vertices[Math.floor(random() * vertices.length)]!;
      points.push({ kind: 'vertex', x: v[0]!, y: v[1]! });
    }
    for (let n = 0; n < 25_000; n++) {
      const [a, b] = edges[Math.floor(random() * edges.length)]!;
      const t = random();
      points.push({ kind: 'edge', x: a[0]! + t * (b[0]! - a[0]!), y: a[1]! + t * (b[1]! - a[1]!) });
    }

    // the typed-array batch path, on the same points, in three calls
    const ids = new Int32Array(points.length).fill(-2);
    const positions = Float64Array.from(points.flatMap((p) => [p.x, p.y]));
    for (const [from, to] of [[0, 1], [1, 60_000], [60_000, points.length]] as const) resolver.resolveInto(positions, ids, from, to);

    const mismatches: string[] = [];
    const counts: Record<string, number> = {};
    for (const [k, p] of points.entries()) {
      const expected = layers.map((l) => bruteForce(l, p.x, p.y) ?? '-').join('|');
      const got = keyOf(resolver.resolve(p.x, p.y)).join('|');
      const batch = ids[k]! < -1 ? 'unresolved' : keyOf(resolver.resolution(ids[k]!)).join('|');
      counts[p.kind] = (counts[p.kind] ?? 0) + 1;
      if (expected !== got) mismatches.push(`${p.kind} ${p.x},${p.y}: ${got} ≠ ${expected}`);
      if (expected !== batch) mismatches.push(`resolveInto ${p.kind} ${p.x},${p.y}: ${batch} ≠ ${expected}`);
    }
    console.log(
      `reverse vs brute force: ${points.length.toLocaleString()} points (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}), ` +
        `${mismatches.length} mismatches; raster answers ${(resolver.rasterShare() * 100).toFixed(1)} % of the box without the exact test`,
    );
    expect(points).toHaveLength(100_000);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('gives every shared vertex to exactly one unit grid', () => {
    const units = district.grids.filter((g) => g.scheme === 'unit');
    const box = geometryBBox(district.areas[0]!.geometry);
    for (const g of units.slice(0, 300)) {
      const ring = g.geometry.type === 'Polygon' ? g.geometry.coordinates[0]! : g.geometry.coordinates[0]![0]!;
      for (const [x, y] of ring) {
        const owners = units.filter((u) => pointInPolygon(x!, y!, u.geometry)).length;
        const inside = x! > box.minX && x! < box.maxX && y! > box.minY && y! < box.maxY;
        // a vertex on the district outline may belong to no grid (the half-open rule gives it to the outside)
        expect(owners).toBeLessThanOrEqual(1);
        if (owners === 0) expect(resolver.resolve(x!, y!).unitGrid).toBeNull();
        if (inside && owners === 1) expect(resolver.resolve(x!, y!).unitGrid).not.toBeNull();
      }
    }
  });

  it('resolves a point far away to nulls, not an error', () => {
    expect(resolver.resolve(0, 0)).toBe(NOWHERE);
    expect(resolver.resolve(116.2, 39.9)).toEqual({ district: null, street: null, community: null, unitGrid: null, socialGrid: null });
  });

  it('names what contains a point at every level', () => {
    const grid = district.grids.find((g) => g.code === '110101001001001')!;
    const ring = grid.geometry.type === 'Polygon' ? grid.geometry.coordinates[0]! : grid.geometry.coordinates[0]![0]!;
    const x = (ring[0]![0]! + ring[2]![0]!) / 2;
    const y = (ring[0]![1]! + ring[2]![1]!) / 2;
    const r = resolver.resolve(x, y);
    expect(r.district).toEqual({ code: '110101', name: '东城区' });
    expect(r.street).toEqual({ code: '110101001', name: '东华门街道' });
    expect(r.community).toEqual({ code: '110101001001', name: '多福巷社区' });
    expect(r.unitGrid).toEqual({ code: '110101001001001' });
    expect(r.socialGrid?.staticCode.slice(0, 12)).toBe('110101001001');
    expect(r.socialGrid?.dynamicCode).toBe('202601');
  });
});

describe('history: at=date answers with the versions valid that day', () => {
  it('switches to the new boundary version on its first day and keeps the old one before', () => {
    const social = district.grids.find((g) => g.code === '1101010010011001')!;
    const unit = district.grids.find((g) => g.code === '110101001001001')!;
    // the 2028 version of the social grid shrinks to its first unit grid
    const closed: Grid = { ...social, validTo: '2028-03-01' };
    const next: Grid = { ...social, dynamicCode: '202801', geometry: unit.geometry, validFrom: '2028-03-01', validTo: null };
    const versions = district.grids.map((g) => (g === social ? closed : g)).concat(next);
    const geocoder = new ReverseGeocoder(district.areas, versions);
    const ring = unit.geometry.type === 'Polygon' ? unit.geometry.coordinates[0]! : unit.geometry.coordinates[0]![0]!;
    const inUnit: [number, number] = [(ring[0]![0]! + ring[2]![0]!) / 2, (ring[0]![1]! + ring[2]![1]!) / 2];
    expect(geocoder.resolve(...inUnit).socialGrid?.dynamicCode).toBe('202801');
    expect(geocoder.resolve(...inUnit, '2028-03-01').socialGrid?.dynamicCode).toBe('202801');
    expect(geocoder.resolve(...inUnit, '2028-02-29').socialGrid?.dynamicCode).toBe('202601');
    expect(geocoder.resolve(...inUnit, '2027-01-01').socialGrid?.dynamicCode).toBe('202601');
    // before the social grids existed at all there is no social grid, but the unit grid is there
    expect(geocoder.resolve(...inUnit, '2020-01-01').socialGrid).toBeNull();
    expect(geocoder.resolve(...inUnit, '2020-01-01').unitGrid?.code).toBe('110101001001001');
    expect(geocoder.resolve(...inUnit, '2000-01-01').unitGrid).toBeNull();
    // a point of the old version outside the new one: covered before, uncovered after
    const other = district.grids.find((g) => g.scheme === 'unit' && g.code !== unit.code && pointInPolygon(...centre(g), social.geometry))!;
    expect(geocoder.resolve(...centre(other), '2027-06-01').socialGrid?.staticCode).toBe(social.code);
    expect(geocoder.resolve(...centre(other)).socialGrid).toBeNull();
  });
});

const centre = (grid: Grid): [number, number] => {
  const ring = grid.geometry.type === 'Polygon' ? grid.geometry.coordinates[0]! : grid.geometry.coordinates[0]![0]!;
  return representativePoint({ type: 'Polygon', coordinates: [ring] }) as [number, number];
};
