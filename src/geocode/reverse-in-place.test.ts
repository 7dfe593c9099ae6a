import { fc, test } from '@fast-check/vitest';
import type { Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { beforeAll, describe, expect, it } from 'vitest';
import { geometryBBox } from '../geo/bbox.js';
import { pointInPolygon } from '../geo/pip.js';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict, type GeneratedDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import { createRandom } from '../ingest/generate/random.js';
import type { AdminArea, AreaGeometry, Grid } from '../model.js';
import { PointResolver, ReverseGeocoder, type Resolution } from './reverse.js';

// Grids changed in place must answer exactly as a resolver built from the final grids: the
// oracle is a fresh build (itself checked against brute force in reverse.test.ts).

const STREET = '110101001';
let district: GeneratedDistrict;
/** one street and its communities (the raster then covers just the street) */
let areas: AdminArea[];
/** that street's grids */
let grids: Grid[];

beforeAll(() => {
  district = generateDistrict(loadGeneratorInputs(), { ...DEFAULT_DISTRICT_OPTIONS, copy: 0, firstIds: { road: 1, house: 1, address: 1 } });
  areas = district.areas.filter((a) => a.code.startsWith(STREET));
  grids = district.grids.filter((g) => g.code.startsWith(STREET));
});

const keyOf = (r: Resolution): string =>
  [r.district?.code, r.street?.code, r.community?.code, r.unitGrid?.code, r.socialGrid && `${r.socialGrid.staticCode}-${r.socialGrid.dynamicCode}-${r.socialGrid.name}`].join('|');

const geom = (g: AreaGeometry): Geom => g.coordinates as Geom;
function fromClipped(parts: polygonClipping.MultiPolygon): AreaGeometry | null {
  if (parts.length === 0) return null;
  return parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! as Position[][] } : { type: 'MultiPolygon', coordinates: parts as Position[][][] };
}

/** The grids of one scheme in slot order (as first seen), removed ones dropped: what a fresh build is given. */
class GridSet {
  readonly order: string[] = [];
  readonly byCode = new Map<string, Grid>();
  constructor(list: readonly Grid[]) {
    for (const g of list) this.set(g);
  }
  set(g: Grid): void {
    if (!this.order.includes(g.code)) this.order.push(g.code);
    this.byCode.set(g.code, g);
  }
  remove(code: string): void {
    this.byCode.delete(code);
  }
  list(): Grid[] {
    return this.order.flatMap((code) => this.byCode.get(code) ?? []);
  }
  at(x: number, y: number): Grid | undefined {
    for (const g of this.byCode.values()) if (pointInPolygon(x, y, g.geometry)) return g;
    return undefined;
  }
}

/** One change of the generator: a piece of a grid goes to another, a version renamed, a grid dropped or (re)added. */
type Change =
  | { kind: 'move' | 'cut'; scheme: Grid['scheme']; x: number; y: number; size: number; dx: number; dy: number }
  | { kind: 'rename'; scheme: Grid['scheme']; pick: number }
  | { kind: 'drop'; scheme: Grid['scheme']; pick: number }
  | { kind: 'restore'; scheme: Grid['scheme'] };

// fc.double leans on 0, 1 and tiny values; an integer scale spreads the points over the street
const unit = fc.integer({ min: 0, max: 1_000_000 }).map((v) => v / 1_000_000);
const arbChange: fc.Arbitrary<Change> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('move' as const), scheme: fc.constantFrom('social' as const, 'unit' as const), x: unit, y: unit, size: unit, dx: unit, dy: unit }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), scheme: fc.constantFrom('social' as const, 'unit' as const), x: unit, y: unit, size: unit, dx: unit, dy: unit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), scheme: fc.constantFrom('social' as const, 'unit' as const), pick: unit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), scheme: fc.constantFrom('social' as const, 'unit' as const), pick: unit }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), scheme: fc.constantFrom('social' as const, 'unit' as const) }) },
);

/** Applies one change to the sets; returns the grids it put (null: removed) and the shapes to probe around. */
function apply(sets: Record<Grid['scheme'], GridSet>, dropped: Grid[], change: Change, serial: number): { puts: { scheme: Grid['scheme']; code: string; grid: Grid | null }[]; probe: AreaGeometry[] } {
  const set = sets[change.scheme];
  const box = geometryBBox(areas.find((a) => a.code === STREET)!.geometry);
  const codes = [...set.byCode.keys()];
  if (change.kind === 'move' || change.kind === 'cut') {
    // a box of 20–150 m around a point: the grid there gives it to the grid a little way off, or to none (a hole)
    const x = box.minX + change.x * (box.maxX - box.minX);
    const y = box.minY + change.y * (box.maxY - box.minY);
    const half = (0.0002 + change.size * 0.0012) / 2;
    const from = set.at(x, y);
    const square: Geom = [[[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half], [x - half, y - half]]];
    const piece = from ? polygonClipping.intersection(geom(from.geometry), square) : [];
    const rest = from ? fromClipped(polygonClipping.difference(geom(from.geometry), piece)) : null;
    if (change.kind === 'cut') {
      if (!from || rest === null || piece.length === 0) return { puts: [], probe: [] };
      const left = { ...from, geometry: rest };
      set.set(left);
      return { puts: [{ scheme: change.scheme, code: left.code, grid: left }], probe: [from.geometry, rest, { type: 'Polygon', coordinates: square as Position[][] }] };
    }
    const to = set.at(x + (change.dx - 0.5) * 8 * half, y + (change.dy - 0.5) * 8 * half);
    if (!from || !to || from.code === to.code) return { puts: [], probe: [] };
    const grown = fromClipped(polygonClipping.union(geom(to.geometry), piece));
    if (rest === null || grown === null || piece.length === 0) return { puts: [], probe: [] };
    const next = { ...to, geometry: grown, dynamicCode: to.scheme === 'social' ? String(300000 + serial) : null };
    const left = { ...from, geometry: rest };
    set.set(next);
    set.set(left);
    const probe: AreaGeometry[] = [from.geometry, to.geometry, rest, grown, { type: 'Polygon', coordinates: square as Position[][] }];
    return { puts: [{ scheme: change.scheme, code: next.code, grid: next }, { scheme: change.scheme, code: left.code, grid: left }], probe };
  }
  if (codes.length === 0) return { puts: [], probe: [] };
  const target = set.byCode.get(codes[Math.floor((change as { pick?: number }).pick! * codes.length) % codes.length]!);
  if (change.kind === 'rename') {
    const next = { ...target!, name: `改名${serial}`, dynamicCode: target!.scheme === 'social' ? String(400000 + serial) : null };
    set.set(next);
    return { puts: [{ scheme: change.scheme, code: next.code, grid: next }], probe: [] };
  }
  if (change.kind === 'drop') {
    set.remove(target!.code);
    dropped.push(target!);
    return { puts: [{ scheme: change.scheme, code: target!.code, grid: null }], probe: [target!.geometry] };
  }
  // a dropped shape comes back under a new code (new slot) or its own
  const back = dropped.pop();
  if (!back || back.scheme !== change.scheme) {
    if (back) dropped.push(back);
    return { puts: [], probe: [] };
  }
  const code = serial % 2 === 0 ? back.code : `${back.code.slice(0, -3)}9${String(serial % 100).padStart(2, '0')}`;
  if (set.byCode.has(code)) return { puts: [], probe: [] };
  const grid = { ...back, code };
  set.set(grid);
  return { puts: [{ scheme: change.scheme, code, grid }], probe: [back.geometry] };
}

/** Points that find the differences: vertices, points on edges and inside the boxes of the shapes, and anywhere. */
function probePoints(shapes: AreaGeometry[], seed: number): [number, number][] {
  const random = createRandom(seed).next;
  const points: [number, number][] = [];
  for (const shape of shapes) {
    const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
    for (const ring of polygons.flat()) {
      for (let k = 0; k < ring.length - 1; k++) {
        const [ax, ay] = ring[k] as [number, number];
        const [bx, by] = ring[k + 1] as [number, number];
        const t = random();
        points.push([ax, ay], [ax + t * (bx - ax), ay + t * (by - ay)]);
      }
    }
    const b = geometryBBox(shape);
    const mx = (b.maxX - b.minX) * 0.2;
    const my = (b.maxY - b.minY) * 0.2;
    for (let n = 0; n < 200; n++) points.push([b.minX - mx + random() * (b.maxX - b.minX + 2 * mx), b.minY - my + random() * (b.maxY - b.minY + 2 * my)]);
  }
  const all = geometryBBox(areas.find((a) => a.code === STREET)!.geometry);
  for (let n = 0; n < 2000; n++) points.push([all.minX + random() * (all.maxX - all.minX), all.minY + random() * (all.maxY - all.minY)]);
  return points;
}

function mismatches(a: PointResolver, b: PointResolver, points: [number, number][]): string[] {
  const out: string[] = [];
  for (const [x, y] of points) {
    const got = keyOf(a.resolve(x, y));
    const want = keyOf(b.resolve(x, y));
    if (got !== want) out.push(`${x},${y}: in place ${got} ≠ fresh ${want}`);
  }
  return out;
}

describe('PointResolver.putGrids', () => {
  // a coarse raster (40,000 cells of ~7 m over the street) puts several polygons in a cell; the default one is checked below
  test.prop([fc.array(arbChange, { minLength: 1, maxLength: 12 }), fc.integer()], { numRuns: 40, seed: 20261207 })(
    'after any grid changes answers every probe point exactly as a resolver built from the final grids',
    (changes, seed) => {
      const options = { raster: { maxCells: 40_000 } };
      const resolver = new PointResolver(areas, grids, options);
      const sets = { unit: new GridSet(grids.filter((g) => g.scheme === 'unit')), social: new GridSet(grids.filter((g) => g.scheme === 'social')) };
      const dropped: Grid[] = [];
      const probe: AreaGeometry[] = [];
      changes.forEach((change, serial) => {
        const step = apply(sets, dropped, change, serial);
        expect(resolver.putGrids(step.puts)).toBe(true);
        probe.push(...step.probe);
      });
      const fresh = new PointResolver(areas, [...sets.unit.list(), ...sets.social.list()], options);
      expect(mismatches(resolver, fresh, probePoints(probe, seed)).slice(0, 5)).toEqual([]);
    },
  );

  it('keeps the default raster exact through 30 redraws, touching only the cells the shapes cover', () => {
    const resolver = new PointResolver(areas, grids);
    const sets = { unit: new GridSet(grids.filter((g) => g.scheme === 'unit')), social: new GridSet(grids.filter((g) => g.scheme === 'social')) };
    const random = createRandom(7).next;
    const probe: AreaGeometry[] = [];
    const costs: number[] = [];
    for (let serial = 0; serial < 30; serial++) {
      const change: Change = { kind: 'move', scheme: random() < 0.7 ? 'social' : 'unit', x: random(), y: random(), size: random(), dx: random(), dy: random() };
      const step = apply(sets, [], change, serial);
      const started = performance.now();
      expect(resolver.putGrids(step.puts)).toBe(true);
      if (step.puts.length > 0) costs.push(performance.now() - started);
      probe.push(...step.probe);
    }
    const fresh = new PointResolver(areas, [...sets.unit.list(), ...sets.social.list()]);
    expect(mismatches(resolver, fresh, probePoints(probe, 11)).slice(0, 5)).toEqual([]);
    costs.sort((a, b) => a - b);
    console.log(`PointResolver.putGrids, default raster: ${costs.length} moves, median ${costs[costs.length >> 1]!.toFixed(2)} ms, max ${costs.at(-1)!.toFixed(2)} ms`);
  });

  it('refuses a grid reaching off the raster, changing nothing', () => {
    const resolver = new PointResolver(areas, grids);
    const far: Grid = { ...grids.find((g) => g.scheme === 'social')!, geometry: { type: 'Polygon', coordinates: [[[117, 40], [117.01, 40], [117.01, 40.01], [117, 40.01], [117, 40]]] } };
    const inside = interior(grids.find((g) => g.code === far.code)!);
    const before = keyOf(resolver.resolve(...inside));
    expect(resolver.putGrids([{ scheme: 'social', code: far.code, grid: far }])).toBe(false);
    expect(keyOf(resolver.resolve(...inside))).toBe(before);
  });
});

describe('ReverseGeocoder.putVersions', () => {
  it('takes a redraw in place: today answers with the new versions, earlier dates with the old, cached history dropped where the change reaches', () => {
    const geocoder = new ReverseGeocoder(areas, grids);
    const social = grids.filter((g) => g.scheme === 'social');
    const [a, b] = pairSharingEdge(social);
    const point = interior(b);
    // a cached resolver for a day before the redraw, and one for the interval the redraw splits
    expect(geocoder.resolve(...point, '2026-06-01')?.socialGrid?.staticCode).toBe(b.code);
    const day = '2027-03-01';
    const grown = fromClipped(polygonClipping.union(geom(a.geometry), geom(b.geometry)))!;
    const shrunk: Grid = { ...b, geometry: { type: 'Polygon', coordinates: [[[point[0] - 1e-6, point[1] - 1e-6], [point[0] - 5e-7, point[1] - 1e-6], [point[0] - 5e-7, point[1] - 5e-7], [point[0] - 1e-6, point[1] - 5e-7], [point[0] - 1e-6, point[1] - 1e-6]]] }, dynamicCode: '202701', validFrom: day, validTo: null };
    const next: Grid = { ...a, geometry: fromClipped(polygonClipping.difference(geom(grown), geom(shrunk.geometry)))!, dynamicCode: '202701', validFrom: day, validTo: null };
    geocoder.putVersions([{ ...a, validTo: day }, next, { ...b, validTo: day }, shrunk]);
    expect(geocoder.resolve(...point).socialGrid).toEqual({ staticCode: a.code, dynamicCode: '202701', name: a.name });
    expect(geocoder.resolve(...point, day).socialGrid?.staticCode).toBe(a.code);
    expect(geocoder.resolve(...point, '2027-02-28').socialGrid).toEqual({ staticCode: b.code, dynamicCode: b.dynamicCode, name: b.name });
    expect(geocoder.resolve(...point, '2026-06-01').socialGrid?.staticCode).toBe(b.code);
    // a version of another grid from a day inside the cached interval before the redraw: that interval is split, its resolver dropped
    const c = social.find((g) => g !== a && g !== b)!;
    const renamed: Grid = { ...c, name: '改名', dynamicCode: '202702', validFrom: '2027-01-15' };
    geocoder.putVersions([{ ...c, validTo: '2027-01-15' }, renamed]);
    expect(geocoder.resolve(...interior(c), '2027-02-28').socialGrid).toEqual({ staticCode: c.code, dynamicCode: '202702', name: '改名' });
    expect(geocoder.resolve(...interior(c), '2027-01-14').socialGrid).toEqual({ staticCode: c.code, dynamicCode: c.dynamicCode, name: c.name });
    // the same as a geocoder built from all versions
    const others = grids.filter((g) => g !== a && g !== b && g !== c);
    const fresh = new ReverseGeocoder(areas, [...others, { ...a, validTo: day }, next, { ...b, validTo: day }, shrunk, { ...c, validTo: '2027-01-15' }, renamed]);
    const points = probePoints([a.geometry, b.geometry, c.geometry], 3);
    for (const at of [undefined, '2020-01-01', '2026-06-01', '2027-01-14', '2027-02-28', day, '2030-01-01']) {
      const wrong = points.filter(([x, y]) => keyOf(geocoder.resolve(x, y, at)) !== keyOf(fresh.resolve(x, y, at)));
      expect(wrong.slice(0, 3), `at ${at ?? 'now'}`).toEqual([]);
    }
  });
});

function interior(g: Grid): [number, number] {
  const b = geometryBBox(g.geometry);
  for (let k = 1; k < 400; k++) {
    const p: [number, number] = [b.minX + ((k * 0.618) % 1) * (b.maxX - b.minX), b.minY + ((k * 0.382) % 1) * (b.maxY - b.minY)];
    if (pointInPolygon(...p, g.geometry)) return p;
  }
  throw new Error(`no interior point found for ${g.code}`);
}

function pairSharingEdge(list: Grid[]): [Grid, Grid] {
  for (const a of list) {
    for (const b of list) {
      if (a.code >= b.code) continue;
      if (polygonClipping.union(geom(a.geometry), geom(b.geometry)).length === 1) return [a, b];
    }
  }
  throw new Error('no neighbouring grids');
}
