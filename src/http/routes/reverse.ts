import { Hono, type Context } from 'hono';
import type { Position } from 'geojson';
import { InvalidRequestError } from '../../errors.js';
import { parseCrs, toWgs84, type PositionConverter } from '../../geo/crs.js';
import type { Geocoders } from '../../geocode/geocoders.js';
import { perCombination, type Resolution } from '../../geocode/reverse.js';
import { formatDoorPlate } from '../../model.js';
import type { NearbyComponent } from '../../tiles/tile-provider.js';
import { streamBatchAnswer } from '../batch-answer.js';
import { BATCH_CONTENT_TYPES, batchFormat, REVERSE_ROW_COLUMNS, RowFormat, selectColumns, type RowValue } from '../batch-formats.js';
import { requireBatchSize } from '../batch-limits.js';
import { bytesAnswer } from '../json-answer.js';
import { JsonBytes } from '../json-bytes.js';
import { forEachInSlices } from '../../time-slices.js';
import { valid, validated } from '../validation.js';

/** Radius of the `address=1` door-plate search. */
export const NEAREST_ADDRESS_M = 50;

/** Components listed by `components=R`, nearest first. */
const MAX_NEARBY_COMPONENTS = 100;

/** Components in service near a point (the live tile index answers it: TileService.componentsNear). */
export type ComponentsNear = (lng: number, lat: number, radiusM: number, limit: number) => NearbyComponent[];

/**
 * `GET /v1/reverse?lng&lat[&crs][&at][&address=1]` and `POST /v1/reverse {points, crs?, at?, address?}`:
 * point → district, street, community, unit grid and social grid (static + dynamic code).
 *
 * A batch is answered in time slices as the client reads (batch-answer.ts) and refused (413)
 * beyond its size for the caller (batch-limits.ts) or when its answer would pass `maxResponseBytes`;
 * as NDJSON or CSV rows of codes when `Accept` asks (batch-formats.ts, REVERSE_ROW_COLUMNS),
 * restricted to `fields=`.
 */
export function reverseRoutes(geocoders: Geocoders, components: ComponentsNear | undefined, { maxResponseBytes }: { maxResponseBytes: number }): Hono {
  const app = new Hono();
  // one answer, written as JSON into `out`; the resolution part is pre-encoded (see fragmentBytes)
  // `input`: the point as sent when it was converted; `more`: further members (`,"name":…`), written before the closing brace
  const answer = (out: JsonBytes, lng: number, lat: number, fragment: Buffer, input: Position | null, withAddress: boolean, more = ''): void => {
    out.ascii('{"lng":');
    out.number(lng);
    out.ascii(',"lat":');
    out.number(lat);
    out.ascii(',');
    out.bytes(fragment);
    if (input !== null) out.ascii(`,"input":[${input[0]},${input[1]}]`);
    if (withAddress) out.text(`,"nearestAddress":${JSON.stringify(nearestAddress(geocoders, lng, lat))}`);
    if (more !== '') out.text(more);
    out.ascii('}');
  };

  // the schema has checked types, dates and the largest batch (openapi.ts); the crs and the converted point are checked here
  app.get('/v1/reverse', validated('reverseGet'), function reverseGet(c) {
    const { lng, lat, crs, at, address, components: radius } = valid<{ query: ReverseQuery }>(c).query;
    const point: Position = [lng, lat];
    const out = new JsonBytes(512);
    const wgs84 = toWgs84Checked(crsParam(crs), point, 'lng/lat');
    const near = radius === undefined ? '' : `,"components":${JSON.stringify(components?.(wgs84[0]!, wgs84[1]!, radius, MAX_NEARBY_COMPONENTS) ?? [])}`;
    answer(out, wgs84[0]!, wgs84[1]!, fragmentBytes(geocoders.reverse.resolve(wgs84[0]!, wgs84[1]!, at)), wgs84 === point ? null : point, address, near);
    return json(c, out.finish());
  });

  app.post('/v1/reverse', validated('reversePost', { positions: 'points', bodyReadOnce: true }), async function reversePost(c) {
    const { body: { points, crs, at, address }, query: { fields } } = valid<{ body: ReverseBody; query: { fields?: string } }>(c);
    const count = points.length / 2;
    requireBatchSize(c, 'points', count);
    const converter = crsParam(crs);
    const format = batchFormat(c.req.header('Accept'));
    const columns = reverseRowColumns(converter !== null, address);
    const chosen = selectColumns(columns, fields, format, FIELDS_HINT);
    // every point is converted, checked and resolved before the answer starts: a bad one is a 400,
    // not a cut-off answer; resolved on the typed-array path, an id per point and no object
    const wgs84 = converter === null ? points : new Float64Array(points.length);
    const resolver = geocoders.reverse.resolverAt(at);
    const ids = new Int32Array(count);
    await forEachInSlices(Math.ceil(count / POINTS_A_STEP), (step) => {
      const from = step * POINTS_A_STEP;
      const to = Math.min(count, from + POINTS_A_STEP);
      for (let k = from; k < to; k++) {
        const x = points[2 * k]!;
        const y = points[2 * k + 1]!;
        // WGS84 in range needs no array per point (100,000 of them kept the collector busy)
        if (converter === null && inRange(x, y)) continue;
        const [lng, lat] = toWgs84Checked(converter, [x, y], `points[${k}]`);
        wgs84[2 * k] = lng!;
        wgs84[2 * k + 1] = lat!;
      }
      resolver.resolveInto(wgs84, ids, from, to);
    });
    const input = (k: number): Position | null => (converter === null ? null : [points[2 * k]!, points[2 * k + 1]!]);
    const headers = { 'Content-Type': BATCH_CONTENT_TYPES[format], 'Cache-Control': 'no-cache', Vary: 'Accept' };
    if (format === 'json') {
      // the answer part of each distinct id, encoded once per request
      const fragmentOf = perCombination((id) => fragmentBytes(resolver.resolution(id)));
      const body = await streamBatchAnswer({
        count,
        noun: 'points',
        head: '{"results":[',
        separator: ',',
        writeItem: (out, k) => answer(out, wgs84[2 * k]!, wgs84[2 * k + 1]!, fragmentOf(ids[k]!), input(k), address),
        tail: () => ']}',
        maxBytes: maxResponseBytes,
      });
      return c.body(body, 200, headers);
    }
    const rows = new RowFormat(format, chosen);
    const writeRow = reverseRowWriter(rows, chosen, (id) => resolver.resolution(id), (lng, lat) => nearestAddress(geocoders, lng, lat));
    const body = await streamBatchAnswer({
      count,
      noun: 'points',
      head: rows.header,
      separator: '',
      writeItem: (out, k) => writeRow(out, wgs84[2 * k]!, wgs84[2 * k + 1]!, ids[k]!, input(k)),
      tail: () => '',
      maxBytes: maxResponseBytes,
    });
    return c.body(body, 200, headers);
  });

  return app;
}

/** Points converted and resolved in one step of a batch (well under a time slice, even with a projection). */
const POINTS_A_STEP = 1024;

/** A WGS84 longitude and latitude within ±180 and ±90. */
function inRange(lng: number, lat: number): boolean {
  return Number.isFinite(lng) && Number.isFinite(lat) && Math.abs(lng) <= 180 && Math.abs(lat) <= 90;
}

/** `GET /v1/reverse` parameters as the schema delivers them (defaults filled in). */
interface ReverseQuery {
  lng: number;
  lat: number;
  crs: string;
  at?: string;
  components?: number;
  address: boolean;
}

/** `POST /v1/reverse` body as the schema delivers it (defaults filled in), the points packed: x, y pairs. */
interface ReverseBody {
  points: Float64Array;
  crs: string;
  at?: string;
  address: boolean;
}

// each distinct resolution is encoded once: lookups share frozen objects, so a WeakMap fits
const fragments = new WeakMap<Resolution, Buffer>();

function fragmentBytes(resolution: Resolution): Buffer {
  let bytes = fragments.get(resolution);
  if (bytes === undefined) {
    const { district, street, community, unitGrid, socialGrid } = resolution;
    bytes = Buffer.from(JSON.stringify({ district, street, community, unitGrid, socialGrid }).slice(1, -1), 'utf8');
    fragments.set(resolution, bytes);
  }
  return bytes;
}

/** The `nearestAddress` member of an answer with `address=1`. */
type NearestAddress = NonNullable<ReturnType<typeof nearestAddress>>;

function nearestAddress(geocoders: Geocoders, lng: number, lat: number) {
  const found = geocoders.nearestAddress.find(lng, lat, NEAREST_ADDRESS_M);
  if (found === null) return null;
  const { address, distanceM } = found;
  const [x, y] = address.geometry.coordinates;
  return {
    id: address.id,
    label: formatDoorPlate(address),
    road: address.road,
    number: address.number,
    compound: address.compound,
    building: address.building,
    unit: address.unit,
    houseId: address.houseId,
    lng: x,
    lat: y,
    distanceM: Math.round(distanceM * 10) / 10,
  };
}

const FIELDS_HINT = ' (input_x and input_y come with a crs other than wgs84, nearest_address* with address=true)';

function reverseRowColumns(converted: boolean, withAddress: boolean): string[] {
  const { point, input, codes, address } = REVERSE_ROW_COLUMNS;
  return [...point, ...(converted ? input : []), ...codes, ...(withAddress ? address : [])];
}

/**
 * Writes one point's row of the `chosen` columns; the codes part is encoded once per distinct
 * answer (its combination id, from PointResolver.resolveInto), the rest per point.
 */
function reverseRowWriter(
  rows: RowFormat,
  chosen: readonly string[],
  resolution: (id: number) => Resolution,
  nearest: (lng: number, lat: number) => NearestAddress | null,
): (out: JsonBytes, lng: number, lat: number, id: number, input: Position | null) => void {
  const pick = (names: readonly string[]) => names.filter((name) => chosen.includes(name));
  const point = pick([...REVERSE_ROW_COLUMNS.point, ...REVERSE_ROW_COLUMNS.input]);
  const codes = pick(REVERSE_ROW_COLUMNS.codes);
  const address = pick(REVERSE_ROW_COLUMNS.address);
  const codesPart = perCombination((id): Buffer => {
    const r = resolution(id);
    const values: Record<string, RowValue> = {
      district: r.district?.code ?? null,
      street: r.street?.code ?? null,
      community: r.community?.code ?? null,
      unit_grid: r.unitGrid?.code ?? null,
      social_static: r.socialGrid?.staticCode ?? null,
      social_dynamic: r.socialGrid?.dynamicCode ?? null,
    };
    return Buffer.from(rows.fields(codes, codes.map((name) => values[name]!)), 'utf8');
  });
  // the usual point part, lng and lat, written straight: numbers need no quoting in either format
  const plainPoint = point.length === 2 && point[0] === 'lng' && point[1] === 'lat';
  const [lngKey, latKey] = rows.format === 'csv' ? ['', ','] : ['"lng":', ',"lat":'];
  return (out, lng, lat, id, input) => {
    out.ascii(rows.start);
    if (plainPoint) {
      out.ascii(lngKey);
      out.number(lng);
      out.ascii(latKey);
      out.number(lat);
    }
    else if (point.length > 0) {
      const values: Record<string, RowValue> = { lng, lat, input_x: input?.[0] ?? null, input_y: input?.[1] ?? null };
      out.text(rows.fields(point, point.map((name) => values[name]!)));
    }
    if (codes.length > 0) {
      if (point.length > 0) out.ascii(',');
      out.bytes(codesPart(id));
    }
    if (address.length > 0) {
      if (point.length + codes.length > 0) out.ascii(',');
      const found = nearest(lng, lat);
      const values: Record<string, RowValue> = { nearest_address_id: found?.id ?? null, nearest_address: found?.label ?? null, nearest_address_distance_m: found?.distanceM ?? null };
      out.text(rows.fields(address, address.map((name) => values[name]!)));
    }
    out.ascii(rows.end);
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' };

function json(c: Context, body: Uint8Array<ArrayBuffer>): Response {
  return bytesAnswer(c, body, 200, JSON_HEADERS);
}

const converters = new Map<string, PositionConverter | null>();

/** The converter for a `crs` parameter (null for WGS84), cached per spelling. */
export function crsParam(text: string | undefined): PositionConverter | null {
  const key = text ?? 'wgs84';
  let converter = converters.get(key);
  if (converter === undefined) {
    let crs;
    try {
      crs = parseCrs(key);
    } catch (error) {
      throw new InvalidRequestError(`crs: ${(error as Error).message}`);
    }
    converter = crs.kind === 'geographic' ? null : toWgs84(crs);
    if (converters.size < 64) converters.set(key, converter);
  }
  return converter;
}

/** Converts to WGS84 and checks the result is a real coordinate; `name` is what a 400 blames. */
export function toWgs84Checked(converter: PositionConverter | null, point: Position, name: string): Position {
  const wgs84 = converter === null ? point : converter(point);
  if (inRange(wgs84[0]!, wgs84[1]!)) return wgs84;
  const [x, y] = point;
  throw new InvalidRequestError(
    `${name} (${x}, ${y}) is out of range: longitude must be within ±180 and latitude within ±90` + (converter ? ' after conversion from the given crs' : ''),
  );
}
