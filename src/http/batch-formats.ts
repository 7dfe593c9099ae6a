import { InvalidRequestError } from '../errors.js';
import { csvField } from '../ingest/csv.js';

/** How a batch is answered: one JSON document, one JSON object per line, or CSV with a header. */
export type BatchFormat = 'json' | 'ndjson' | 'csv';

/** A value of a flat row: codes and names as strings, coordinates and scores as numbers. */
export type RowValue = string | number | null;

/** The Content-Type of each format. */
export const BATCH_CONTENT_TYPES: Readonly<Record<BatchFormat, string>> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

const MEDIA_TYPES: ReadonlyArray<readonly [string, BatchFormat]> = [
  ['application/json', 'json'],
  ['application/x-ndjson', 'ndjson'],
  ['text/csv', 'csv'],
];

/**
 * The fields of a flat (NDJSON, CSV) answer to `POST /v1/reverse`, in order: the point in WGS84
 * as the JSON answer's lng/lat, the point as sent (`input_x`, `input_y`, only with a crs other
 * than WGS84), the codes under the CLI's column names (`wangge reverse`), and with address=1 the
 * nearest door plate's id, label and distance. Codes are empty (CSV) or null outside every area.
 */
export const REVERSE_ROW_COLUMNS = {
  point: ['lng', 'lat'],
  input: ['input_x', 'input_y'],
  codes: ['district', 'street', 'community', 'unit_grid', 'social_static', 'social_dynamic'],
  address: ['nearest_address_id', 'nearest_address', 'nearest_address_distance_m'],
} as const;

/**
 * The fields of a flat (NDJSON, CSV) answer to `POST /v1/geocode`, in order: the address as sent
 * (`query`), the canonical address found, then the CLI's columns (`wangge geocode`; community and
 * street as codes, `edits` joined with `|`), the district code, the house of a door match and
 * the `reason` there is no result. Empty (CSV) or null where nothing was found.
 */
export const GEOCODE_ROW_COLUMNS = [
  'query',
  'address',
  'lng',
  'lat',
  'level',
  'score',
  'unit_grid',
  'social_static',
  'social_dynamic',
  'community',
  'street',
  'district',
  'house_id',
  'matched_road',
  'matched_number',
  'matched_poi',
  'matched_alias',
  'edits',
  'reason',
] as const;

/**
 * The format an `Accept` header asks for: the named type (application/json, application/x-ndjson,
 * text/csv) with the highest q-value, JSON on a tie; wildcards and other types get JSON, as every
 * client got before the other formats existed.
 * @example batchFormat('text/csv, application/json;q=0.5') // 'csv'
 */
export function batchFormat(accept: string | undefined | null): BatchFormat {
  if (!accept) return 'json';
  let best: BatchFormat = 'json';
  let bestQ = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';');
    const format = MEDIA_TYPES.find(([media]) => media === type.trim().toLowerCase())?.[1];
    if (format === undefined) continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (weight > bestQ || (weight === bestQ && weight > 0 && format === 'json')) [best, bestQ] = [format, weight];
  }
  return best;
}

/**
 * The columns of a flat answer: `columns` (the answer's fields in their order) restricted to those
 * `fields` names, comma-separated, keeping the answer's order; all of them without `fields`.
 * A name not among `columns` is a 400 that lists them, and so is `fields` on a JSON answer;
 * `hint` says when further columns exist (as with address=true).
 */
export function selectColumns(columns: readonly string[], fields: string | undefined, format: BatchFormat, hint = ''): readonly string[] {
  if (fields === undefined) return columns;
  const allowed = `the fields of this answer are ${columns.join(', ')}${hint}`;
  if (format === 'json') {
    throw new InvalidRequestError(`fields applies to NDJSON and CSV answers (Accept: application/x-ndjson or text/csv), not to JSON; ${allowed}`);
  }
  const wanted = fields.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !columns.includes(name));
  if (unknown.length > 0) throw new InvalidRequestError(`fields: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => JSON.stringify(name)).join(', ')}; ${allowed}`);
  return columns.filter((name) => wanted.includes(name));
}

/**
 * Writes flat rows as NDJSON or CSV: `header` once, then per row `start`, the fields joined by
 * commas and `end`. A row may be written in parts (`fields`) that the caller joins with commas, so
 * a part shared by many rows (the codes of one grid) can be encoded once.
 * @example const rows = new RowFormat('csv', ['lng', 'lat']); rows.start + rows.fields(['lng', 'lat'], [116.4, 39.9]) + rows.end
 */
export class RowFormat {
  /** text before the first row: the CSV header line, or nothing */
  readonly header: string;
  readonly start: string;
  readonly end: string;

  constructor(
    readonly format: 'ndjson' | 'csv',
    columns: readonly string[],
  ) {
    this.header = format === 'csv' ? columns.map(csvField).join(',') + '\n' : '';
    this.start = format === 'csv' ? '' : '{';
    this.end = format === 'csv' ? '\n' : '}\n';
  }

  /** `names` with their `values` as one part of a row (CSV fields or NDJSON members), comma-joined. */
  fields(names: readonly string[], values: readonly RowValue[]): string {
    if (this.format === 'csv') return values.map(csvField).join(',');
    return names.map((name, k) => `${JSON.stringify(name)}:${JSON.stringify(values[k] ?? null)}`).join(',');
  }

  /** a whole row of these names and values */
  row(names: readonly string[], values: readonly RowValue[]): string {
    return this.start + this.fields(names, values) + this.end;
  }
}
