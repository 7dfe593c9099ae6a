/**
 * The contract between the batch runner and a command's row logic. A block is the UTF-8 bytes
 * of whole records (never a record cut in two); a processor turns it into output bytes and
 * counts. The same processor runs in-process or in a worker, so both paths give the same bytes.
 */

/** A row that could not be processed; `line` is 0-based within the block (one record per line for GeoJSON). */
export interface BadRow {
  line: number;
  reason: string;
}

/** What a processor made of one block. */
export interface BlockResult {
  output: Uint8Array;
  /** input lines the block spans (blank lines included), so the runner can number the next block */
  lines: number;
  /** records read, bad ones included */
  rows: number;
  matched: number;
  unmatched: number;
  bad: BadRow[];
}

/** Processes blocks of one input; built once per thread. */
export interface BlockProcessor {
  process(block: Uint8Array): BlockResult;
}

/**
 * How a worker builds its processor: `import(module)[factory](options)`. Options must survive
 * structured cloning; the factory opens the store read-only and builds its index.
 */
export interface JobSpec<O = unknown> {
  /** URL of the module that exports the factory (the command's `import.meta.url`) */
  module: string;
  factory: string;
  options: O;
}

/** A processor factory as a command exports it. */
export type ProcessorFactory<O> = (options: O) => BlockProcessor;

// a byte-order mark is dropped once at the start of the input (record-blocks.ts); inside a field it is data
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes a block; invalid UTF-8 becomes U+FFFD rather than failing the batch. */
export function blockText(block: Uint8Array): string {
  return decoder.decode(block);
}
