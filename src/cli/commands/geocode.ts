import { ForwardGeocoder } from '../../geocode/forward.js';
import type { GeocodeResult } from '../../geocode/geocode-result.js';
import { PointResolver } from '../../geocode/reverse.js';
import { csvField } from '../../ingest/csv.js';
import { LAYERS } from '../../model.js';
import { Store } from '../../store/store.js';
import { parseBatchArgs, runBatchCommand } from '../batch/batch-command.js';
import { DATABASE_HELP } from '../command-database.js';
import { findColumn, type BatchFormat } from '../batch/batch-input.js';
import type { BlockProcessor } from '../batch/block-job.js';
import { ByteCache } from '../batch/byte-cache.js';
import { utf8 } from '../batch/output-buffer.js';
import { csvRowBlock, jsonRowBlock } from '../batch/row-blocks.js';
import type { Io } from '../io.js';

/** What the forward geocoder reads (ForwardGeocoder.fromStore and its resolver): every layer but the components. */
const GEOCODED_LAYERS = LAYERS.filter((layer) => layer !== 'components');

export const geocodeHelp = `wangge geocode [FILE|-] [-o OUT] [options]

Appends the best match for each address — lng, lat, level (door, poi, road, community, street,
district), score (0–1), unit_grid, social_static, social_dynamic, community and street codes,
and what the match rests on: matched_road, matched_number, matched_poi, matched_alias and edits
(the relaxations applied, joined with |) — as CSV columns or NDJSON properties (a feature without
geometry gets the Point). Empty (CSV) or null (JSON) when nothing matches. Streams any size,
keeping row order; rows that cannot be read (empty address, wrong field count) are reported by
line number on stderr and left out.
  -o, --output OUT       output file, written in full or not at all (default: standard output)
  --format F             csv or ndjson (default: from the file extension; csv for -)
  --address-column NAME  the address column / property (default: address, addr or 地址)
  --strict               exit 1 if any row was bad
  --threads N            N threads: this one and N − 1 workers, each with its own index (default:
                         workers join for idle cores once the rate so far says they repay their index)
${DATABASE_HELP}
FILE defaults to - (standard input).`;

/** The columns (CSV) or properties (JSON) geocode appends, in order. */
export const GEOCODE_COLUMNS = [
  'lng',
  'lat',
  'level',
  'score',
  'unit_grid',
  'social_static',
  'social_dynamic',
  'community',
  'street',
  'matched_road',
  'matched_number',
  'matched_poi',
  'matched_alias',
  'edits',
] as const;

const FORMATS: readonly BatchFormat[] = ['csv', 'ndjson'];
const ADDRESS_ALIASES = ['address', 'addr', '地址'];
// batch files repeat addresses (one per resident, per visit, per case); answers are pure functions
// of the text, so a bounded cache (two generations of this many) skips the work for repeats
const CACHE_ENTRIES = 50_000;
// every thread builds its own index, half of it the resolver that places answers in their grids;
// with this many raster cells (as reverse's) a fresh thread builds it in ~0.8 s of CPU instead of
// ~1.5 s, for lookups of ~0.4 µs instead of ~0.2 µs: a gain below ~1.4M distinct addresses a thread
const RASTER_CELLS = 300_000;

/** What a thread needs to build a geocode processor (survives structured cloning). */
export interface GeocodeJob {
  dbPath: string;
  format: BatchFormat;
  /** CSV: the header's field count and the address column */
  csv: { fields: number; address: number } | null;
  /** JSON: the address property */
  addressKey: string | null;
}

export async function geocodeCommand(argv: string[], io: Io): Promise<number> {
  const { values, shared, onDatabase } = parseBatchArgs('geocode', argv, { 'address-column': { type: 'string' } }, FORMATS);
  if (values.help) return io.out(geocodeHelp), 0;
  const common = shared();
  const { format } = common;
  const addressKey = values['address-column'];

  return onDatabase(io, GEOCODED_LAYERS, (dbPath) =>
    runBatchCommand<GeocodeJob>({
      label: 'geocode',
      io,
      ...common,
      csvColumns: GEOCODE_COLUMNS,
      options: (header) => ({
        dbPath,
        format,
        csv: header === null ? null : { fields: header.length, address: findColumn(header, { name: 'address-column', value: addressKey }, ADDRESS_ALIASES) },
        addressKey: addressKey ?? null,
      }),
      module: import.meta.url,
      factory: 'createGeocodeProcessor',
      create: createGeocodeProcessor,
    }),
  );
}

/** Builds the forward index (once per thread) and returns the block processor. */
export function createGeocodeProcessor(job: GeocodeJob): BlockProcessor {
  const store = Store.open(job.dbPath, { readonly: true });
  let forward: ForwardGeocoder;
  try {
    // the current grids, as ReverseGeocoder.resolve answers (exactly, whatever the raster)
    const resolver = new PointResolver([...store.iterate('areas')], [...store.iterate('grids')], { raster: { maxCells: RASTER_CELLS } });
    forward = ForwardGeocoder.fromStore(store, resolver);
  } finally {
    store.close();
  }
  const best = (address: string): GeocodeResult | null => forward.geocode(address, { limit: 1 })[0] ?? null;

  if (job.csv !== null) {
    const { fields, address: column } = job.csv;
    // keyed by the field's bytes, holding the appended bytes: a repeated address costs a hash and a copy
    const cache = new ByteCache({ entries: CACHE_ENTRIES });
    const unmatched = utf8(',' + GEOCODE_COLUMNS.map(() => '').join(',') + '\n');
    return {
      process: (block) =>
        csvRowBlock(block, fields, (csv, out) => {
          const from = csv.fieldStart(column);
          const to = csv.fieldEnd(column);
          // "" escapes: equal bytes would still mean equal text, but such fields are too rare to bother
          const cached = !csv.fieldEscaped(column);
          if (cached) {
            const tag = cache.get(block, from, to, out);
            if (tag >= 0) return tag === 1;
          }
          const address = csv.text(column).trim();
          if (address === '') return 'empty address';
          const result = best(address);
          const mark = out.length;
          if (result === null) out.append(unmatched);
          else out.appendText(csvTail(result));
          if (cached) cache.set(block, from, to, out.since(mark), result === null ? 0 : 1);
          return result !== null;
        }),
    };
  }
  // two generations: look in both, add to the young one, retire the old one when the young is full
  let young = new Map<string, GeocodeResult | null>();
  let old = new Map<string, GeocodeResult | null>();
  const cachedBest = (address: string): GeocodeResult | null => {
    let result = young.get(address);
    if (result !== undefined) return result;
    result = old.get(address);
    if (result === undefined) result = best(address);
    if (young.size >= CACHE_ENTRIES) {
      old = young;
      young = new Map();
    }
    young.set(address, result);
    return result;
  };
  return {
    process: (block) =>
      jsonRowBlock(block, '\n', (record) => {
        const key = job.addressKey ?? Object.keys(record.properties).find((k) => ADDRESS_ALIASES.includes(k.toLowerCase())) ?? 'address';
        const value = record.properties[key];
        if (typeof value !== 'string' || value.trim() === '') return value === undefined ? `has no ${key} property` : 'empty address';
        const result = cachedBest(value.trim());
        const row = result === null ? GEOCODE_COLUMNS.map(() => null) : resultRow(result);
        GEOCODE_COLUMNS.forEach((column, k) => (record.properties[column] = row[k]));
        if (result !== null && record.value.type === 'Feature' && record.geometry === null) {
          record.value.geometry = { type: 'Point', coordinates: [result.lng, result.lat] };
        }
        return result !== null;
      }),
  };
}

// a door's coordinates come back for every spelling of its address, and String(116.40989450000001)
// takes the slow path of shortest round-trip printing: about half of csvTail's time (issue 9)
const numberTexts = new Map<number, string>();
function numberText(n: number): string {
  let text = numberTexts.get(n);
  if (text === undefined) {
    if (numberTexts.size >= 100_000) numberTexts.clear();
    numberTexts.set(n, (text = String(n)));
  }
  return text;
}

/** The CSV text appended for a result: resultRow as CSV fields, without building the row (this runs for every distinct address). */
function csvTail(r: GeocodeResult): string {
  const m = r.matched;
  const grid = r.socialGrid;
  return `,${numberText(r.lng)},${numberText(r.lat)},${r.level},${numberText(r.score)},${csvField(r.unitGrid?.code)},${csvField(grid?.staticCode)},${csvField(grid?.dynamicCode)},${csvField(r.community?.code)},${csvField(r.street?.code)},${csvField(m.road)},${csvField(m.number)},${csvField(m.poi)},${csvField(m.alias)},${csvField(m.edits.join('|'))}\n`;
}

/** Values in GEOCODE_COLUMNS order; community and street as codes, edits joined with `|`. */
function resultRow(r: GeocodeResult): (string | number | null)[] {
  const m = r.matched;
  return [
    r.lng,
    r.lat,
    r.level,
    r.score,
    r.unitGrid?.code ?? null,
    r.socialGrid?.staticCode ?? null,
    r.socialGrid?.dynamicCode ?? null,
    r.community?.code ?? null,
    r.street?.code ?? null,
    m.road,
    m.number,
    m.poi,
    m.alias,
    m.edits.join('|'),
  ];
}
