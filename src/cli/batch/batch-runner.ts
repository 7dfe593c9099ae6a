import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Io } from '../io.js';
import { AutoThreads } from './auto-threads.js';
import type { BlockResult, JobSpec, ProcessorFactory } from './block-job.js';
import { Progress, summaryLine, type BatchCounts } from './progress.js';
import { maxAutoThreads, WorkerPool } from './worker-pool.js';

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
  /**
   * N: this thread and N − 1 worker threads, all from the first block; 'auto': this thread, and
   * workers (up to one per core, 8 threads in all) once they measure worth it (auto-threads.ts)
   */
  threads: number | 'auto';
  /** bytes of input read so far, and the input's size when known: for the progress bar */
  bytesRead: () => number;
  totalBytes: number | null;
}

export interface BatchReport extends BatchCounts {
  seconds: number;
  /** threads that processed at least one block */
  threads: number;
}

/** Bad rows listed on stderr one by one; the rest are only counted. */
export const MAX_LISTED_BAD_ROWS = 200;

/** Blocks queued on a worker: enough that it never waits while this thread processes a block. */
const WORKER_DEPTH = 3;
/** Results this thread may hold while an earlier block is still on a worker. */
const HELD_AHEAD = 4;

interface Slot {
  result: BlockResult | null;
  /** a worker's answer, while it is pending */
  promise: Promise<BlockResult> | null;
  lines: number[] | undefined;
}

/**
 * Runs a batch: blocks are processed in this thread and, when there are workers, on them —
 * each ready worker is kept a few blocks ahead and this thread takes the rest, so a worker
 * still building its index costs nothing but a core. Results are written in input order with
 * backpressure, bad rows are reported by line number, a progress line shows on a terminal and
 * a summary ends the run. At most a few blocks per thread are in flight, so memory stays flat
 * whatever the input size. Every thread builds its own index, so with `threads: 'auto'` workers
 * join only when this run's measurements say they repay it (auto-threads.ts).
 */
export async function runBatch<O>(options: BatchOptions<O>): Promise<BatchReport> {
  const { io, output, joiner = '' } = options;
  const progress = new Progress(io, { label: options.label, totalBytes: options.totalBytes });
  const counts: BatchCounts = { rows: 0, matched: 0, unmatched: 0, bad: 0 };
  const sink = writer(output);
  const auto = options.threads === 'auto';
  const maxThreads = auto ? maxAutoThreads() : (options.threads as number);
  const pool = maxThreads > 1 ? new WorkerPool(options.job) : null;
  const queue: Slot[] = [];
  let nextLine = options.firstLine;
  let wroteBlock = false;
  let inlineBlocks = 0;

  const settle = async (): Promise<void> => {
    const { result, promise, lines } = queue.shift()!;
    const done = result ?? (await promise!);
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
    // workers build alongside this thread; with a fixed count all take part from the first block
    if (pool !== null && !auto) pool.grow(maxThreads - 1);
    const processor = options.factory(options.job.options);
    // a worker loads the modules and builds the index as this thread did since the process began
    const readyMs = performance.now();
    if (pool !== null && !auto) await pool.someReady();
    const plan = pool !== null && auto ? new AutoThreads({ maxWorkers: maxThreads - 1, readyMs, totalBytes: options.totalBytes }) : null;
    let dispatchedBytes = 0;

    await sink.write(options.head);
    for await (const { block, lines } of options.blocks) {
      dispatchedBytes += block.length;
      const worker = pool?.available(WORKER_DEPTH) ?? null;
      if (worker !== null) {
        const slot: Slot = { result: null, promise: pool!.run(worker, block), lines };
        // settled in order below; a later block failing first must not count as unhandled
        slot.promise!.then((result) => (slot.result = result)).catch(() => {});
        queue.push(slot);
      } else {
        queue.push({ result: processor.process(block), promise: null, lines });
        inlineBlocks++;
        const workers = plan?.check(dispatchedBytes) ?? 0;
        if (workers > 0) pool!.grow(workers);
      }
      const held = (pool?.size ?? 0) * WORKER_DEPTH + HELD_AHEAD;
      while (queue.length > 0 && (queue[0]!.result !== null || queue.length > held)) await settle();
    }
    while (queue.length > 0) await settle();
    await sink.write(options.tail);
  } finally {
    sink.release();
    await pool?.close();
  }
  if (counts.bad > MAX_LISTED_BAD_ROWS) progress.log(`… and ${counts.bad - MAX_LISTED_BAD_ROWS} more bad rows`);
  const seconds = progress.seconds;
  const threads = (inlineBlocks > 0 ? 1 : 0) + (pool?.busyWorkers ?? 0);
  progress.finish(summaryLine(options.label, counts, seconds, threads));
  return { ...counts, seconds, threads };
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
