import type { Geometry, Position } from 'geojson';
import proj4 from 'proj4';
import { InvalidRequestError } from '../errors.js';
import { bd09ToWgs84, gcj02ToWgs84, wgs84ToBd09, wgs84ToGcj02 } from './gcj02.js';

/** Canonical CRS name: a lower-case alias or `EPSG:nnnn`. */
export type CrsName = 'wgs84' | 'cgcs2000' | 'gcj02' | 'bd09' | `EPSG:${number}`;

/** A supported coordinate reference system, as returned by `parseCrs`. */
export interface Crs {
  readonly name: CrsName;
  /** geographic = WGS84 degrees as is; gcj02/bd09 = Chinese offset degrees; projected = metres via proj4 */
  readonly kind: 'geographic' | 'gcj02' | 'bd09' | 'projected';
  /** proj4 definition for projected CRSs, null otherwise */
  readonly proj4: string | null;
}

/** Converts one position between two CRSs; returns a new array. */
export type PositionConverter = (p: Position) => Position;

const WGS84_PROJ = '+proj=longlat +datum=WGS84 +no_defs';
const WEB_MERCATOR_PROJ =
  '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs';

// CGCS2000 3-degree Gauss-Krüger: EPSG:4513–4533 are zones 25–45 with the zone number in front of the false easting,
// EPSG:4534–4554 are the same central meridians (75°E–135°E) without it
const GK_ZONE_FIRST = 4513;
const GK_ZONE_LAST = 4533;
const GK_CM_FIRST = 4534;
const GK_CM_LAST = 4554;
const GK_FIRST_ZONE = 25;

// a Map, not an object literal, so that "constructor" or "__proto__" are not found
const ALIASES = new Map<string, Crs>([
  ['wgs84', { name: 'wgs84', kind: 'geographic', proj4: null }],
  // CGCS2000 and WGS84 (G1762) differ by a few cm, below what GCJ-02 or any of our sources resolve
  ['cgcs2000', { name: 'cgcs2000', kind: 'geographic', proj4: null }],
  ['gcj02', { name: 'gcj02', kind: 'gcj02', proj4: null }],
  ['bd09', { name: 'bd09', kind: 'bd09', proj4: null }],
]);

const ACCEPTED =
  'wgs84, cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490, EPSG:3857, ' +
  `EPSG:${GK_ZONE_FIRST}–EPSG:${GK_CM_LAST} (CGCS2000 3-degree Gauss-Kruger)`;

/**
 * Parses a CRS name (case-insensitive); throws `InvalidRequestError` listing the accepted names otherwise.
 * @example parseCrs('EPSG:4527') // CGCS2000 / 3-degree Gauss-Kruger zone 39, CM 117°E
 */
export function parseCrs(text: string): Crs {
  const key = text.trim().toLowerCase();
  const alias = ALIASES.get(key);
  if (alias) return alias;
  const match = /^epsg:(\d{1,6})$/.exec(key);
  const crs = match ? epsgCrs(Number(match[1])) : null;
  if (!crs) throw new InvalidRequestError(`Unknown or unsupported CRS "${text}": expected one of ${ACCEPTED}`);
  return crs;
}

/** Human-readable name, e.g. "CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527)". */
export function crsLabel(crs: Crs): string {
  switch (crs.name) {
    case 'wgs84':
      return 'WGS 84';
    case 'cgcs2000':
      return 'CGCS2000';
    case 'gcj02':
      return 'GCJ-02 (Chinese "Mars" offset of WGS 84)';
    case 'bd09':
      return 'BD-09 (Baidu offset of GCJ-02)';
  }
  const code = Number(crs.name.slice('EPSG:'.length));
  if (code === 4326) return 'WGS 84 (EPSG:4326)';
  if (code === 4490) return 'CGCS2000 (EPSG:4490)';
  if (code === 3857) return 'WGS 84 / Pseudo-Mercator (EPSG:3857)';
  const { zone, centralMeridian } = gaussKruger(code);
  return zone === null
    ? `CGCS2000 / 3-degree Gauss-Kruger CM ${centralMeridian}E (${crs.name})`
    : `CGCS2000 / 3-degree Gauss-Kruger zone ${zone} (${crs.name})`;
}

/** A reusable converter from `crs` to WGS84 `[lng, lat]`; projected CRSs take `[easting, northing]` in metres. */
export function toWgs84(crs: Crs): PositionConverter {
  switch (crs.kind) {
    case 'geographic':
      return copyPosition;
    case 'gcj02':
      return gcj02ToWgs84;
    case 'bd09':
      return bd09ToWgs84;
    case 'projected': {
      const converter = proj4(WGS84_PROJ, crs.proj4!);
      return (p) => withRest(converter.inverse([p[0]!, p[1]!]), p);
    }
  }
}

/** A reusable converter from WGS84 `[lng, lat]` to `crs`; projected CRSs give `[easting, northing]` in metres. */
export function fromWgs84(crs: Crs): PositionConverter {
  switch (crs.kind) {
    case 'geographic':
      return copyPosition;
    case 'gcj02':
      return wgs84ToGcj02;
    case 'bd09':
      return wgs84ToBd09;
    case 'projected': {
      const converter = proj4(WGS84_PROJ, crs.proj4!);
      return (p) => withRest(converter.forward([p[0]!, p[1]!]), p);
    }
  }
}

/** A new geometry of the same type with every position converted; foreign members and `bbox` are dropped. */
export function transformGeometry<G extends Geometry>(geometry: G, convert: PositionConverter): G {
  return transformAny(geometry, convert) as G;
}

function transformAny(geometry: Geometry, convert: PositionConverter): Geometry {
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: convert(geometry.coordinates) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: geometry.coordinates.map(convert) };
    case 'LineString':
      return { type: 'LineString', coordinates: geometry.coordinates.map(convert) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: geometry.coordinates.map((line) => line.map(convert)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates.map((ring) => ring.map(convert)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((polygon) => polygon.map((ring) => ring.map(convert))),
      };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: geometry.geometries.map((g) => transformAny(g, convert)) };
  }
}

function epsgCrs(code: number): Crs | null {
  const name: CrsName = `EPSG:${code}`;
  if (code === 4326) return { name, kind: 'geographic', proj4: null };
  // CGCS2000 geographic; treated as WGS84 (they differ by a few cm)
  if (code === 4490) return { name, kind: 'geographic', proj4: null };
  if (code === 3857) return { name, kind: 'projected', proj4: WEB_MERCATOR_PROJ };
  if (code < GK_ZONE_FIRST || code > GK_CM_LAST) return null;
  const { zone, centralMeridian } = gaussKruger(code);
  const falseEasting = zone === null ? 500000 : zone * 1e6 + 500000;
  const proj =
    `+proj=tmerc +lat_0=0 +lon_0=${centralMeridian} +k=1 +x_0=${falseEasting} +y_0=0 ` +
    '+ellps=GRS80 +units=m +no_defs';
  return { name, kind: 'projected', proj4: proj };
}

// zone is null for the "CM" variants, whose false easting carries no zone prefix
function gaussKruger(code: number): { zone: number | null; centralMeridian: number } {
  if (code >= GK_ZONE_FIRST && code <= GK_ZONE_LAST) {
    const zone = GK_FIRST_ZONE + (code - GK_ZONE_FIRST);
    return { zone, centralMeridian: zone * 3 };
  }
  if (code >= GK_CM_FIRST && code <= GK_CM_LAST) {
    return { zone: null, centralMeridian: (GK_FIRST_ZONE + (code - GK_CM_FIRST)) * 3 };
  }
  throw new Error(`EPSG:${code} is not a CGCS2000 3-degree Gauss-Kruger code (${GK_ZONE_FIRST}–${GK_CM_LAST})`);
}

function copyPosition(p: Position): Position {
  return p.slice();
}

function withRest(xy: number[], p: Position): Position {
  return p.length > 2 ? [xy[0]!, xy[1]!, ...p.slice(2)] : [xy[0]!, xy[1]!];
}
