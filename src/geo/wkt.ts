import type { Geometry, Position } from 'geojson';
import { InvalidRequestError } from '../errors.js';

/** A geometry read from EWKT together with its `SRID=n;` prefix, if any. */
export interface Ewkt {
  srid: number | null;
  geometry: Geometry;
}

type Tag =
  | 'POINT'
  | 'LINESTRING'
  | 'POLYGON'
  | 'MULTIPOINT'
  | 'MULTILINESTRING'
  | 'MULTIPOLYGON'
  | 'GEOMETRYCOLLECTION';

const TAGS: readonly Tag[] = [
  'POINT',
  'LINESTRING',
  'POLYGON',
  'MULTIPOINT',
  'MULTILINESTRING',
  'MULTIPOLYGON',
  'GEOMETRYCOLLECTION',
];

const NUMBER = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z]+/y;
const INTEGER = /\d+/y;

/**
 * Parses 2D WKT (Z and M ordinates are read and dropped); an `SRID=n;` prefix is accepted and ignored, use
 * `parseEwkt` to read it. Throws `InvalidRequestError` naming what was expected at which character offset.
 * @example parseWkt('POINT (116.39 39.91)') // { type: 'Point', coordinates: [116.39, 39.91] }
 */
export function parseWkt(text: string): Geometry {
  return parseEwkt(text).geometry;
}

/** Parses EWKT: optional `SRID=n;` prefix, then WKT as `parseWkt` reads it. */
export function parseEwkt(text: string): Ewkt {
  const reader = new WktReader(text);
  const srid = reader.srid();
  const geometry = reader.geometry();
  reader.end();
  return { srid, geometry };
}

/**
 * Writes a geometry as 2D WKT with at most `precision` decimals (trailing zeros dropped); MultiPoint members are
 * parenthesised. Throws `InvalidRequestError` for empty geometries and non-finite numbers, which WKT here cannot carry.
 */
export function formatWkt(geometry: Geometry, precision = 7): string {
  if (!Number.isInteger(precision) || precision < 0 || precision > 20) {
    throw new RangeError(`WKT precision must be an integer from 0 to 20, got ${precision}`);
  }
  return writeGeometry(geometry, precision);
}

class WktReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  srid(): number | null {
    this.skipSpace();
    const start = this.pos;
    if (this.text.slice(start, start + 4).toUpperCase() !== 'SRID') return null;
    this.pos += 4;
    this.skipSpace();
    this.expect('=');
    this.skipSpace();
    INTEGER.lastIndex = this.pos;
    const match = INTEGER.exec(this.text);
    if (!match) this.fail('an integer SRID');
    this.pos = INTEGER.lastIndex;
    this.skipSpace();
    this.expect(';');
    return Number(match[0]);
  }

  geometry(): Geometry {
    this.skipSpace();
    const start = this.pos;
    const { tag, ordinates } = this.tag();
    this.skipSpace();
    if (this.peekWord() === 'EMPTY') {
      throw new InvalidRequestError(
        `Invalid WKT: ${tag} EMPTY at offset ${start} is not supported (GeoJSON has no empty geometries)`,
      );
    }
    switch (tag) {
      case 'POINT':
        return { type: 'Point', coordinates: this.wrapped(() => this.position(ordinates)) };
      case 'LINESTRING':
        return { type: 'LineString', coordinates: this.positions(ordinates) };
      case 'POLYGON':
        return { type: 'Polygon', coordinates: this.rings(ordinates) };
      case 'MULTIPOINT':
        // both the OGC 1.1 form (1 2, 3 4) and the 1.2 form ((1 2), (3 4))
        return {
          type: 'MultiPoint',
          coordinates: this.list(() =>
            this.peek() === '(' ? this.wrapped(() => this.position(ordinates)) : this.position(ordinates),
          ),
        };
      case 'MULTILINESTRING':
        return { type: 'MultiLineString', coordinates: this.list(() => this.positions(ordinates)) };
      case 'MULTIPOLYGON':
        return { type: 'MultiPolygon', coordinates: this.list(() => this.rings(ordinates)) };
      case 'GEOMETRYCOLLECTION':
        return { type: 'GeometryCollection', geometries: this.list(() => this.geometry()) };
    }
  }

  end(): void {
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('end of input');
  }

  // the tag and how many ordinates a position has: a Z, M or ZM marker, as a separate word or glued on
  // (EWKT's POINTM), fixes it; without one, 2 to 4 are accepted
  private tag(): { tag: Tag; ordinates: number | null } {
    const start = this.pos;
    const word = this.word();
    if (word === null) this.fail(`a geometry type (${TAGS.join(', ')})`);
    for (const tag of TAGS) {
      if (!word.startsWith(tag)) continue;
      const glued = word.slice(tag.length);
      const suffix = glued === '' ? this.dimensionWord() : glued;
      const ordinates = ordinatesFor(suffix);
      if (ordinates !== undefined) return { tag, ordinates };
    }
    this.pos = start;
    this.fail(`a geometry type (${TAGS.join(', ')})`);
  }

  private dimensionWord(): string {
    const save = this.pos;
    this.skipSpace();
    const word = this.peekWord();
    if (word === 'Z' || word === 'M' || word === 'ZM') {
      this.word();
      return word;
    }
    this.pos = save;
    return '';
  }

  private rings(ordinates: number | null): Position[][] {
    return this.list(() => this.positions(ordinates));
  }

  private positions(ordinates: number | null): Position[] {
    return this.list(() => this.position(ordinates));
  }

  // '(' item (',' item)* ')'
  private list<T>(item: () => T): T[] {
    this.skipSpace();
    this.expect('(');
    const items: T[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peekWord() === 'EMPTY') {
        throw new InvalidRequestError(
          `Invalid WKT: EMPTY member at offset ${this.pos} is not supported (GeoJSON has no empty geometries)`,
        );
      }
      items.push(item());
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === ')') {
        this.pos++;
        return items;
      }
      this.fail('"," or ")"');
    }
  }

  private wrapped<T>(item: () => T): T {
    this.skipSpace();
    this.expect('(');
    this.skipSpace();
    const value = item();
    this.skipSpace();
    this.expect(')');
    return value;
  }

  private position(ordinates: number | null): Position {
    this.skipSpace();
    const values = [this.number()];
    const wanted = ordinates ?? 4;
    while (values.length < wanted) {
      const beforeSpace = this.pos;
      this.skipSpace();
      if (!startsNumber(this.peek())) break;
      if (this.pos === beforeSpace) this.fail('whitespace between ordinates');
      values.push(this.number());
    }
    if (values.length < (ordinates ?? 2)) {
      this.fail(ordinates === null ? 'a second ordinate' : `${ordinates} ordinates per position, found ${values.length}`);
    }
    // Z and M are dropped: the service is 2D
    return [values[0]!, values[1]!];
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('a number');
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail('a finite number');
    this.pos = NUMBER.lastIndex;
    return value;
  }

  private word(): string | null {
    WORD.lastIndex = this.pos;
    const match = WORD.exec(this.text);
    if (!match) return null;
    this.pos = WORD.lastIndex;
    return match[0].toUpperCase();
  }

  private peekWord(): string | null {
    WORD.lastIndex = this.pos;
    return WORD.exec(this.text)?.[0].toUpperCase() ?? null;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail(`"${char}"`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text.charAt(this.pos))) this.pos++;
  }

  private fail(expected: string): never {
    const found =
      this.pos >= this.text.length ? 'end of input' : JSON.stringify(this.text.slice(this.pos, this.pos + 12));
    throw new InvalidRequestError(`Invalid WKT: expected ${expected} at offset ${this.pos}, found ${found}`);
  }
}

function ordinatesFor(suffix: string): number | null | undefined {
  if (suffix === '') return null;
  if (suffix === 'Z' || suffix === 'M') return 3;
  if (suffix === 'ZM') return 4;
  return undefined;
}

function startsNumber(char: string): boolean {
  return /[\d+\-.]/.test(char);
}

function writeGeometry(geometry: Geometry, precision: number): string {
  const pos = (p: Position) => `${formatNumber(p[0], precision)} ${formatNumber(p[1], precision)}`;
  const line = (ps: Position[], what: string) => `(${nonEmpty(ps, what).map(pos).join(', ')})`;
  const polygon = (rings: Position[][]) =>
    `(${nonEmpty(rings, 'Polygon').map((ring) => line(ring, 'Polygon ring')).join(', ')})`;
  switch (geometry.type) {
    case 'Point':
      return `POINT (${pos(geometry.coordinates)})`;
    case 'LineString':
      return `LINESTRING ${line(geometry.coordinates, 'LineString')}`;
    case 'Polygon':
      return `POLYGON ${polygon(geometry.coordinates)}`;
    case 'MultiPoint':
      return `MULTIPOINT (${nonEmpty(geometry.coordinates, 'MultiPoint')
        .map((p) => `(${pos(p)})`)
        .join(', ')})`;
    case 'MultiLineString':
      return `MULTILINESTRING (${nonEmpty(geometry.coordinates, 'MultiLineString')
        .map((l) => line(l, 'MultiLineString member'))
        .join(', ')})`;
    case 'MultiPolygon':
      return `MULTIPOLYGON (${nonEmpty(geometry.coordinates, 'MultiPolygon').map(polygon).join(', ')})`;
    case 'GeometryCollection':
      return `GEOMETRYCOLLECTION (${nonEmpty(geometry.geometries, 'GeometryCollection')
        .map((g) => writeGeometry(g, precision))
        .join(', ')})`;
  }
}

function nonEmpty<T>(items: T[], what: string): T[] {
  if (items.length === 0) throw new InvalidRequestError(`Cannot write an empty ${what} as WKT`);
  return items;
}

function formatNumber(value: number | undefined, precision: number): string {
  if (value === undefined || !Number.isFinite(value)) {
    throw new InvalidRequestError(`Cannot write ${String(value)} as a WKT coordinate`);
  }
  const fixed = value.toFixed(precision);
  // toFixed switches to exponent notation from 1e21; the reader accepts that too
  const trimmed = fixed.includes('.') && !fixed.includes('e') ? fixed.replace(/\.?0+$/, '') : fixed;
  return trimmed === '-0' ? '0' : trimmed;
}
