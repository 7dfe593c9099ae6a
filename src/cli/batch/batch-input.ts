import { createReadStream, fstatSync, statSync } from 'node:fs';
import { InvalidRequestError } from '../../errors.js';
import { blockText } from './block-job.js';
import { firstRecordLength } from './record-blocks.js';

export type BatchFormat = 'csv' | 'ndjson' | 'geojson';

/** Where a batch reads from, with what progress needs. */
export interface BatchInput {
  /** the file name, or "-" for standard input */
  name: string;
  chunks: AsyncIterable<Uint8Array>;
  /** the size in bytes when known (a file, or standard input redirected from one) */
  sizeBytes: number | null;
  bytesRead(): number;
}

const READ_BYTES = 1024 * 1024;

/** Opens a file, or standard input for "-", as a byte stream read 1 MiB at a time. */
export function openBatchInput(file: string): BatchInput {
  let sizeBytes: number | null;
  if (file === '-') {
    const stat = fstatSync(0);
    sizeBytes = stat.isFile() ? stat.size : null;
  } else {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) throw new InvalidRequestError(`${file}: no such file`);
    sizeBytes = stat.size;
  }
  const stream = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: READ_BYTES });
  let read = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      read += chunk.length;
      yield chunk;
    }
  }
  return { name: file, chunks: chunks(), sizeBytes, bytesRead: () => read };
}

/** The input format: the flag, else from the file extension; CSV for standard input and unknown extensions. */
export function batchFormat<F extends BatchFormat>(file: string, flag: F | undefined, accepted: readonly F[]): F {
  if (flag !== undefined) return flag;
  const lower = file.toLowerCase();
  const guess: BatchFormat = /\.(ndjson|jsonl|geojsonl|geojsons)$/.test(lower) ? 'ndjson' : /\.(geo)?json$/.test(lower) ? 'geojson' : 'csv';
  if (!(accepted as readonly BatchFormat[]).includes(guess)) {
    throw new InvalidRequestError(`${file} looks like ${guess}; this command reads ${accepted.join(' or ')} (--format overrides)`);
  }
  return guess as F;
}

/** A CSV header record and the blocks after it. */
export interface CsvHeader {
  /** the header record as written, without its line break */
  text: string;
  /** input lines it spans */
  lines: number;
  rest: AsyncIterable<Uint8Array>;
}

/** Takes the header record off the first block; null for an empty input. */
export async function splitCsvHeader(blocks: AsyncIterable<Uint8Array>): Promise<CsvHeader | null> {
  const iterator = blocks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return null;
  const length = firstRecordLength(first.value, true);
  const raw = blockText(first.value.subarray(0, length));
  const after = first.value.subarray(length);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (after.length > 0) yield after;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { text: raw.replace(/\r?\n$/, ''), lines: raw.split('\n').length - (raw.endsWith('\n') ? 1 : 0), rest: rest() };
}

/**
 * The index of a column: the one named by a flag (exact, then case-insensitive), else the first
 * header that is one of `aliases` (case-insensitive). Throws naming the header when none is found.
 */
export function findColumn(header: readonly string[], flag: { name: string; value: string | undefined }, aliases: readonly string[]): number {
  const names = header.map((h) => h.trim());
  if (flag.value !== undefined) {
    const exact = names.indexOf(flag.value);
    const index = exact >= 0 ? exact : names.findIndex((h) => h.toLowerCase() === flag.value!.toLowerCase());
    if (index < 0) throw new InvalidRequestError(`--${flag.name} ${flag.value}: no such column; the header has ${names.join(', ')}`);
    return index;
  }
  const index = names.findIndex((h) => aliases.includes(h.toLowerCase()));
  if (index < 0) throw new InvalidRequestError(`no ${aliases[0]} column (${aliases.join('/')}); the header has ${names.join(', ')} (--${flag.name} names it)`);
  return index;
}
