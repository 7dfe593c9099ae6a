import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Io } from '../io.js';
import type { BlockProcessor, BlockResult, JobSpec, ProcessorFactory } from './block-job.js';
import { Progress, summaryLine, type BatchCounts } from './progress.js';
import { WorkerPool } from './worker-pool.js';

/** A block of whole records; `lines` gives each record's input line when records are not lines (GeoJSON). */
export interface InputBlock {
  block: Uint8Array;
  lines?: number[];
}

export interface BatchOptions<O> {
  /** the command name, for the progress line and summary */
  label: string;
  io: Io;
  blocks: AsyncIterable<InputBlock>;
  output: Writable;
  /** written before the first block's output (a CSV header, a FeatureCollection opening) */
  head: string;
  /** written after the last */
  tail: string;
  /** written between two non-empty block outputs (`,\n` between GeoJSON features) */
  joiner?: string;
  /** line number of the first record of the first block (2 after a CSV header) */
  firstLine: number;
  /** how workers build their processor */
  job: JobSpec<O>;
  /** the function `job` names, to build the processor in this thread */
  factory: ProcessorFactory<O>;
  /** 1: process in this thread; more: that many worker threads */
  threads: number;
  /** bytes of input read so far, and the input's size when known: for the progress bar */
  bytesRead: () => number;
  totalBytes: number | null;
}

export interface BatchReport extends BatchCounts {
  seconds: number;
}

/** Bad rows listed on stderr one by one; the rest are only counted. */
export const MAX_LISTED_BAD_ROWS = 200;

interface Executor {
  run(block: Uint8Array): Promise<BlockResult>;
  close(): Promise<void>;
}

/**
 * Runs a batch: blocks go to a processor (in-process, or spread over worker threads), results
 * are written in input order with backpressure, bad rows are reported by line number, a
 * progress line shows on a terminal and a summary ends the run. At most a few blocks per
 * worker are in flight, so memory stays flat whatever the input size.
 */
export async function runBatch<O>(options: BatchOptions<O>): Promise<BatchReport> {
  const { io, output, joiner = '' } = options;
  const progress = new Progress(io, { label: options.label, totalBytes: options.totalBytes });
  const counts: BatchCounts = { rows: 0, matched: 0, unmatched: 0, bad: 0 };
  const sink = writer(output);
  const executor = options.threads > 1 ? poolExecutor(options.threads, options.job) : inlineExecutor(options.factory(options.job.options));
  const window = options.threads > 1 ? options.threads * 3 : 1;
  const inFlight: { result: Promise<BlockResult>; lines: number[] | undefined }[] = [];
  let nextLine = options.firstLine;
  let wroteBlock = false;

  const settle = async (): Promise<void> => {
    const { result, lines } = inFlight.shift()!;
    const done = await result;
    for (const { line, reason } of done.bad) {
      counts.bad++;
      if (counts.bad <= MAX_LISTED_BAD_ROWS) progress.log(`line ${lines ? lines[line] : nextLine + line}: ${reason}`);
    }
    nextLine += done.lines;
    counts.rows += done.rows;
    counts.matched += done.matched;
    counts.unmatched += done.unmatched;
    if (done.output.length > 0) {
      if (wroteBlock && joiner !== '') await sink.write(joiner);
      await sink.write(done.output);
      wroteBlock = true;
    }
    progress.update(counts.rows, options.bytesRead());
  };

  try {
    await sink.write(options.head);
    for await (const { block, lines } of options.blocks) {
      const result = executor.run(block);
      // settled in order below; a later block failing first must not count as unhandled
      result.catch(() => {});
      inFlight.push({ result, lines });
      if (inFlight.length >= window) await settle();
    }
    while (inFlight.length > 0) await settle();
    await sink.write(options.tail);
  } finally {
    sink.release();
    await executor.close();
  }
  if (counts.bad > MAX_LISTED_BAD_ROWS) progress.log(`… and ${counts.bad - MAX_LISTED_BAD_ROWS} more bad rows`);
  const seconds = progress.seconds;
  progress.finish(summaryLine(options.label, counts, seconds));
  return { ...counts, seconds };
}

function inlineExecutor(processor: BlockProcessor): Executor {
  return {
    run: (block) => {
      try {
        return Promise.resolve(processor.process(block));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close: async () => {},
  };
}

function poolExecutor<O>(threads: number, job: JobSpec<O>): Executor {
  const pool = new WorkerPool(threads, job);
  return { run: (block) => pool.run(block), close: () => pool.close() };
}

/** Writes with backpressure; a stream error (EPIPE, disk full) fails the next write. */
function writer(stream: Writable): { write(chunk: string | Uint8Array): Promise<void>; release(): void } {
  let failure: Error | null = null;
  const onError = (error: Error) => (failure ??= error);
  stream.on('error', onError);
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (chunk.length === 0) return;
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    // a later error is the owner's (commit rejects); standard output keeps no listener per run
    release: () => void stream.off('error', onError),
  };
}
