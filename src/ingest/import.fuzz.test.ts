import assert from 'node:assert/strict';
import { fc, test } from '@fast-check/vitest';
import type { Feature, Geometry, Polygon, Position } from 'geojson';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseCrs, toWgs84 } from '../geo/crs.js';
import { PointResolver } from '../geocode/reverse.js';
import { ALIAS_LEVELS, LAYERS, type Layer } from '../model.js';
import { importLayer, ImportRejectedError, type ImportReport } from '../store/import-layer.js';
import { Store } from '../store/store.js';
import { deepJson, fuzzRuns, fuzzTimeoutMs, hostileFragment, hostileString, numericString } from '../test-helpers/fuzz.js';
import { csvField } from './csv.js';
import { layerHasGeometry } from './layer-records.js';
import { readFeatures, type FeatureFormat, type SourceItem } from './read-features.js';

// Fuzzing of the importers (issue 5): GeoJSON, NDJSON and CSV texts of mostly malformed features
// go through readFeatures + importLayer into a small store. Nothing escapes but ImportRejectedError,
// every bad feature is reported at its position, and all-or-nothing holds: a rejected import leaves
// store.contentDigest() as it was. Each import runs inside a transaction that is rolled back, so
// every case starts from the same store. node:assert inside the properties: they run thousands of times.

const runs = fuzzRuns();
// features per import call average ~20, so a sixteenth of the run count in calls per format gives
// well over `runs` features in total
const importsPerFormat = Math.ceil(runs / 16);
const stats = { imports: 0, features: 0, invalid: 0, written: 0, rejected: 0, pristineBatches: 0, junkAfterQuote: 0, byFormat: new Map<string, number>() };

// the seed store: one community of 2×2 unit grids and one social grid, around 东四
const LNG0 = 116.41;
const LAT0 = 39.93;
const CELL = 0.002;
const SEED_DATE = '2020-01-01';
const COMMUNITY = '110101001001';
const box = (x0: number, y0: number, x1: number, y1: number): Polygon => ({
  type: 'Polygon',
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});
const communityBox = box(LNG0, LAT0, LNG0 + 2 * CELL, LAT0 + 2 * CELL);

let store: Store;
let baseDigest: string;
let gridsAt: (lng: number, lat: number) => { unitGridCode: string | null; socialStaticCode: string | null };

beforeAll(() => {
  store = Store.open(':memory:');
  const options = { toWgs84: toWgs84(parseCrs('wgs84')), skipInvalid: false, today: SEED_DATE, gridsAt: () => ({ unitGridCode: null, socialStaticCode: null }) };
  const feature = (properties: Record<string, unknown>, geometry: Geometry): SourceItem => ({ where: 'seed', feature: { type: 'Feature', properties, geometry } });
  importLayer(store, 'areas', [
    feature({ code: '110101', name: '东城区' }, box(LNG0 - CELL, LAT0 - CELL, LNG0 + 3 * CELL, LAT0 + 3 * CELL)),
    feature({ code: '110101001', name: '东华门街道' }, box(LNG0 - CELL, LAT0 - CELL, LNG0 + 3 * CELL, LAT0 + 3 * CELL)),
    feature({ code: COMMUNITY, name: '多福巷社区' }, communityBox),
  ], options);
  const unitGrids = [0, 1, 2, 3].map((k) => {
    const [i, j] = [k % 2, Math.floor(k / 2)];
    return feature({ code: `${COMMUNITY}00${k + 1}` }, box(LNG0 + i * CELL, LAT0 + j * CELL, LNG0 + (i + 1) * CELL, LAT0 + (j + 1) * CELL));
  });
  importLayer(store, 'grids', [...unitGrids, feature({ code: `${COMMUNITY}1001`, dynamic_code: '202001' }, communityBox)], options);
  const resolver = new PointResolver([], [...store.iterate('grids')], { raster: false });
  gridsAt = (lng, lat) => {
    const found = resolver.resolve(lng, lat);
    return { unitGridCode: found.unitGrid?.code ?? null, socialStaticCode: found.socialGrid?.staticCode ?? null };
  };
  baseDigest = store.contentDigest();
});

afterAll(() => {
  store?.close();
  const byFormat = [...stats.byFormat].map(([f, n]) => `${f} ${n.toLocaleString('en')}`).join(', ');
  console.log(
    `import fuzz: ${stats.imports.toLocaleString('en')} imports of ${stats.features.toLocaleString('en')} features (${byFormat}); ` +
      `${stats.invalid.toLocaleString('en')} reported invalid, ${stats.written.toLocaleString('en')} written, ${stats.rejected.toLocaleString('en')} imports rejected whole, ` +
      `${stats.pristineBatches.toLocaleString('en')} all-valid batches accepted; ${stats.junkAfterQuote.toLocaleString('en')} CSV files with text after a closing quote (known bug)`,
  );
  assert.ok(stats.features >= runs, `only ${stats.features} features were fuzzed, fewer than ${runs}`);
});

// ---- features: valid ones per layer, then broken in every way an input file can be broken ----

const inside = fc.tuple(
  fc.double({ min: LNG0 + 1e-5, max: LNG0 + 2 * CELL - 2e-4, noNaN: true }),
  fc.double({ min: LAT0 + 1e-5, max: LAT0 + 2 * CELL - 2e-4, noNaN: true }),
);
const text = fc.constantFrom('多福巷', '东四北大街', '帽儿胡同', 'a', '测试');
const date = fc.date({ min: new Date('2021-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const serial = (width: number, min: number) => fc.integer({ min, max: 10 ** width - 1 }).map((n) => String(n).padStart(width, '0'));
const square = ([x, y]: [number, number], size = 1e-4): Polygon => box(x, y, x + size, y + size);

/** A feature meant to be valid for the layer, with its key (null when the layer assigns one). */
interface Candidate {
  feature: Feature<Geometry | null>;
  key: string | null;
}

const validFeature: Record<Layer, fc.Arbitrary<Candidate>> = {
  areas: fc.tuple(serial(3, 2), fc.boolean(), inside, text).map(([n, street, p, name]) => {
    // a new street (002–099, 街道) or a new community of 东华门街道
    const code = street ? `110101${String((Number(n) % 98) + 2).padStart(3, '0')}` : `110101001${n}`;
    return { feature: { type: 'Feature', properties: { code, name }, geometry: square(p, 1e-3) }, key: code };
  }),
  grids: fc.tuple(fc.boolean(), serial(3, 5), inside, date).map(([social, n, p, from]) => {
    const code = social ? `${COMMUNITY}1${n}` : `${COMMUNITY}${n}`;
    const properties = social ? { code, dynamic_code: `${from.slice(0, 4)}01`, valid_from: from } : { code, valid_from: from };
    return { feature: { type: 'Feature', properties, geometry: square(p, 1e-3) }, key: code };
  }),
  components: fc
    .tuple(inside, fc.constantFrom(['01', '18'], ['01', '01'], ['02', '01'], ['03', '05']), fc.option(fc.constantFrom('完好', '破损', '丢失', '占用')), fc.boolean())
    .map(([p, [major, minor], status, line]) => ({
      feature: {
        type: 'Feature',
        properties: { major, minor, dept_main: '东城区城市管理委员会', ...(status ? { status } : {}) },
        geometry: line ? { type: 'LineString', coordinates: [p, [p[0] + 1e-4, p[1] + 1e-4]] } : { type: 'Point', coordinates: p },
      },
      key: null,
    })),
  houses: fc.tuple(inside, fc.integer({ min: 0, max: 30 }), fc.option(text)).map(([p, floors, use]) => ({
    feature: { type: 'Feature', properties: { floors, ...(use ? { use } : {}) }, geometry: square(p) },
    key: null,
  })),
  addresses: fc.tuple(inside, text, fc.integer({ min: 1, max: 500 }), fc.option(fc.integer({ min: 1, max: 20 }))).map(([p, road, number, building]) => ({
    feature: { type: 'Feature', properties: { road, number, ...(building ? { building, compound: true } : {}) }, geometry: { type: 'Point', coordinates: p } },
    key: null,
  })),
  roads: fc.tuple(inside, fc.array(fc.tuple(fc.double({ min: 1e-5, max: 1e-3, noNaN: true }), fc.double({ min: -1e-3, max: 1e-3, noNaN: true })), { minLength: 1, maxLength: 4 }), text).map(
    ([p, steps, name]) => {
      const coordinates: Position[] = [p];
      for (const [dx, dy] of steps) coordinates.push([coordinates.at(-1)![0]! + dx, coordinates.at(-1)![1]! + dy]);
      return { feature: { type: 'Feature', properties: { name }, geometry: { type: 'LineString', coordinates } }, key: null };
    },
  ),
  pois: fc
    .tuple(inside, fc.boolean(), text, fc.constantFrom('学校', '医院', '公园'), fc.option(fc.oneof(fc.array(text, { maxLength: 3 }), fc.constantFrom('甲|乙', '甲、乙', '甲,乙', '甲；乙'))))
    .map(([p, area, name, category, aliases]) => ({
      feature: {
        type: 'Feature',
        properties: { name, category, ...(aliases === null ? {} : { aliases }) },
        geometry: area ? square(p) : { type: 'Point', coordinates: p },
      },
      key: null,
    })),
  aliases: fc.tuple(text, fc.constantFrom(...ALIAS_LEVELS), text, fc.option(date)).map(([alias, level, canonical, validTo]) => {
    const code = { district: '110101', street: '110101001', community: COMMUNITY, road: null }[level];
    const properties = { alias, level, canonical, ...(code === null ? {} : { code }), ...(validTo === null ? {} : { valid_to: validTo }) };
    return { feature: { type: 'Feature', properties, geometry: null }, key: null };
  }),
};

/** Property values no layer expects: hostile text, odd numbers, objects, arrays, deep nesting. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  numericString,
  fc.constantFrom(null, true, false, 0, -1, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e21, {}, [], { a: 1 }, [1, 2], '', ' '),
  fc.integer({ min: 1, max: 100 }).map((depth) => JSON.parse(deepJson(depth)) as unknown),
);
const propertyName = fc.constantFrom(
  'code', 'name', 'level', 'parent_code', 'scheme', 'dynamic_code', 'valid_from', 'valid_to', 'major', 'minor', 'status', 'dept_main',
  'district_code', 'unit_grid_code', 'social_static_code', 'initial_date', 'change_date', 'floors', 'floors_below', 'height_m', 'use',
  'year_built', 'households', 'id', 'road', 'number', 'compound', 'building', 'unit', 'house_id', 'kind', 'adcode', 'validFrom', '__proto__', 'constructor',
  'category', 'type', 'aliases', 'address', 'alias', 'canonical', 'note',
);
/** Geometries that break a rule: wrong type, open or crossing rings, too few points, out of range, not numbers, deep nesting. */
const badGeometry: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    {},
    [],
    'POINT (1 2)',
    { type: 'Point' },
    { type: 'Point', coordinates: [] },
    { type: 'Point', coordinates: [200, 100] },
    { type: 'Point', coordinates: [116.41, 39.93, 10, 20] },
    { type: 'Point', coordinates: ['116.41', '39.93'] },
    { type: 'Point', coordinates: [null, null] },
    { type: 'Point', coordinates: [1e308, -1e308] },
    { type: 'Point', coordinates: 'x' },
    { type: 'LineString', coordinates: [[116.41, 39.93]] },
    { type: 'LineString', coordinates: [[116.41, 39.93], [116.41, 39.93]] },
    { type: 'Polygon', coordinates: [[[116.41, 39.93], [116.42, 39.93], [116.42, 39.94]]] },
    { type: 'Polygon', coordinates: [[[116.41, 39.93], [116.42, 39.94], [116.42, 39.93], [116.41, 39.94], [116.41, 39.93]]] },
    { type: 'Polygon', coordinates: [] },
    { type: 'Polygon', coordinates: [[]] },
    { type: 'Polygon', coordinates: [[[0, 0], [0, 0], [0, 0], [0, 0]]] },
    { type: 'MultiPolygon', coordinates: [[[[116.41, 39.93], [116.42, 39.93], [116.42, 39.94], [116.41, 39.93]]], [[[]]]] },
    { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [116.41, 39.93] }] },
    { type: 'GeometryCollection', geometries: 'x' },
    { type: 'Circle', coordinates: [116.41, 39.93], radius: 10 },
    { type: '__proto__', coordinates: [] },
  ),
  fc.integer({ min: 1, max: 500 }).map((depth) => ({ type: 'Polygon', coordinates: JSON.parse(deepJson(depth)) as unknown })),
  fc.integer({ min: 1, max: 200 }).map((depth) => {
    let g: unknown = { type: 'Point', coordinates: [116.41, 39.93] };
    for (let k = 0; k < depth; k++) g = { type: 'GeometryCollection', geometries: [g] };
    return g;
  }),
  fc.array(fc.tuple(fc.oneof(fc.double(), hostileValue), fc.oneof(fc.double(), hostileValue)), { maxLength: 6 }).map((ring) => ({ type: 'Polygon', coordinates: [ring] })),
);

type Mutation = { kind: 'set'; name: string; value: unknown } | { kind: 'delete'; name: string } | { kind: 'geometry'; value: unknown } | { kind: 'properties'; value: unknown } | { kind: 'whole'; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), name: propertyName, value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), name: propertyName }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('geometry' as const), value: badGeometry }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('properties' as const), value: fc.oneof(hostileValue, fc.constant(null)) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('whole' as const),
      value: fc.oneof(hostileValue, fc.constantFrom({ type: 'Feature' }, { type: 'feature', geometry: null }, { type: 'FeatureCollection', features: [] }, { type: 'Feature', geometry: 'x', properties: [] })),
    }),
  },
);

function mutate(feature: Feature<Geometry | null>, mutations: Mutation[]): unknown {
  let out: unknown = structuredClone(feature);
  for (const m of mutations) {
    if (typeof out !== 'object' || out === null || Array.isArray(out)) break;
    const f = out as Record<string, unknown>;
    const props = (typeof f.properties === 'object' && f.properties !== null ? f.properties : (f.properties = {})) as Record<string, unknown>;
    if (m.kind === 'set') Object.defineProperty(props, m.name, { value: m.value, enumerable: true, writable: true, configurable: true });
    else if (m.kind === 'delete') delete props[m.name];
    else if (m.kind === 'geometry') f.geometry = m.value;
    else if (m.kind === 'properties') f.properties = m.value;
    else out = m.value;
  }
  return out;
}

/** One entry of a batch: the feature as written to the file, and whether it was left valid. */
interface Entry {
  value: unknown;
  pristine: boolean;
  key: string | null;
}

const entry = (layer: Layer): fc.Arbitrary<Entry> =>
  fc.tuple(validFeature[layer], fc.array(mutation, { maxLength: 3 }), fc.nat(9)).map(([candidate, mutations, dice]) =>
    // about one in three left as they are, so valid features mix with broken ones
    dice < 3 || mutations.length === 0
      ? { value: candidate.feature, pristine: true, key: candidate.key }
      : { value: mutate(candidate.feature, mutations), pristine: false, key: candidate.key },
  );
const pristineEntry = (layer: Layer): fc.Arbitrary<Entry> => validFeature[layer].map((c) => ({ value: c.feature, pristine: true, key: c.key }));

/** Up to 40 features, mostly a mix of valid and broken ones; one batch in ten all valid. */
const batch = (layer: Layer): fc.Arbitrary<Entry[]> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.array(entry(layer), { maxLength: 40, size: 'medium' }) },
    { weight: 1, arbitrary: fc.array(pristineEntry(layer), { minLength: 1, maxLength: 20 }) },
  );

// ---- files: the batch written as GeoJSON, NDJSON or CSV, and now and then damaged as a whole ----

type Damage = { kind: 'none' } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; text: string } | { kind: 'replace'; text: string } | { kind: 'bom' } | { kind: 'crlf' };
const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: hostileFragment }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), text: fc.oneof(hostileString, fc.constantFrom('', '\ufeff', '\n\n', '[]', '{}', 'null', '"x"', deepJson(100_000), deepJson(10_000, 'object'))) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crlf' as const }) },
);

function applyDamage(text: string, d: Damage): string {
  switch (d.kind) {
    case 'none':
      return text;
    case 'truncate':
      return text.slice(0, d.at % (text.length + 1));
    case 'insert': {
      const at = d.at % (text.length + 1);
      return text.slice(0, at) + d.text + text.slice(at);
    }
    case 'replace':
      return d.text;
    case 'bom':
      return '\ufeff' + text;
    case 'crlf':
      return text.replaceAll('\n', '\r\n');
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringify = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
};

function geoJsonText(entries: Entry[], shape: number): string {
  const features = entries.map((e) => e.value);
  if (shape === 0) return stringify(features);
  if (shape === 1 && features.length === 1) return stringify(features[0]);
  return stringify({ type: 'FeatureCollection', features });
}

function ndjsonText(entries: Entry[], separators: boolean): string {
  return entries.map((e) => (separators ? '\u001e' : '') + stringify(e.value)).join('\n');
}

function wkt(geometry: unknown): string {
  if (!isRecord(geometry) || !Array.isArray(geometry.coordinates)) return stringify(geometry);
  const pos = (p: unknown): string => (Array.isArray(p) ? p.map((n) => String(n)).join(' ') : String(p));
  const line = (ps: unknown): string => (Array.isArray(ps) ? `(${ps.map(pos).join(', ')})` : String(ps));
  const c = geometry.coordinates as unknown[];
  switch (geometry.type) {
    case 'Point':
      return `POINT (${pos(c)})`;
    case 'LineString':
      return `LINESTRING ${line(c)}`;
    case 'Polygon':
      return `POLYGON (${c.map(line).join(', ')})`;
    default:
      return `${String(geometry.type).toUpperCase()} ${stringify(c)}`;
  }
}

const isPoint = (e: Entry): boolean => isRecord(e.value) && isRecord(e.value.geometry) && e.value.geometry.type === 'Point';

/**
 * CSV with lng/lat columns (points only, as the layers that take points get them) or a WKT column
 * (none for a layer without geometry), every property as a column; quoting on or off.
 */
function csvText(entries: Entry[], layer: Layer, quote: boolean, extraHeader: string | null): string {
  const located = layerHasGeometry(layer);
  const points = (layer === 'components' || layer === 'addresses') && entries.some(isPoint) && entries.filter((e) => e.pristine).every(isPoint);
  const names = [...new Set(entries.flatMap((e) => (isRecord(e.value) && isRecord(e.value.properties) ? Object.keys(e.value.properties) : [])))];
  const header = [...(!located ? [] : points ? ['lng', 'lat'] : ['wkt']), ...names, ...(extraHeader === null ? [] : [extraHeader])];
  const cell = (value: unknown): string => {
    const textValue = value === undefined || value === null ? '' : typeof value === 'object' ? stringify(value) : String(value);
    return quote ? csvField(textValue) : textValue;
  };
  const rows = entries.map((e) => {
    const f = isRecord(e.value) ? e.value : {};
    const props = isRecord(f.properties) ? f.properties : {};
    const g = f.geometry;
    const geometryCells = !located
      ? []
      : points && isRecord(g) && g.type === 'Point' && Array.isArray(g.coordinates)
        ? [cell(g.coordinates[0]), cell(g.coordinates[1])]
        : points
          ? [cell(stringify(g)), '']
          : [cell(wkt(g))];
    return [...geometryCells, ...names.map((n) => cell(props[n])), ...(extraHeader === null ? [] : [cell(extraHeader)])].join(',');
  });
  return [header.map(cell).join(','), ...rows].join('\n');
}

// ---- the import and what must hold of it ----

const converters = new Map<string, ReturnType<typeof toWgs84>>();
/** proj4 converters are costly to build: one per crs for the whole run. */
const converterFor = (crs: string): ReturnType<typeof toWgs84> => {
  let converter = converters.get(crs);
  if (converter === undefined) converters.set(crs, (converter = toWgs84(parseCrs(crs))));
  return converter;
};
const CRS = ['wgs84', 'wgs84', 'wgs84', 'gcj02', 'bd09', 'EPSG:3857', 'EPSG:4527'];
const WHERE = /^(feature|line) ([1-9][0-9]*)$/;

interface Case {
  layer: Layer;
  entries: Entry[];
  text: string;
  format: FeatureFormat;
  skipInvalid: boolean;
  crs: string;
  damaged: boolean;
}

function runImport(c: Case): void {
  const shown = (): string => `${c.format} ${c.layer} skipInvalid=${c.skipInvalid} crs=${c.crs}: ${JSON.stringify(c.text.slice(0, 400))}`;
  const items = [...readFeatures(c.text, c.format, { attributesOnly: !layerHasGeometry(c.layer) })];
  // parseCsv ends a line at CRLF, LF or a lone CR
  const lines = c.text.split(c.format === 'csv' ? /\r\n|\r|\n/ : '\n').length;
  // known bug (see below): parseCsv ends the record at text after a closing quote and counts a line
  const junkAfterQuote = c.format === 'csv' && hasTextAfterClosingQuote(c.text);
  if (junkAfterQuote) stats.junkAfterQuote++;
  store.db.exec('BEGIN');
  try {
    let report: ImportReport;
    let rejected = false;
    try {
      report = importLayer(store, c.layer, items, { toWgs84: converterFor(c.crs), skipInvalid: c.skipInvalid, today: '2026-06-01', gridsAt });
    } catch (error) {
      if (!(error instanceof ImportRejectedError)) assert.fail(`importLayer threw ${(error as Error)?.stack ?? String(error)} for ${shown()}`);
      report = error.report;
      rejected = true;
    }
    stats.imports++;
    stats.features += report.read;
    stats.invalid += report.invalid.length;
    stats.byFormat.set(c.format, (stats.byFormat.get(c.format) ?? 0) + report.read);

    // every item is accounted for, and every bad one is reported where it is
    const fail = (what: string): never => assert.fail(`${what} for ${shown()}`);
    if (report.read !== items.length) fail(`read ${report.read} of ${items.length} items`);
    if (report.written + report.invalid.length !== report.read) fail(`written ${report.written} + invalid ${report.invalid.length} ≠ read ${report.read}`);
    const reported = new Map(report.invalid.map((i) => [i.where, i.reason]));
    for (const item of items) if (item.error !== undefined && reported.get(item.where) !== item.error) fail(`${item.where} (${item.error}) not reported`);
    for (const { where, reason } of report.invalid) {
      if (typeof reason !== 'string' || reason.trim() === '') fail(`empty reason at ${where}`);
      if (where === 'file') continue;
      const match = WHERE.exec(where);
      if (match === null) fail(`position "${where}"`);
      const n = Number(match![2]);
      if (match![1] === 'feature') {
        if (c.format !== 'geojson' || n > items.length) fail(`feature ${n} of ${items.length}`);
      } else if (c.format === 'csv' && junkAfterQuote) continue;
      else if (c.format === 'geojson' || n > lines) fail(`line ${n} of ${lines}`);
    }

    // all or nothing
    if (report.invalid.length > 0 && !c.skipInvalid) {
      if (!rejected) fail('an import with invalid features was not rejected');
      if (store.contentDigest() !== baseDigest) fail('a rejected import changed the store');
      stats.rejected++;
    } else {
      if (rejected) fail('rejected without invalid features');
      stats.written += report.written;
      const changed = store.contentDigest() !== baseDigest;
      if (changed !== report.written > 0) fail(`${report.written} features written but the store ${changed ? 'changed' : 'did not change'}`);
    }

    // valid features with distinct keys, in WGS84, in an undamaged file, all go in
    const keys = c.entries.map((e) => e.key).filter((k) => k !== null);
    if (!c.damaged && c.crs === 'wgs84' && c.entries.length > 0 && c.entries.every((e) => e.pristine) && new Set(keys).size === keys.length) {
      if (report.invalid.length > 0) fail(`valid features refused: ${JSON.stringify(report.invalid).slice(0, 500)}`);
      stats.pristineBatches++;
    }
  } finally {
    store.db.exec('ROLLBACK');
  }
  if (stats.imports % 200 === 0) assert.equal(store.contentDigest(), baseDigest, 'the store changed after a rolled-back import');
}

/** True when a quoted CSV field is followed by something other than a comma, a line break or the end (RFC 4180 §2.6). */
function hasTextAfterClosingQuote(text: string): boolean {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let fieldStart = true;
  while (at < text.length) {
    const ch = text[at]!;
    if (fieldStart && ch === '"') {
      for (;;) {
        const quote = text.indexOf('"', at + 1);
        if (quote < 0) return false; // never closed: parseCsv reports that itself
        if (text[quote + 1] === '"') {
          at = quote + 1;
          continue;
        }
        at = quote + 1;
        break;
      }
      if (at < text.length && !',\r\n'.includes(text[at]!)) return true;
      fieldStart = false;
      continue;
    }
    fieldStart = ch === ',' || ch === '\n' || ch === '\r';
    at++;
  }
  return false;
}

const caseOf = (format: FeatureFormat) =>
  fc
    .constantFrom(...LAYERS)
    .chain((layer) =>
      fc.record({
        layer: fc.constant(layer),
        entries: batch(layer),
        damage,
        skipInvalid: fc.nat(9).map((n) => n < 3),
        crs: fc.constantFrom(...CRS),
        shape: fc.nat(2),
        quote: fc.boolean(),
        extraHeader: fc.option(fc.oneof(fc.constantFrom('lng', 'wkt', 'x', '', 'name'), hostileString), { freq: 8 }),
      }),
    )
    .map(({ layer, entries, damage: d, skipInvalid, crs, shape, quote, extraHeader }): Case => {
      const text =
        format === 'geojson' ? geoJsonText(entries, shape) : format === 'ndjson' ? ndjsonText(entries, shape === 0) : csvText(entries, layer, quote, extraHeader);
      // unquoted CSV cells with commas (WKT, JSON) are damage of their own
      const damaged = d.kind !== 'none' || extraHeader !== null || (format === 'csv' && !quote);
      return { layer, entries, text: applyDamage(text, d), format, skipInvalid, crs, damaged };
    });

describe('importers under fuzzing', () => {
  for (const format of ['geojson', 'ndjson', 'csv'] as const) {
    test.prop([caseOf(format)], { numRuns: importsPerFormat })(
      `${format}: only ImportRejectedError escapes, every bad feature is reported at its position, a rejected import writes nothing`,
      (c) => runImport(c),
      fuzzTimeoutMs(importsPerFormat, 5),
    );
  }
});

describe('found by fuzzing, fixed', () => {
  // parseCsv used to end the record after a closing quote whatever followed, and count a new line,
  // so `"a"b` became the field a (b dropped) plus a record `b` on a line the file does not have
  it('text after a closing quote is refused on its own line, not split into a record on line 3 of a 2-line file', () => {
    const items = [...readFeatures('lng,lat,name\n116.41,39.93,"a"b\n', 'csv')];
    assert.deepEqual(items.map((i) => i.where), ['line 2']);
    assert.ok(items[0]!.error !== undefined, 'the row with "a"b is refused');
  });
});
