import type { Geometry, Position } from 'geojson';
import { ringAreaM2 } from './area.js';
import { orient2d, pointInRings } from './pip.js';

/** Geometry types a caller can demand from `validateGeometry`. */
export type GeometryKind = 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';

/** Options of `validateGeometry`. */
export interface ValidateOptions {
  /** allowed types; GeometryCollection is accepted only when this is absent */
  expect?: GeometryKind[];
}

const TYPES = [
  'Point',
  'LineString',
  'Polygon',
  'MultiPoint',
  'MultiLineString',
  'MultiPolygon',
  'GeometryCollection',
] as const;

// how deep each type nests its positions: 0 = one position, 1 = an array of them, …
const DEPTH: Record<GeometryKind, number> = {
  Point: 0,
  MultiPoint: 1,
  LineString: 1,
  MultiLineString: 2,
  Polygon: 2,
  MultiPolygon: 3,
};
const EXPECTED_AT_DEPTH = [
  'a position [lng, lat]',
  'an array of positions',
  'an array of position arrays',
  'an array of polygons (arrays of rings)',
];

const MAX_PROBLEMS = 100;
const MAX_INTERSECTIONS_PER_POLYGON = 10;

/**
 * Lists what is wrong with a GeoJSON geometry (empty = valid): unknown or missing type, wrong nesting, non-finite
 * numbers, lng/lat out of range, short or degenerate lines and rings, unclosed rings, zero-area rings,
 * self-intersecting rings and holes crossing or outside their exterior. Each message starts with the path of the
 * offending part, e.g. `coordinates[0][3]: …`; segment i of a ring runs from position i to the next distinct one.
 * Winding is not checked here (see `hasRfc7946Winding`); overlapping members of a MultiPolygon are not detected.
 * @example validateGeometry({ type: 'Point', coordinates: [200, 0] }) // ['coordinates: longitude 200 is outside [-180, 180]']
 */
export function validateGeometry(geometry: unknown, options: ValidateOptions = {}): string[] {
  const problems: string[] = [];
  checkGeometry(geometry, '', options.expect, problems);
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`];
}

/** A copy with RFC 7946 winding: exterior rings counter-clockwise, holes clockwise (by the sign of `ringAreaM2`). */
export function rewindGeometry<G extends Geometry>(geometry: G): G {
  return rewindAny(geometry) as G;
}

/** True when every ring winds as RFC 7946 asks (zero-area rings count as either). */
export function hasRfc7946Winding(geometry: Geometry): boolean {
  switch (geometry.type) {
    case 'Polygon':
      return polygonWound(geometry.coordinates);
    case 'MultiPolygon':
      return geometry.coordinates.every(polygonWound);
    case 'GeometryCollection':
      return geometry.geometries.every(hasRfc7946Winding);
    default:
      return true;
  }
}

function polygonWound(rings: Position[][]): boolean {
  return rings.every((ring, r) => (r === 0 ? ringAreaM2(ring) >= 0 : ringAreaM2(ring) <= 0));
}

function rewindAny(geometry: Geometry): Geometry {
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: geometry.coordinates.slice() };
    case 'MultiPoint':
    case 'LineString':
      return { type: geometry.type, coordinates: geometry.coordinates.map((p) => p.slice()) } as Geometry;
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: geometry.coordinates.map((l) => l.map((p) => p.slice())) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: rewindPolygon(geometry.coordinates) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: geometry.coordinates.map(rewindPolygon) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: geometry.geometries.map(rewindAny) };
  }
}

function rewindPolygon(rings: Position[][]): Position[][] {
  return rings.map((ring, r) => {
    const copy = ring.map((p) => p.slice());
    const area = ringAreaM2(ring);
    const wrong = r === 0 ? area < 0 : area > 0;
    return wrong ? copy.reverse() : copy;
  });
}

function checkGeometry(value: unknown, path: string, expect: GeometryKind[] | undefined, problems: string[]): void {
  const at = (member: string) => (path ? `${path}.${member}` : member);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${prefix(path)}expected a geometry object, got ${describe(value)}`);
    return;
  }
  const { type } = value as { type?: unknown };
  if (type === undefined) {
    problems.push(`${prefix(path)}missing type: expected one of ${TYPES.join(', ')}`);
    return;
  }
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    problems.push(`${at('type')}: unknown type ${JSON.stringify(type)}: expected one of ${TYPES.join(', ')}`);
    return;
  }
  if (expect && !(expect as string[]).includes(type)) {
    problems.push(`${at('type')}: expected ${expect.join(' or ')}, got ${type}`);
    return;
  }
  if (type === 'GeometryCollection') {
    const { geometries } = value as { geometries?: unknown };
    if (!Array.isArray(geometries)) {
      problems.push(`${at('geometries')}: expected an array of geometries, got ${describe(geometries)}`);
      return;
    }
    geometries.forEach((g, i) => checkGeometry(g, at(`geometries[${i}]`), undefined, problems));
    return;
  }
  const kind = type as GeometryKind;
  const coordinates = (value as { coordinates?: unknown }).coordinates;
  const coordinatesPath = at('coordinates');
  const numbers = { finite: true };
  if (!checkNesting(coordinates, coordinatesPath, DEPTH[kind], kind, numbers, problems)) return;
  if (DEPTH[kind] > 0 && (coordinates as unknown[]).length === 0) {
    problems.push(`${coordinatesPath}: a ${kind} needs at least one ${kind === 'Polygon' ? 'ring' : 'member'}`);
    return;
  }
  // the shape checks need finite numbers throughout; range problems do not get in their way
  if (numbers.finite) checkShape(kind, coordinates as never, coordinatesPath, problems);
}

// structure, numbers and ranges; false on a nesting problem, after which the caller stops
function checkNesting(
  value: unknown,
  path: string,
  depth: number,
  kind: GeometryKind,
  numbers: { finite: boolean },
  problems: string[],
): boolean {
  if (depth === 0) return checkPosition(value, path, kind, numbers, problems);
  if (!Array.isArray(value)) {
    const hint = typeof value === 'number' ? ` (too shallow for a ${kind})` : '';
    problems.push(`${path}: expected ${EXPECTED_AT_DEPTH[depth]}, got ${describe(value)}${hint}`);
    return false;
  }
  if (value.some((v) => typeof v === 'number')) {
    problems.push(`${path}: expected ${EXPECTED_AT_DEPTH[depth]}, got a position (too shallow for a ${kind})`);
    return false;
  }
  for (let i = 0; i < value.length; i++) {
    if (!checkNesting(value[i], `${path}[${i}]`, depth - 1, kind, numbers, problems)) return false;
  }
  return true;
}

function checkPosition(
  value: unknown,
  path: string,
  kind: GeometryKind,
  numbers: { finite: boolean },
  problems: string[],
): boolean {
  if (!Array.isArray(value)) {
    problems.push(`${path}: expected a position [lng, lat], got ${describe(value)}`);
    return false;
  }
  if (value.some(Array.isArray)) {
    problems.push(`${path}: expected a position [lng, lat], got an array of arrays (too deep for a ${kind})`);
    return false;
  }
  if (value.length < 2) {
    problems.push(`${path}: a position needs [lng, lat], got ${value.length} number${value.length === 1 ? '' : 's'}`);
    return false;
  }
  const names = ['longitude', 'latitude', 'altitude'];
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      numbers.finite = false;
      problems.push(`${path}: ${names[i] ?? `ordinate ${i}`} is not a finite number (got ${describe(v)})`);
    }
  });
  const [lng, lat] = value as unknown[];
  if (typeof lng === 'number' && Number.isFinite(lng) && (lng < -180 || lng > 180)) {
    problems.push(`${path}: longitude ${lng} is outside [-180, 180]`);
  }
  if (typeof lat === 'number' && Number.isFinite(lat) && (lat < -90 || lat > 90)) {
    problems.push(`${path}: latitude ${lat} is outside [-90, 90]`);
  }
  return true;
}

function checkShape(kind: GeometryKind, coordinates: never, path: string, problems: string[]): void {
  switch (kind) {
    case 'Point':
    case 'MultiPoint':
      return;
    case 'LineString':
      checkLine(coordinates as Position[], path, problems);
      return;
    case 'MultiLineString':
      (coordinates as Position[][]).forEach((line, i) => checkLine(line, `${path}[${i}]`, problems));
      return;
    case 'Polygon':
      checkPolygon(coordinates as Position[][], path, problems);
      return;
    case 'MultiPolygon':
      (coordinates as Position[][][]).forEach((polygon, i) => checkPolygon(polygon, `${path}[${i}]`, problems));
  }
}

function checkLine(line: Position[], path: string, problems: string[]): void {
  const distinct = distinctIndexes(line, false).length;
  if (distinct < 2) {
    problems.push(`${path}: a LineString needs at least 2 distinct positions, got ${distinct}`);
  }
}

function checkPolygon(rings: Position[][], path: string, problems: string[]): void {
  const usable: { ring: number; vertices: number[] }[] = [];
  rings.forEach((ring, r) => {
    const ringPath = `${path}[${r}]`;
    const what = r === 0 ? 'exterior ring' : `hole ${r}`;
    if (ring.length < 4) {
      problems.push(`${ringPath}: ${what} has ${ring.length} positions, at least 4 needed (3 corners and the closing repeat)`);
      return;
    }
    const first = ring[0]!;
    const last = ring[ring.length - 1]!;
    if (first[0] !== last[0] || first[1] !== last[1]) {
      problems.push(`${ringPath}: ${what} is not closed: first position ${show(first)} differs from last ${show(last)}`);
      return;
    }
    const vertices = distinctIndexes(ring, true);
    if (vertices.length < 3) {
      problems.push(`${ringPath}: ${what} has zero area (only ${vertices.length} distinct position(s))`);
      return;
    }
    if (isCollinear(ring, vertices)) {
      problems.push(`${ringPath}: ${what} has zero area (all its positions are collinear)`);
      return;
    }
    usable.push({ ring: r, vertices });
  });
  checkIntersections(rings, usable, path, problems);
}

// indexes of the positions that differ from their predecessor; for a closed ring the closing repeat is left out
function distinctIndexes(positions: Position[], closed: boolean): number[] {
  const end = closed ? positions.length - 1 : positions.length;
  const kept: number[] = [];
  for (let i = 0; i < end; i++) {
    const p = positions[i]!;
    const prev = kept.length > 0 ? positions[kept[kept.length - 1]!]! : null;
    if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) kept.push(i);
  }
  if (closed && kept.length > 1) {
    const a = positions[kept[0]!]!;
    const b = positions[kept[kept.length - 1]!]!;
    if (a[0] === b[0] && a[1] === b[1]) kept.pop();
  }
  return kept;
}

function isCollinear(ring: Position[], vertices: number[]): boolean {
  const a = ring[vertices[0]!]!;
  const b = ring[vertices[1]!]!;
  return vertices.every((v) => orient2d(a[0]!, a[1]!, b[0]!, b[1]!, ring[v]![0]!, ring[v]![1]!) === 0);
}

interface Segment {
  ring: number;
  /** index of the segment's first position in the ring */
  index: number;
  /** position of the segment among the ring's distinct vertices, and how many there are */
  seq: number;
  count: number;
  ax: number;
  ay: number;
  bx: number;
  by: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

type Contact = 'cross' | 'touch' | 'overlap';

// Sort-and-sweep over the segments' x-extents: sort by minX, then compare each segment only with those whose
// x-range starts before it ends, after a y-range check. That is O(n log n + k) for k x-overlapping pairs, which for
// real outlines of a few thousand vertices is close to linear; the worst case (many long segments stacked in x)
// is O(n²). The predicates are exact (orient2d), so touching and collinear cases are not guessed.
function checkIntersections(
  rings: Position[][],
  usable: { ring: number; vertices: number[] }[],
  path: string,
  problems: string[],
): void {
  const segments: Segment[] = [];
  for (const { ring: r, vertices } of usable) {
    const ring = rings[r]!;
    vertices.forEach((v, seq) => {
      const a = ring[v]!;
      const b = ring[vertices[(seq + 1) % vertices.length]!]!;
      const [ax, ay, bx, by] = [a[0]!, a[1]!, b[0]!, b[1]!];
      segments.push({
        ring: r,
        index: v,
        seq,
        count: vertices.length,
        ax,
        ay,
        bx,
        by,
        minX: Math.min(ax, bx),
        maxX: Math.max(ax, bx),
        minY: Math.min(ay, by),
        maxY: Math.max(ay, by),
      });
    });
  }
  segments.sort((s, t) => s.minX - t.minX);

  const found: { s: Segment; t: Segment; contact: Contact }[] = [];
  const holesAgainstExterior = new Set<number>();
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    for (let j = i + 1; j < segments.length && segments[j]!.minX <= s.maxX; j++) {
      const t = segments[j]!;
      if (t.maxY < s.minY || t.minY > s.maxY) continue;
      const [first, second] = s.ring < t.ring || (s.ring === t.ring && s.index < t.index) ? [s, t] : [t, s];
      const contact = first.ring === second.ring ? sameRingContact(first, second) : ringsContact(first, second);
      if (!contact) continue;
      found.push({ s: first, t: second, contact });
      if (first.ring === 0) holesAgainstExterior.add(second.ring);
    }
  }

  found.sort((p, q) => p.s.ring - q.s.ring || p.t.ring - q.t.ring || p.s.index - q.s.index || p.t.index - q.t.index);
  for (const { s, t, contact } of found.slice(0, MAX_INTERSECTIONS_PER_POLYGON)) {
    problems.push(describeContact(s, t, contact, path));
  }
  if (found.length > MAX_INTERSECTIONS_PER_POLYGON) {
    problems.push(`${path}: … and ${found.length - MAX_INTERSECTIONS_PER_POLYGON} more intersections`);
  }

  // a hole that neither crosses nor overlaps the exterior is wholly inside or wholly outside it
  const exterior = usable.find((u) => u.ring === 0) ? rings[0]! : null;
  if (!exterior) return;
  for (const { ring: r } of usable) {
    if (r === 0 || holesAgainstExterior.has(r)) continue;
    const probe = rings[r]!.find((p) => !onRing(p[0]!, p[1]!, exterior));
    if (probe && !pointInRings(probe[0]!, probe[1]!, [exterior])) {
      problems.push(`${path}[${r}]: hole ${r} lies outside the exterior ring`);
    }
  }
}

function sameRingContact(s: Segment, t: Segment): Contact | null {
  const n = s.count;
  if ((s.seq + 1) % n === t.seq) return doublesBack(s, t) ? 'overlap' : null;
  if ((t.seq + 1) % n === s.seq) return doublesBack(t, s) ? 'overlap' : null;
  return contactOf(s, t);
}

// hole/exterior and hole/hole: a single touching point is allowed (OGC), crossing and shared stretches are not
function ringsContact(s: Segment, t: Segment): Contact | null {
  const contact = contactOf(s, t);
  return contact === 'touch' ? null : contact;
}

// consecutive segments a→b, b→c double back when c lies on the ray from b through a
function doublesBack(s: Segment, t: Segment): boolean {
  if (orient2d(s.ax, s.ay, s.bx, s.by, t.bx, t.by) !== 0) return false;
  return (s.ax - s.bx) * (t.bx - t.ax) + (s.ay - s.by) * (t.by - t.ay) > 0;
}

function contactOf(s: Segment, t: Segment): Contact | null {
  const d1 = Math.sign(orient2d(t.ax, t.ay, t.bx, t.by, s.ax, s.ay));
  const d2 = Math.sign(orient2d(t.ax, t.ay, t.bx, t.by, s.bx, s.by));
  if (d1 === 0 && d2 === 0) return collinearContact(s, t);
  if (d1 * d2 > 0) return null;
  const d3 = Math.sign(orient2d(s.ax, s.ay, s.bx, s.by, t.ax, t.ay));
  const d4 = Math.sign(orient2d(s.ax, s.ay, s.bx, s.by, t.bx, t.by));
  if (d3 * d4 > 0) return null;
  return d1 !== 0 && d2 !== 0 && d3 !== 0 && d4 !== 0 ? 'cross' : 'touch';
}

function collinearContact(s: Segment, t: Segment): Contact | null {
  // compare along the axis in which s is longer; collinear segments are then ordered by that coordinate alone
  const alongX = s.maxX - s.minX >= s.maxY - s.minY;
  const [s0, s1] = alongX ? [s.minX, s.maxX] : [s.minY, s.maxY];
  const [t0, t1] = alongX ? [t.minX, t.maxX] : [t.minY, t.maxY];
  const lo = Math.max(s0, t0);
  const hi = Math.min(s1, t1);
  if (lo > hi) return null;
  return lo === hi ? 'touch' : 'overlap';
}

function describeContact(s: Segment, t: Segment, contact: Contact, path: string): string {
  const verb = contact === 'cross' ? 'cross' : contact === 'touch' ? 'touch' : 'overlap';
  if (s.ring === t.ring) {
    const what = s.ring === 0 ? 'exterior ring' : `hole ${s.ring}`;
    return `${path}[${s.ring}]: ${what} intersects itself: segments ${s.index} and ${t.index} ${verb}`;
  }
  if (s.ring === 0) {
    return (
      `${path}[${t.ring}]: hole ${t.ring} crosses the exterior ring: ` +
      `its segment ${t.index} and exterior segment ${s.index} ${verb}`
    );
  }
  return `${path}[${t.ring}]: holes ${s.ring} and ${t.ring} cross: segments ${s.index} and ${t.index} ${verb}`;
}

function onRing(x: number, y: number, ring: Position[]): boolean {
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    const [ax, ay, bx, by] = [a[0]!, a[1]!, b[0]!, b[1]!];
    if (x < Math.min(ax, bx) || x > Math.max(ax, bx) || y < Math.min(ay, by) || y > Math.max(ay, by)) continue;
    if (orient2d(ax, ay, bx, by, x, y) === 0) return true;
  }
  return false;
}

function prefix(path: string): string {
  return path ? `${path}: ` : '';
}

function show(p: Position): string {
  return `[${p.join(', ')}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  return `${typeof value === 'object' ? 'an object' : `a ${typeof value}`}`;
}
