import type { Feature, Geometry } from 'geojson';
import { parseWkt } from '../geo/wkt.js';
import { parseCsv } from './csv.js';

export type FeatureFormat = 'geojson' | 'ndjson' | 'csv';
export const FEATURE_FORMATS: readonly FeatureFormat[] = ['geojson', 'ndjson', 'csv'];

/** One input feature, or the reason it could not be read; `where` names its line or position. */
export type SourceItem = { where: string; feature: Feature<Geometry | null>; error?: undefined } | { where: string; feature?: undefined; error: string };

export interface ReadOptions {
  /**
   * The rows carry attributes only (aliases): GeoJSON features may have geometry null, and a
   * CSV needs no coordinate columns — every column is a property.
   */
  attributesOnly?: boolean;
}

/** Guesses the format from the file name, then from the first character of the content. */
export function detectFormat(fileName: string, text: string): FeatureFormat {
  const lower = fileName.toLowerCase();
  if (/\.(ndjson|geojsonl|geojsons|jsonl)$/.test(lower)) return 'ndjson';
  if (/\.csv$/.test(lower)) return 'csv';
  if (/\.(geo)?json$/.test(lower)) return 'geojson';
  const first = text.replace(/^\uFEFF/, '').trimStart();
  if (first.startsWith('{')) {
    // one feature per line looks like '{"type":"Feature"…}\n{…'
    const firstLine = first.slice(0, first.indexOf('\n') >>> 0);
    return /^\{.*\}\s*$/.test(firstLine) && first.includes('\n{') ? 'ndjson' : 'geojson';
  }
  return first.startsWith('[') ? 'geojson' : 'csv';
}

/** Reads every feature of a GeoJSON, newline-delimited GeoJSON or CSV text. */
export function* readFeatures(text: string, format: FeatureFormat, options: ReadOptions = {}): Generator<SourceItem> {
  const attributesOnly = options.attributesOnly ?? false;
  if (format === 'geojson') yield* readGeoJson(text, attributesOnly);
  else if (format === 'ndjson') yield* readNdjson(text, attributesOnly);
  else yield* readCsvFeatures(text, attributesOnly);
}

function* readGeoJson(text: string, attributesOnly: boolean): Generator<SourceItem> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    yield { where: 'file', error: `not valid JSON: ${(error as Error).message}` };
    return;
  }
  const list = Array.isArray(parsed)
    ? parsed
    : isObject(parsed) && parsed.type === 'FeatureCollection' && Array.isArray(parsed.features)
      ? parsed.features
      : [parsed];
  for (let k = 0; k < list.length; k++) yield asFeature(list[k], `feature ${k + 1}`, attributesOnly);
}

function* readNdjson(text: string, attributesOnly: boolean): Generator<SourceItem> {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k]!.trim();
    if (line === '' || line === '\u001e') continue;
    const where = `line ${k + 1}`;
    try {
      // RFC 8142 sequences prefix each record with a record separator
      yield asFeature(JSON.parse(line.replace(/^\u001e/, '')), where, attributesOnly);
    } catch (error) {
      yield { where, error: `not valid JSON: ${(error as Error).message}` };
    }
  }
}

const WKT_COLUMNS = ['wkt', 'geometry', 'geom', 'the_geom', 'shape'];
const LNG_COLUMNS = ['lng', 'lon', 'long', 'longitude', 'x', '经度'];
const LAT_COLUMNS = ['lat', 'latitude', 'y', '纬度'];

function* readCsvFeatures(text: string, attributesOnly: boolean): Generator<SourceItem> {
  let header: string[] | null = null;
  let geometryOf: ((fields: string[]) => Geometry | null) | null = null;
  let skip = new Set<number>();
  try {
    for (const { line, fields, error } of parseCsv(text)) {
      const where = `line ${line}`;
      if (error !== undefined) {
        yield { where, error };
        continue;
      }
      if (header === null) {
        header = fields.map((f) => f.trim());
        const find = (names: string[]): number => header!.findIndex((h) => names.includes(h.toLowerCase()));
        const wkt = find(WKT_COLUMNS);
        const lng = find(LNG_COLUMNS);
        const lat = find(LAT_COLUMNS);
        if (attributesOnly) {
          geometryOf = () => null;
        } else if (wkt >= 0) {
          skip = new Set([wkt]);
          geometryOf = (f) => parseWkt(f[wkt] ?? '');
        } else if (lng >= 0 && lat >= 0) {
          skip = new Set([lng, lat]);
          geometryOf = (f) => ({ type: 'Point', coordinates: [coordinate(f[lng], header![lng]!), coordinate(f[lat], header![lat]!)] });
        } else {
          yield { where, error: `CSV needs a WKT column (${WKT_COLUMNS.join('/')}) or lng and lat columns (${LNG_COLUMNS.join('/')}, ${LAT_COLUMNS.join('/')}); found ${header.join(', ')}` };
          return;
        }
        continue;
      }
      if (fields.length !== header.length) {
        yield { where, error: `has ${fields.length} fields, the header has ${header.length}` };
        continue;
      }
      const properties: Record<string, string> = {};
      fields.forEach((value, k) => {
        if (!skip.has(k)) properties[header![k]!] = value;
      });
      try {
        yield { where, feature: { type: 'Feature', properties, geometry: geometryOf!(fields) } };
      } catch (error) {
        yield { where, error: (error as Error).message };
      }
    }
  } catch (error) {
    yield { where: 'file', error: (error as Error).message };
  }
}

function coordinate(text: string | undefined, column: string): number {
  const value = Number(text?.trim());
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) throw new Error(`${column} "${text ?? ''}" is not a number`);
  return value;
}

function asFeature(value: unknown, where: string, attributesOnly: boolean): SourceItem {
  if (!isObject(value)) return { where, error: 'is not a JSON object' };
  if (value.type === 'Feature') {
    // RFC 7946 §3.2: an unlocated feature has geometry null; a missing member is read the same way
    const geometry = value.geometry ?? null;
    if (!attributesOnly && !isObject(geometry)) return { where, error: 'has no geometry' };
    const properties = isObject(value.properties) ? value.properties : {};
    return { where, feature: { ...(value as unknown as Feature), geometry: geometry as Geometry | null, properties } };
  }
  if (typeof value.type === 'string' && 'coordinates' in value) {
    return { where, feature: { type: 'Feature', properties: {}, geometry: value as unknown as Geometry } };
  }
  return { where, error: `is a ${typeof value.type === 'string' ? value.type : 'object without type'}, not a Feature` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
