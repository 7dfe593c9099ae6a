import type { BadRow, BlockResult } from './block-job.js';
import { CsvScanner } from './csv-scanner.js';
import { LineCursor } from './line-cursor.js';
import { OutputBuffer, utf8 } from './output-buffer.js';

/**
 * Reads one CSV row and appends to `out` what follows the record (its new fields and the line
 * break; the record's own bytes are already there); returns whether it matched, or why the row
 * is bad (anything it appended is then dropped).
 */
export type CsvRow = (csv: CsvScanner, out: OutputBuffer) => boolean | string;

/**
 * The loop over a CSV block: skips blank lines, reports malformed records and wrong field
 * counts, and writes each good record's bytes unchanged followed by what `row` appends.
 */
export function csvRowBlock(block: Uint8Array, fields: number, row: CsvRow): BlockResult {
  const csv = new CsvScanner(block);
  const out = new OutputBuffer(block.length * 3);
  const bad: BadRow[] = [];
  let rows = 0;
  let matched = 0;
  while (csv.next()) {
    if (csv.blank) continue;
    rows++;
    const mark = out.length;
    let outcome: boolean | string;
    if (csv.error !== null) outcome = csv.error;
    else if (csv.fieldCount !== fields) outcome = `has ${csv.fieldCount} fields, the header has ${fields}`;
    else {
      out.appendRange(block, csv.start, csv.end);
      outcome = row(csv, out);
    }
    if (typeof outcome === 'string') {
      out.truncate(mark);
      bad.push({ line: csv.line, reason: outcome });
    } else if (outcome) matched++;
  }
  return { output: out.bytes(), lines: csv.lines, rows, matched, unmatched: rows - matched - bad.length, bad };
}

/** One NDJSON record: `properties` is where values are read and appended. */
export interface JsonRecord {
  /** what is written back */
  value: Record<string, unknown>;
  /** a Feature's properties (made an object if missing), or the plain object itself */
  properties: Record<string, unknown>;
  /** a Feature's geometry, null for none or a plain object */
  geometry: Record<string, unknown> | null;
}

/** Reads one JSON record; appends to it and returns whether it matched, or returns why it is bad. */
export type JsonRow = (record: JsonRecord) => boolean | string;

/**
 * The loop over a block of JSON records, one per line (NDJSON, or GeoJSON features as
 * readGeoJsonBlocks gives them): each good record is written back with what `row` added,
 * followed by `joiner` (`\n`), or with `joiner` between records (`,\n` inside a FeatureCollection).
 */
export function jsonRowBlock(block: Uint8Array, joiner: string, row: JsonRow): BlockResult {
  const cursor = new LineCursor(new TextDecoder('utf-8', { ignoreBOM: true }).decode(block));
  const bad: BadRow[] = [];
  const out: string[] = [];
  let rows = 0;
  let matched = 0;
  while (cursor.next()) {
    // RFC 8142 sequences put a record separator before each record
    const text = cursor.record.trim().replace(/^\u001e/, '');
    if (text === '') continue;
    rows++;
    const record = parseJsonRecord(text);
    const outcome = typeof record === 'string' ? record : row(record);
    if (typeof outcome === 'string') {
      bad.push({ line: cursor.line, reason: outcome });
      continue;
    }
    if (outcome) matched++;
    out.push(JSON.stringify((record as JsonRecord).value));
  }
  const text = joiner === '\n' ? out.map((line) => line + '\n').join('') : out.join(joiner);
  return { output: utf8(text), lines: cursor.lines, rows, matched, unmatched: rows - matched - bad.length, bad };
}

/** Parses a record: a Feature, a bare geometry (wrapped in a Feature) or a plain object. */
export function parseJsonRecord(text: string): JsonRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `not valid JSON: ${(error as Error).message}`;
  }
  if (!isObject(parsed)) return 'is not a JSON object';
  let value = parsed;
  if (value.type !== 'Feature' && typeof value.type === 'string' && 'coordinates' in value) value = { type: 'Feature', properties: {}, geometry: value };
  if (value.type !== 'Feature') return { value, properties: value, geometry: null };
  if (!isObject(value.properties)) value.properties = {};
  return { value, properties: value.properties as Record<string, unknown>, geometry: isObject(value.geometry) ? value.geometry : null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
