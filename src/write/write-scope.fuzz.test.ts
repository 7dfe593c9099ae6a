import { fc, test } from '@fast-check/vitest';
import type { Geometry, LineString, Point, Polygon, Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { scopeLevel } from '../auth/scope.js';
import { AppError } from '../errors.js';
import { geometryAreaM2 } from '../geo/area.js';
import { geometryBBox } from '../geo/bbox.js';
import { interiorPoint } from '../geo/interior-point.js';
import { pointInPolygon } from '../geo/pip.js';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import { representativePoint } from '../ingest/layer-records.js';
import type { AreaGeometry, Grid } from '../model.js';
import { Store } from '../store/store.js';
import { fuzzRuns, fuzzTimeoutMs } from '../test-helpers/fuzz.js';
import { FeatureWriter, writerFor, type WritableLayer } from './feature-writer.js';
import { GridRedraw } from './grid-redraw.js';
import { TOLERANCE_M, TOLERANCE_M2 } from './tolerance.js';

// Issue 12, point 2: random keys (district, street, community, social grid), places and geometries
// (points, lines and footprints across boundaries, redraws with and without neighbours); no write
// a key is allowed may change anything outside its scope. The oracle reads the store's tables, not
// the change log: temporary triggers record every row a write inserts, updates or deletes, and
// each such row must lie in the key's scope before and after. Every case runs in a transaction that
// is rolled back, so each starts from the same two streets of the default district.

const STREETS = ['110101001', '110101002'];
/** tables a write may touch; any other table changing is a failure too */
const AUDITED = ['admin_areas', 'grids', 'components', 'houses', 'addresses', 'roads', 'pois', 'aliases', 'api_keys'];
/** floating-point rounding of a cut: what "no overlap" allows */
const ROUNDING_M2 = 1e-3;

let store: Store;
let features: FeatureWriter;
let redraws: GridRedraw;
/** the keys' scopes and their areas */
let scopes: { scope: string; area: AreaGeometry }[];
let socialGrids: Grid[];
/** what lies in each social grid: door plates, houses and components, to patch and retire */
const inGrid = new Map<string, { houses: number[]; components: string[]; addresses: number[] }>();
/** social grids sharing an edge with each, and the edge */
const neighbours = new Map<string, { code: string; edge: [Position, Position] }[]>();
const tally = new Map<string, { accepted: number; refused: number }>();

beforeAll(() => {
  const district = generateDistrict(loadGeneratorInputs(), { ...DEFAULT_DISTRICT_OPTIONS, copy: 0, firstIds: { road: 1, house: 1, address: 1 } });
  const mine = (code: string | null): boolean => code !== null && STREETS.some((s) => code.startsWith(s));
  store = Store.open(':memory:');
  store.insert('areas', district.areas.filter((a) => a.level === 'district' || mine(a.code)));
  store.insert('grids', district.grids.filter((g) => mine(g.code)));
  const houses = district.houses.filter((h) => mine(h.unitGridCode));
  store.insert('houses', houses);
  const houseIds = new Set(houses.map((h) => h.id));
  const addresses = district.addresses.filter((a) => a.houseId !== null && houseIds.has(a.houseId));
  store.insert('addresses', addresses);
  // every 8th point component, and every line and polygon one
  const components = district.components.filter((c, k) => mine(c.unitGridCode) && (c.geometry.type !== 'Point' || k % 8 === 0));
  store.insert('components', components);

  socialGrids = [...store.iterate('grids')].filter((g) => g.scheme === 'social');
  scopes = [
    ...[...store.iterate('areas')].map((a) => ({ scope: a.code, area: a.geometry })),
    ...socialGrids.map((g) => ({ scope: g.code, area: g.geometry })),
  ];
  const gridOf = (geometry: Geometry): string | null => {
    const [x, y] = representativePoint(geometry as Point);
    return socialGrids.find((g) => pointInPolygon(x!, y!, g.geometry))?.code ?? null;
  };
  for (const g of socialGrids) inGrid.set(g.code, { houses: [], components: [], addresses: [] });
  for (const h of houses) if (h.socialStaticCode !== null) inGrid.get(h.socialStaticCode)?.houses.push(h.id);
  for (const c of components) inGrid.get(gridOf(c.geometry) ?? '')?.components.push(c.code);
  for (const a of addresses) inGrid.get(gridOf(a.geometry) ?? '')?.addresses.push(a.id);
  const edges = new Map<string, { code: string; edge: [Position, Position] }[]>();
  for (const g of socialGrids) {
    const ring = outerRing(g.geometry);
    for (let k = 0; k + 1 < ring.length; k++) {
      const [p, q] = [ring[k]!, ring[k + 1]!];
      const key = [p, q].map((v) => `${v[0]},${v[1]}`).sort().join(' ');
      edges.set(key, [...(edges.get(key) ?? []), { code: g.code, edge: [p, q] }]);
    }
  }
  for (const sharing of edges.values()) {
    for (const a of sharing) for (const b of sharing) if (a.code !== b.code) neighbours.set(a.code, [...(neighbours.get(a.code) ?? []), { code: b.code, edge: a.edge }]);
  }

  // the writers the API uses, over a plain point-in-polygon lookup of the store's current grids
  const at = (scheme: Grid['scheme'], x: number, y: number): Grid | undefined =>
    store.gridsMeeting(scheme, { minX: x, minY: y, maxX: x, maxY: y }).find((g) => pointInPolygon(x, y, g.geometry));
  features = new FeatureWriter(store, (x, y) => ({ unitGridCode: at('unit', x, y)?.code ?? null, socialStaticCode: at('social', x, y)?.code ?? null }), () => '2027-03-01');
  redraws = new GridRedraw(store, () => '2027-03-01');

  store.db.exec('CREATE TEMP TABLE audit (tbl TEXT NOT NULL, old TEXT, new TEXT)');
  for (const table of AUDITED) {
    const columns = (store.db.prepare(`PRAGMA main.table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const row = (alias: 'OLD' | 'NEW'): string => `json_object(${columns.map((c) => `'${c}', ${alias}.${c}`).join(', ')})`;
    store.db.exec(`
      CREATE TEMP TRIGGER audit_${table}_insert AFTER INSERT ON main.${table} BEGIN INSERT INTO audit VALUES ('${table}', NULL, ${row('NEW')}); END;
      CREATE TEMP TRIGGER audit_${table}_update AFTER UPDATE ON main.${table} BEGIN INSERT INTO audit VALUES ('${table}', ${row('OLD')}, ${row('NEW')}); END;
      CREATE TEMP TRIGGER audit_${table}_delete AFTER DELETE ON main.${table} BEGIN INSERT INTO audit VALUES ('${table}', ${row('OLD')}, NULL); END;
    `);
  }
}, 120_000);

afterAll(() => {
  const lines = [...tally].map(([kind, { accepted, refused }]) => `${kind}: ${accepted} accepted, ${refused} refused`);
  console.log(`write scope properties:\n  ${lines.join('\n  ')}`);
  store?.close();
});

// ---- generating writes -----------------------------------------------------------------------

/** One write: a key's scope, what it writes, and random numbers that place and shape it. */
interface Case {
  scope: number;
  kind: 'component' | 'house' | 'address' | 'patch' | 'retire' | 'redraw';
  u: number[];
}

const unit = fc.integer({ min: 0, max: 999_999 }).map((v) => v / 1_000_000);
const caseOf = (kinds: readonly Case['kind'][]): fc.Arbitrary<Case> =>
  fc.record({ scope: fc.nat(), kind: fc.constantFrom(...kinds), u: fc.array(unit, { minLength: 12, maxLength: 12 }) });

const outerRing = (g: AreaGeometry): Position[] => (g.type === 'Polygon' ? g.coordinates[0]! : g.coordinates[0]![0]!);
const pick = <T>(list: readonly T[], u: number): T => list[Math.floor(u * list.length)]!;
/** a length in degrees from 1e-7 (1 cm) to 3e-3 (300 m), spread evenly on a log scale */
const size = (u: number): number => 1e-7 * 3e4 ** u;
const square = ([x, y]: Position, half: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x! - half, y! - half], [x! + half, y! - half], [x! + half, y! + half], [x! - half, y! + half], [x! - half, y! - half]]],
});
const geom = (g: AreaGeometry): Geom => g.coordinates as Geom;
const fromParts = (parts: polygonClipping.MultiPolygon): AreaGeometry | null =>
  parts.length === 0 ? null : parts.length === 1 ? { type: 'Polygon', coordinates: parts[0]! } : { type: 'MultiPolygon', coordinates: parts };

/** A social grid to write in: mostly one the key's scope holds, else any. */
function gridFor(scope: string, u: number, v: number): Grid {
  const held = socialGrids.filter((g) => (scopeLevel(scope) === 'social_grid' ? g.code === scope : g.code.startsWith(scope)));
  return pick(u < 0.7 && held.length > 0 ? held : socialGrids, v);
}

/** A point in or near a grid: its inside, near one of its corners (edges are where scopes meet), or anywhere in its box. */
function pointNear(grid: Grid, u: number, v: number, w: number): Position {
  if (u < 0.3) return interiorPoint(grid.geometry);
  const box = geometryBBox(grid.geometry);
  if (u < 0.8) {
    const [x, y] = pick(outerRing(grid.geometry), v);
    const d = size(w) * (v < 0.5 ? 1 : -1);
    return [x! + d * Math.cos(w * 40), y! + d * Math.sin(w * 40)];
  }
  return [box.minX + v * (box.maxX - box.minX), box.minY + w * (box.maxY - box.minY)];
}

function geometryOf(type: 'Point' | 'LineString' | 'Polygon', at: Position, u: number, v: number): Point | LineString | Polygon {
  if (type === 'Point') return { type: 'Point', coordinates: at };
  const d = size(u);
  if (type === 'LineString') return { type: 'LineString', coordinates: [at, [at[0]! + d * Math.cos(v * 7), at[1]! + d * Math.sin(v * 7)]] };
  const [x, y] = at as [number, number];
  const h = size(v);
  return { type: 'Polygon', coordinates: [[[x, y], [x + d, y], [x + d, y + h], [x, y + h], [x, y]]] };
}

/** Runs one case as its key, first telling `note` what it is; throws what the writers throw. */
function write(c: Case, note: (what: string) => void): void {
  const { scope } = scopes[c.scope % scopes.length]!;
  const by = writerFor({ name: `key ${scope}`, scope, scopeName: null });
  const u = c.u;
  const grid = gridFor(scope, u[0]!, u[1]!);
  const at = pointNear(grid, u[2]!, u[3]!, u[4]!);
  const inside = inGrid.get(grid.code)!;
  switch (c.kind) {
    case 'component': {
      const type = pick(['Point', 'LineString', 'Polygon'] as const, u[5]!);
      const district = u[8]! < 0.1 ? { district_code: '110102' } : u[8]! < 0.2 ? { district_code: '110101' } : {};
      note(`component ${type}${'district_code' in district ? ` district_code ${district.district_code}` : ''}`);
      features.create('components', { type: 'Feature', geometry: geometryOf(type, at, u[6]!, u[7]!), properties: { major: '01', minor: '19', dept_main: '区城市管理委员会', ...district } }, by);
      return;
    }
    case 'house':
      note('house');
      features.create('houses', { type: 'Feature', geometry: geometryOf('Polygon', at, u[6]!, u[7]!), properties: { floors: 3, use: '住宅' } }, by);
      return;
    case 'address': {
      const house = u[5]! < 0.3 ? null : u[5]! < 0.7 && inside.houses.length > 0 ? pick(inside.houses, u[6]!) : pick(inGrid.get(pick(socialGrids, u[6]!).code)!.houses, u[7]!) ?? null;
      note(`door plate${house === null ? '' : ' linked to a house'}`);
      features.create('addresses', { type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: { road: '多福巷', number: 900, house_id: house } }, by);
      return;
    }
    case 'patch':
    case 'retire': {
      const layer = pick(['components', 'houses', 'addresses'] as const satisfies readonly WritableLayer[], u[5]!);
      const keys: readonly (string | number)[] = inside[layer];
      if (keys.length === 0) return note(`${c.kind} (nothing in the grid)`);
      const key = pick(keys, u[6]!);
      if (c.kind === 'retire') {
        note(`retire ${layer}`);
        return void features.retire(layer, key, undefined, by);
      }
      const record = features.current(layer, key);
      const elsewhere = pointNear(gridFor(scope, u[7]!, u[8]!), u[9]!, u[10]!, u[11]!);
      const geometry = u[7]! < 0.6 ? geometryOf(record.geometry.type, elsewhere, u[9]!, u[10]!) : undefined;
      const properties = layer === 'addresses' && u[8]! < 0.5 ? { house_id: pick(inGrid.get(pick(socialGrids, u[9]!).code)!.houses, u[10]!) ?? null } : layer === 'houses' ? { floors: 4 } : {};
      note(`patch ${layer}${geometry ? ' moved' : ''}${'house_id' in properties ? ' relinked' : ''}`);
      return void features.patch(layer, key, { geometry, properties }, by);
    }
    case 'redraw':
      return redraw(grid, by, u, note);
  }
}

/** A redraw of `grid`: growing it, giving a piece to a neighbour or taking one, a sliver strip along an edge, or nonsense. */
function redraw(grid: Grid, by: ReturnType<typeof writerFor>, u: number[], note: (what: string) => void): void {
  const near = neighbours.get(grid.code) ?? [];
  if (near.length === 0) return note('redraw (no neighbour)');
  const { code: other, edge } = pick(near, u[5]!);
  const neighbour = store.getGrid('social', other)!;
  const [p, q] = edge;
  const t = u[6]!;
  const onEdge: Position = [p[0]! + t * (q[0]! - p[0]!), p[1]! + t * (q[1]! - p[1]!)];
  const piece = square(onEdge, size(u[7]!));
  const variant = pick(['grow', 'give', 'take', 'strip', 'corner', 'nonsense'] as const, u[8]!);
  const body = ((): { geometry: AreaGeometry | null; neighbours?: { static_code: string; geometry: AreaGeometry | null }[] } => {
    switch (variant) {
      case 'grow':
        return { geometry: fromParts(polygonClipping.union(geom(grid.geometry), geom(piece))) };
      case 'give': {
        const given = polygonClipping.intersection(geom(grid.geometry), geom(piece));
        return {
          geometry: fromParts(polygonClipping.difference(geom(grid.geometry), given)),
          neighbours: [{ static_code: other, geometry: fromParts(polygonClipping.union(geom(neighbour.geometry), given)) }],
        };
      }
      case 'take': {
        const taken = polygonClipping.intersection(geom(neighbour.geometry), geom(piece));
        return {
          geometry: fromParts(polygonClipping.union(geom(grid.geometry), taken)),
          neighbours: [{ static_code: other, geometry: fromParts(polygonClipping.difference(geom(neighbour.geometry), taken)) }],
        };
      }
      case 'strip': {
        // 1 mm to 1 m wide, toward either side of the edge
        const width = size(u[9]!) / 30 * (u[10]! < 0.5 ? 1 : -1);
        const [dx, dy] = [q[0]! - p[0]!, q[1]! - p[1]!];
        const [nx, ny] = [(-dy / Math.hypot(dx, dy)) * width, (dx / Math.hypot(dx, dy)) * width];
        const strip: Geom = [[p, q, [q[0]! + nx, q[1]! + ny], [p[0]! + nx, p[1]! + ny], p]] as Geom;
        return { geometry: fromParts(polygonClipping.union(geom(grid.geometry), strip)) };
      }
      case 'corner': {
        const corner = square(pick(outerRing(grid.geometry), u[9]!), size(u[10]!));
        return { geometry: fromParts(polygonClipping.union(geom(grid.geometry), geom(corner))) };
      }
      default:
        return { geometry: piece, neighbours: u[9]! < 0.5 ? [{ static_code: other, geometry: square(interiorPoint(neighbour.geometry), size(u[10]!)) }] : undefined };
    }
  })();
  note(`redraw ${variant}${body.neighbours ? ' named' : ''}`);
  redraws.redraw(grid.code, { geometry: body.geometry, neighbours: body.neighbours as { static_code: string; geometry: unknown }[] | undefined }, by);
}

// ---- the oracle ------------------------------------------------------------------------------

type Row = Record<string, unknown>;
interface AuditRow {
  tbl: string;
  old: Row | null;
  new: Row | null;
}

const parsed = (text: string | null): Row | null => {
  if (text === null) return null;
  const row = JSON.parse(text) as Row;
  if (typeof row.geometry === 'string') row.geometry = JSON.parse(row.geometry);
  return row;
};

const areaOf = (parts: polygonClipping.MultiPolygon): number => (parts.length === 0 ? 0 : geometryAreaM2({ type: 'MultiPolygon', coordinates: parts }));

/** Metres of a line outside an area, by points every 5 cm: a measure independent of the writer's. */
function lineOutsideM(line: Position[], area: AreaGeometry): number {
  let outside = 0;
  for (let k = 0; k + 1 < line.length; k++) {
    const [a, b] = [line[k]!, line[k + 1]!];
    const metres = Math.hypot((b[0]! - a[0]!) * Math.cos((a[1]! * Math.PI) / 180), b[1]! - a[1]!) * 111_320;
    const steps = Math.max(1, Math.min(20_000, Math.ceil(metres / 0.05)));
    for (let i = 0; i < steps; i++) {
      const t = (i + 0.5) / steps;
      const [x, y] = [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)];
      if (!pointInPolygon(x, y, area) && !nearEdge(x, y, area)) outside += metres / steps;
    }
  }
  return outside;
}

/** Within a micrometre of an area's edge: the half-open point-in-polygon rule gives east and north edges away. */
function nearEdge(x: number, y: number, area: AreaGeometry): boolean {
  for (const polygon of area.type === 'Polygon' ? [area.coordinates] : area.coordinates) {
    for (const ring of polygon) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const [cx, cy] = ring[k] as [number, number];
        const [dx, dy] = ring[k + 1] as [number, number];
        const [sx, sy] = [dx - cx, dy - cy];
        const t = Math.max(0, Math.min(1, ((x - cx) * sx + (y - cy) * sy) / (sx * sx + sy * sy || 1)));
        if (Math.hypot(x - cx - t * sx, y - cy - t * sy) < 1e-11) return true;
      }
    }
  }
  return false;
}

/** Why a feature's geometry does not lie in the area (up to the rounding writes allow), or null. */
function outsideOf(geometry: Point | LineString | Polygon, area: AreaGeometry): string | null {
  if (geometry.type === 'Point') {
    const [x, y] = geometry.coordinates as [number, number];
    return pointInPolygon(x, y, area) || nearEdge(x, y, area) ? null : `point ${x}, ${y} outside`;
  }
  if (geometry.type === 'LineString') {
    // a 5 cm step may misplace up to 5 cm at each of a few crossings
    const metres = lineOutsideM(geometry.coordinates, area);
    return metres <= TOLERANCE_M + 0.2 ? null : `${metres.toFixed(2)} m of a line outside`;
  }
  const m2 = areaOf(polygonClipping.difference(geom(geometry), geom(area)));
  return m2 <= TOLERANCE_M2 + 1e-6 ? null : `${m2.toFixed(3)} m² of a polygon outside`;
}

const inScope = (code: unknown, scope: string): boolean =>
  typeof code === 'string' && (scopeLevel(scope) === 'social_grid' ? code === scope : code.startsWith(scope));

/** What an accepted write changed outside the key's scope (empty: nothing). */
function violations(audit: AuditRow[], scope: string, area: AreaGeometry): string[] {
  const found: string[] = [];
  const newVersions: Row[] = [];
  for (const { tbl, old, new: now } of audit) {
    const label = `${tbl} ${JSON.stringify(now?.code ?? now?.id ?? old?.code ?? old?.id)}`;
    if (tbl === 'grids') {
      for (const row of [old, now]) {
        if (row === null) continue;
        if (row.scheme !== 'social') found.push(`${label}: a unit grid changed`);
        if (!inScope(row.code, scope)) found.push(`${label}: a grid outside the scope changed`);
      }
      if (now !== null && now.valid_to === null) {
        newVersions.push(now);
        const community = store.getArea(String(now.community_code))!.geometry;
        const m2 = areaOf(polygonClipping.difference(geom(now.geometry as AreaGeometry), geom(community)));
        if (m2 > ROUNDING_M2) found.push(`${label}: ${m2.toFixed(4)} m² outside its community ${String(now.community_code)}`);
      }
      continue;
    }
    if (tbl !== 'components' && tbl !== 'houses' && tbl !== 'addresses') {
      found.push(`${label}: table ${tbl} changed`);
      continue;
    }
    for (const [when, row] of [['before', old], ['after', now]] as const) {
      const why = row === null ? null : outsideOf(row.geometry as Point, area);
      if (why !== null) found.push(`${label} ${when}: ${why}`);
    }
    if (tbl === 'components' && now !== null && now.unit_grid_code !== null && String(now.code).slice(0, 6) !== String(now.unit_grid_code).slice(0, 6)) {
      found.push(`${label}: code in district ${String(now.code).slice(0, 6)}, lies in unit grid ${String(now.unit_grid_code)}`);
    }
    if (tbl === 'addresses' && now?.house_id != null && now.house_id !== old?.house_id) {
      const why = outsideOf(store.getHouse(Number(now.house_id))!.geometry, area);
      if (why !== null) found.push(`${label}: linked to house ${String(now.house_id)}: ${why}`);
    }
  }
  // no new boundary overlaps a grid that kept its version
  const changed = new Set(newVersions.map((v) => String(v.code)));
  for (const v of newVersions) {
    const shape = v.geometry as AreaGeometry;
    for (const other of store.gridsMeeting('social', geometryBBox(shape))) {
      if (changed.has(other.code)) continue;
      const m2 = areaOf(polygonClipping.intersection(geom(shape), geom(other.geometry)));
      if (m2 > ROUNDING_M2) found.push(`grid ${String(v.code)}'s new boundary overlaps ${other.code}, which kept its version, by ${m2.toFixed(4)} m²`);
    }
  }
  return found;
}

const ROLLBACK = new Error('rolled back: every case starts from the same store');

/** Runs a case in a transaction that is then rolled back; fails on a crash, a change a refusal left, or a change outside the scope. */
function check(c: Case): void {
  const { scope, area } = scopes[c.scope % scopes.length]!;
  try {
    store.transaction(() => {
      store.db.exec('DELETE FROM audit');
      let what: string = c.kind;
      let refusal: AppError | null = null;
      try {
        write(c, (w) => (what = w));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refusal = error;
      }
      const audit = (store.db.prepare('SELECT tbl, old, new FROM audit').all() as { tbl: string; old: string | null; new: string | null }[]).map((r) => ({
        tbl: r.tbl,
        old: parsed(r.old),
        new: parsed(r.new),
      }));
      const counts = tally.get(what) ?? { accepted: 0, refused: 0 };
      tally.set(what, counts);
      if (refusal !== null) {
        counts.refused++;
        expect(['invalid_request', 'forbidden', 'conflict', 'not_found'], refusal.message).toContain(refusal.code);
        expect(audit, `${what} by ${scope} was refused (${refusal.message}) but changed rows`).toEqual([]);
      } else {
        counts.accepted++;
        expect(violations(audit, scope, area), `${what} by key of ${scope}`).toEqual([]);
      }
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
}

const featureRuns = fuzzRuns(6_000);
const redrawRuns = fuzzRuns(4_000);

describe('no accepted write changes anything outside its key\'s scope (issue 12)', () => {
  test.prop([caseOf(['component', 'house', 'address', 'patch', 'retire'])], { numRuns: featureRuns })(
    'features: components (points, lines, polygons, district_code), houses, door plates linked to houses; created, moved, relinked, retired',
    (c) => check(c),
    fuzzTimeoutMs(featureRuns, 2),
  );

  test.prop([caseOf(['redraw'])], { numRuns: redrawRuns })(
    'grid redraws: grown, a piece given to or taken from a neighbour (named or not, of any community), sliver strips along edges, nonsense',
    (c) => check(c),
    fuzzTimeoutMs(redrawRuns, 6),
  );
});
