import { parseCrs, toWgs84, type PositionConverter } from '../../geo/crs.js';
import { perCombination, PointResolver, type Resolution } from '../../geocode/reverse.js';
import { csvField } from '../../ingest/csv.js';
import { isIsoDate } from '../../ingest/layer-records.js';
import { Store } from '../../store/store.js';
import { UsageError } from '../args.js';
import { parseBatchArgs, runBatchCommand } from '../batch/batch-command.js';
import { DATABASE_HELP } from '../command-database.js';
import { findColumn, type BatchFormat } from '../batch/batch-input.js';
import type { BlockProcessor } from '../batch/block-job.js';
import { numberFromText } from '../batch/csv-scanner.js';
import { utf8 } from '../batch/output-buffer.js';
import { csvRowBlock, jsonRowBlock, type JsonRecord } from '../batch/row-blocks.js';
import type { Io } from '../io.js';

export const reverseHelp = `wangge reverse [FILE|-] [-o OUT] [options]

Appends the codes of the places each point lies in — district, street, community, unit_grid,
social_static, social_dynamic — as CSV columns, or as properties of NDJSON / GeoJSON features
(the point is the Point geometry, or the lng/lat properties of a feature without one). Codes are
empty (CSV) or null (JSON) outside every area. Streams any size, keeping row order; rows that
cannot be read are reported by line number on stderr and left out; a summary ends the run.
  -o, --output OUT     output file, written in full or not at all (default: standard output)
  --format F           csv, ndjson or geojson (default: from the file extension; csv for -)
  --lng-column NAME    the longitude column / property (default: lng, lon, long, longitude, x or 经度)
  --lat-column NAME    the latitude column / property (default: lat, latitude, y or 纬度)
  --crs C              input coordinates: wgs84 (default), cgcs2000, gcj02, bd09, EPSG:4326|4490|3857|4513–4554
  --at YYYY-MM-DD      grids as they were that day (default: current versions)
  --strict             exit 1 if any row was bad
  --threads N          N threads: this one and N − 1 workers, each with its own index (default:
                       workers join for idle cores once the rate so far says they repay their index)
${DATABASE_HELP}
FILE defaults to - (standard input).`;

/** The columns (CSV) or properties (JSON) reverse appends, in order. */
export const REVERSE_COLUMNS = ['district', 'street', 'community', 'unit_grid', 'social_static', 'social_dynamic'] as const;

const FORMATS: readonly BatchFormat[] = ['csv', 'ndjson', 'geojson'];
const LNG_ALIASES = ['lng', 'lon', 'long', 'longitude', 'x', '经度'];
const LAT_ALIASES = ['lat', 'latitude', 'y', '纬度'];
// a coarser lookup raster than the server's, quicker to build (each worker builds its own): a
// 1M-row file took 1.5–1.9 s with it, 1.9–2.2 s with 300,000 cells
const RASTER_CELLS = 100_000;

/** What a thread needs to build a reverse processor (survives structured cloning). */
export interface ReverseJob {
  dbPath: string;
  format: BatchFormat;
  crs: string;
  /** grids valid that day; null: the current versions */
  at: string | null;
  /** CSV: the header's field count and the coordinate columns */
  csv: { fields: number; lng: number; lat: number; lngName: string; latName: string } | null;
  /** JSON: the coordinate properties of features without a geometry; null: the first alias present */
  lngKey: string | null;
  latKey: string | null;
}

export async function reverseCommand(argv: string[], io: Io): Promise<number> {
  const { values, shared, onDatabase } = parseBatchArgs(
    'reverse',
    argv,
    { 'lng-column': { type: 'string' }, 'lat-column': { type: 'string' }, crs: { type: 'string' }, at: { type: 'string' } },
    FORMATS,
  );
  if (values.help) return io.out(reverseHelp), 0;
  const common = shared();
  const { format } = common;
  const crs = values.crs ?? 'wgs84';
  try {
    parseCrs(crs);
  } catch (error) {
    throw new UsageError(`--crs: ${(error as Error).message}`);
  }
  if (values.at !== undefined && !isIsoDate(values.at)) throw new UsageError(`--at must be a date YYYY-MM-DD, got "${values.at}"`);
  const lngKey = values['lng-column'];
  const latKey = values['lat-column'];

  // the point resolver reads the areas and the grid versions (loadResolver)
  return onDatabase(io, ['areas', 'grids'], (dbPath) =>
    runBatchCommand<ReverseJob>({
      label: 'reverse',
      io,
      ...common,
      csvColumns: REVERSE_COLUMNS,
      options: (header) => {
        const job: ReverseJob = { dbPath, format, crs, at: values.at ?? null, csv: null, lngKey: lngKey ?? null, latKey: latKey ?? null };
        if (header !== null) {
          const lng = findColumn(header, { name: 'lng-column', value: lngKey }, LNG_ALIASES);
          const lat = findColumn(header, { name: 'lat-column', value: latKey }, LAT_ALIASES);
          job.csv = { fields: header.length, lng, lat, lngName: header[lng]!.trim(), latName: header[lat]!.trim() };
        }
        return job;
      },
      module: import.meta.url,
      factory: 'createReverseProcessor',
      create: createReverseProcessor,
    }),
  );
}

/** Builds the resolver for the job's date (once per thread) and returns the block processor. */
export function createReverseProcessor(job: ReverseJob): BlockProcessor {
  const resolver = loadResolver(job.dbPath, job.at);
  const crs = parseCrs(job.crs);
  const locate = pointLocator(crs.kind === 'geographic' ? null : toWgs84(crs));
  // each distinct answer (a combination id, -1 outside every area) encoded once
  const appendedFor = perCombination((id) => utf8(',' + codeRow(resolver.resolution(id)).map(csvField).join(',') + '\n'));
  const matchOf = perCombination((id) => isMatch(resolver.resolution(id)));

  if (job.csv !== null) {
    const { fields, lng, lat, lngName, latName } = job.csv;
    return {
      process: (block) =>
        csvRowBlock(block, fields, (csv, out) => {
          const x = csv.number(lng);
          const y = csv.number(lat);
          // NaN: let the locator quote the text it could not read
          const problem = x === x && y === y ? locate(x, y, lngName, latName) : locate(csv.text(lng), csv.text(lat), lngName, latName);
          if (problem !== null) return problem;
          const id = resolver.idOf(located.lng, located.lat);
          out.append(appendedFor(id));
          return matchOf(id);
        }),
    };
  }
  const joiner = job.format === 'geojson' ? ',\n' : '\n';
  return {
    process: (block) =>
      jsonRowBlock(block, joiner, (record) => {
        const point = jsonPoint(record, job.lngKey, job.latKey);
        if (typeof point === 'string') return point;
        const problem = locate(point.lng, point.lat, point.lngName, point.latName);
        if (problem !== null) return problem;
        const resolution = resolver.resolve(located.lng, located.lat);
        const codes = codeRow(resolution);
        REVERSE_COLUMNS.forEach((column, k) => (record.properties[column] = codes[k]));
        return isMatch(resolution);
      }),
  };
}

/** Codes in REVERSE_COLUMNS order, null where the point lies outside. */
function codeRow(r: Resolution): (string | null)[] {
  return [r.district?.code ?? null, r.street?.code ?? null, r.community?.code ?? null, r.unitGrid?.code ?? null, r.socialGrid?.staticCode ?? null, r.socialGrid?.dynamicCode ?? null];
}

function isMatch(r: Resolution): boolean {
  return r.district !== null || r.street !== null || r.community !== null || r.unitGrid !== null || r.socialGrid !== null;
}

function loadResolver(dbPath: string, at: string | null): PointResolver {
  const store = Store.open(dbPath, { readonly: true });
  try {
    const areas = [...store.iterate('areas')];
    // the versions ReverseGeocoder.resolve(lng, lat, at) answers with
    const grids = [...store.iterateGridVersions()].filter((v) => (at === null ? v.validTo === null : v.validFrom <= at && (v.validTo === null || v.validTo > at)));
    return new PointResolver(areas, grids, { raster: { maxCells: RASTER_CELLS } });
  } finally {
    store.close();
  }
}

// the WGS84 point the locator last accepted; one shared object so that a row allocates nothing
const located = { lng: 0, lat: 0 };

/** Reads a row's coordinates (converted to WGS84) into `located`; returns why they are unusable, or null. */
function pointLocator(convert: PositionConverter | null) {
  return (lngValue: string | number, latValue: string | number, lngName: string, latName: string): string | null => {
    const x = typeof lngValue === 'number' ? lngValue : numberFromText(lngValue);
    if (!Number.isFinite(x)) return `${lngName} "${lngValue}" is not a number`;
    const y = typeof latValue === 'number' ? latValue : numberFromText(latValue);
    if (!Number.isFinite(y)) return `${latName} "${latValue}" is not a number`;
    let lng = x;
    let lat = y;
    if (convert !== null) [lng, lat] = convert([x, y]) as [number, number];
    if (!(lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90)) {
      const converted = convert === null ? '' : ` (${lng}, ${lat} in WGS84)`;
      return `${lngName}, ${latName} = ${x}, ${y}${converted} is outside -180..180, -90..90`;
    }
    located.lng = lng;
    located.lat = lat;
    return null;
  };
}

interface JsonPoint {
  lng: string | number;
  lat: string | number;
  lngName: string;
  latName: string;
}

/** A record's Point, or its lng/lat properties when it has no geometry. */
function jsonPoint({ properties, geometry }: JsonRecord, lngKey: string | null, latKey: string | null): JsonPoint | string {
  if (geometry !== null) {
    if (geometry.type !== 'Point') return `has a ${String(geometry.type)} geometry; reverse needs a Point, or no geometry and lng/lat properties`;
    const coordinates = geometry.coordinates;
    if (!Array.isArray(coordinates) || coordinates.length < 2) return 'has a Point without two coordinates';
    return { lng: scalar(coordinates[0]), lat: scalar(coordinates[1]), lngName: 'lng', latName: 'lat' };
  }
  const keys = Object.keys(properties);
  const lngName = lngKey ?? keys.find((k) => LNG_ALIASES.includes(k.toLowerCase()));
  const latName = latKey ?? keys.find((k) => LAT_ALIASES.includes(k.toLowerCase()));
  if (lngName === undefined || latName === undefined || !(lngName in properties) || !(latName in properties)) {
    return `has no Point geometry and no ${lngKey ?? 'lng'}, ${latKey ?? 'lat'} properties`;
  }
  return { lng: scalar(properties[lngName]), lat: scalar(properties[latName]), lngName, latName };
}

function scalar(value: unknown): string | number {
  return typeof value === 'number' || typeof value === 'string' ? value : String(JSON.stringify(value));
}
