import { cpus } from 'node:os';

/** Workers start when the time left, at the rate so far, exceeds this many worker start-ups (modules and index). */
export const BUILDS_TO_PAY = 2;
/** The shortest window idle cores are measured over (the kernel counts CPU time in 10 ms ticks). */
export const WINDOW_MS = 250;

/** CPU time counters summed over all cores (os.cpus()), in ms. */
export interface CpuSample {
  idle: number;
  total: number;
  cores: number;
}

/** The machine's CPU counters now. */
export function sampleCpus(): CpuSample {
  let idle = 0;
  let total = 0;
  const list = cpus();
  for (const { times } of list) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total, cores: list.length };
}

/** How many cores were idle on average between two samples. */
export function idleCores(from: CpuSample, to: CpuSample): number {
  const total = to.total - from.total;
  return total > 0 ? ((to.idle - from.idle) / total) * to.cores : 0;
}

export interface AutoThreadsOptions {
  /** workers that may be added */
  maxWorkers: number;
  /** how long this thread took to be ready — its modules loaded, its processor built (a worker takes as long) */
  readyMs: number;
  /** the input's size in bytes; null when unknown (a pipe) */
  totalBytes: number | null;
  now?: () => number;
  sample?: () => CpuSample;
}

/**
 * The default thread rule of a batch, decided on what this run measures (issue 9): a batch
 * starts on one thread, and workers join when they will repay their start. A worker loads the
 * modules and builds the index (as long as this thread took from the process's start) before it
 * takes blocks, then takes its share of what is left, so it pays when the time left — the rest of
 * the input at the rate so far, or for a pipe as long again as the batch has run — exceeds two
 * such start-ups, and only if cores stood idle meanwhile to run it: on a machine busy with other
 * work a worker only takes time from this thread. (Counting the build alone, a 1M-row reverse
 * took a worker and ran 0.8× as fast as on one thread.)
 * @example
 * const plan = new AutoThreads({ maxWorkers: 1, readyMs, totalBytes });
 * // after each block this thread processes:
 * const workers = plan.check(bytesSoFar);
 * if (workers > 0) pool.grow(workers);
 */
export class AutoThreads {
  private readonly maxWorkers: number;
  private readonly readyMs: number;
  private readonly totalBytes: number | null;
  private readonly now: () => number;
  private readonly sample: () => CpuSample;
  private readonly started: number;
  private windowStarted: number;
  private windowSample: CpuSample;
  private decided = false;

  constructor({ maxWorkers, readyMs, totalBytes, now = () => performance.now(), sample = sampleCpus }: AutoThreadsOptions) {
    this.maxWorkers = maxWorkers;
    this.readyMs = readyMs;
    this.totalBytes = totalBytes;
    this.now = now;
    this.sample = sample;
    this.started = now();
    this.windowStarted = this.started;
    this.windowSample = sample();
  }

  /** Workers to start now, given the input bytes processed so far; more than 0 at most once. */
  check(processedBytes: number): number {
    if (this.decided || this.maxWorkers < 1 || processedBytes <= 0) return 0;
    const now = this.now();
    if (now - this.windowStarted < WINDOW_MS) return 0;
    const elapsed = now - this.started;
    const leftMs = this.totalBytes === null ? elapsed : (Math.max(0, this.totalBytes - processedBytes) * elapsed) / processedBytes;
    const sample = this.sample();
    const idle = idleCores(this.windowSample, sample);
    this.windowStarted = now;
    this.windowSample = sample;
    if (leftMs <= BUILDS_TO_PAY * this.readyMs) return 0;
    const workers = Math.min(this.maxWorkers, Math.round(idle));
    if (workers > 0) this.decided = true;
    return workers;
  }
}
