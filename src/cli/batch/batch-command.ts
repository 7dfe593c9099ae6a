import { parseCsv } from '../../ingest/csv.js';
import type { Layer } from '../../model.js';
import { Store } from '../../store/store.js';
import { choiceFlag, integerFlag, parseFlags, UsageError } from '../args.js';
import { chosenDatabase, DATABASE_FLAGS, onChosenDatabase } from '../command-database.js';
import type { Io } from '../io.js';
import { batchFormat, openBatchInput, splitCsvHeader, type BatchFormat } from './batch-input.js';
import { openBatchOutput } from './batch-output.js';
import { runBatch, type InputBlock } from './batch-runner.js';
import type { ProcessorFactory } from './block-job.js';
import { readGeoJsonBlocks } from './geojson-blocks.js';
import { readRecordBlocks } from './record-blocks.js';

/** The flags every batch command takes, besides its own. */
export const BATCH_FLAGS = {
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  strict: { type: 'boolean' },
  threads: { type: 'string' },
  ...DATABASE_FLAGS,
} as const;

type Flags = Parameters<typeof parseFlags>[2];

/**
 * Parses a batch command's flags and its one optional FILE, and returns the options
 * `runBatchCommand` shares across commands, and `onDatabase`, which runs the command on its
 * database: a file checked once (rather than in every worker), or a PostGIS working copy.
 */
export function parseBatchArgs<F extends Flags>(command: string, argv: string[], flags: F, formats: readonly BatchFormat[]) {
  const { values, positionals } = parseFlags(command, argv, { ...BATCH_FLAGS, ...flags });
  const common = values as { output?: string; format?: string; strict?: boolean; threads?: string; db?: string; store?: string };
  /** checked after --help has had its say */
  const shared = () => {
    if (positionals.length > 1) throw new UsageError(`give at most one FILE (see wangge ${command} --help)`);
    const file = positionals[0] ?? '-';
    return {
      file,
      format: batchFormat(file, common.format === undefined ? undefined : choiceFlag(common.format, 'format', formats), formats),
      output: common.output,
      strict: common.strict ?? false,
      threads: common.threads === undefined ? undefined : integerFlag(common.threads, 'threads', 1, 1),
    };
  };
  /** `layers`: what the command's indexes read, all a PostGIS working copy needs */
  const onDatabase = (io: Io, layers: readonly Layer[], run: (dbPath: string) => Promise<number>): Promise<number> => {
    const chosen = chosenDatabase(common);
    if (chosen.dbPath !== undefined) Store.open(chosen.dbPath, { readonly: true }).close();
    return onChosenDatabase(chosen, { writes: false, io, layers }, run);
  };
  return { values, shared, onDatabase };
}

export interface BatchCommandOptions<O> {
  /** the command name (progress, summary) */
  label: string;
  io: Io;
  /** input file, "-" for standard input */
  file: string;
  format: BatchFormat;
  /** output file; standard output when undefined */
  output: string | undefined;
  strict: boolean;
  /** the --threads flag, if given; else workers are added when they measure worth it (runBatch) */
  threads: number | undefined;
  /** names of the CSV columns appended to the header */
  csvColumns: readonly string[];
  /** the processor's options, from the CSV header's names (null for JSON input); may throw to refuse the header */
  options(header: string[] | null): O;
  /** the command module's `import.meta.url` and the name it exports `create` as, for workers */
  module: string;
  factory: string;
  create: ProcessorFactory<O>;
}

/**
 * The body of a batch command: opens the input, takes the CSV header, runs the batch into the
 * output (a file appears only when complete) and gives the exit code (1 for bad rows with --strict).
 */
export async function runBatchCommand<O>(options: BatchCommandOptions<O>): Promise<number> {
  const { io, file, format } = options;
  const input = openBatchInput(file);
  let blocks: AsyncIterable<InputBlock>;
  let job: O;
  let head = '';
  let tail = '';
  let firstLine = 1;
  if (format === 'csv') {
    const header = await splitCsvHeader(readRecordBlocks(input.chunks, { quotes: true }));
    if (header === null) throw new UsageError(`${file === '-' ? 'standard input' : file} is empty: a CSV needs a header row`);
    job = options.options(headerNames(header.text));
    head = `${header.text},${options.csvColumns.join(',')}\n`;
    firstLine = header.lines + 1;
    blocks = wrap(header.rest);
  } else {
    job = options.options(null);
    if (format === 'ndjson') blocks = wrap(readRecordBlocks(input.chunks, { quotes: false }));
    else {
      blocks = readGeoJsonBlocks(input.chunks);
      head = '{"type":"FeatureCollection","features":[\n';
      tail = '\n]}\n';
    }
  }
  const output = openBatchOutput(options.output);
  try {
    const report = await runBatch({
      label: options.label,
      io,
      blocks,
      output: output.stream,
      head,
      tail,
      joiner: format === 'geojson' ? ',\n' : '',
      firstLine,
      job: { module: options.module, factory: options.factory, options: job },
      factory: options.create,
      threads: options.threads ?? 'auto',
      bytesRead: input.bytesRead,
      totalBytes: input.sizeBytes,
    });
    await output.commit();
    if (options.strict && report.bad > 0) {
      io.err(`error: ${report.bad} bad row${report.bad === 1 ? '' : 's'} (--strict)`);
      return 1;
    }
    return 0;
  } catch (error) {
    output.abort();
    // the reader of standard output went away (`| head`): it has what it wanted
    if (options.output === undefined && (error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw error;
  }
}

function headerNames(text: string): string[] {
  for (const { fields } of parseCsv(text)) return fields;
  return [];
}

async function* wrap(blocks: AsyncIterable<Uint8Array>): AsyncGenerator<InputBlock> {
  for await (const block of blocks) yield { block };
}
