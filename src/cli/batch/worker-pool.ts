import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlockResult, JobSpec } from './block-job.js';

// the worker entry next to this file, in the same form: worker.js when built, worker.ts from sources
const WORKER_URL = new URL(`./worker${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);

/**
 * True when worker threads can load the worker entry: always for the built JS; for TypeScript
 * sources only under a loader the workers inherit (tsx passes its own in `execArgv`; vitest does not).
 */
export const WORKERS_RUNNABLE = WORKER_URL.pathname.endsWith('.js') || process.execArgv.some((a) => a.includes('tsx'));

/** The most threads a batch uses unasked: one per core, up to 8; 1 where workers cannot run. */
export function maxAutoThreads(): number {
  return WORKERS_RUNNABLE ? Math.max(1, Math.min(availableParallelism(), 8)) : 1;
}

/** Messages from a worker: its processor is built (or failed to build), or a block's result. */
export type WorkerMessage = { ready: true } | { ready: false; error: string } | { id: number; result?: BlockResult; error?: string };

interface Pending {
  resolve: (result: BlockResult) => void;
  reject: (error: Error) => void;
}

/** One worker thread; it takes blocks once `ready`. */
export interface PoolWorker {
  readonly ready: boolean;
  /** blocks sent and not yet answered */
  readonly pending: number;
}

interface Entry extends PoolWorker {
  worker: Worker;
  ready: boolean;
  pending: number;
  /** blocks sent in all */
  blocks: number;
  waiting: Map<number, Pending>;
}

/**
 * Worker threads that each build a processor from the same job (their own store connection and
 * index) and then process blocks. Workers start building at once and take blocks only when
 * ready, so the thread that owns the pool can go on processing meanwhile.
 */
export class WorkerPool {
  private readonly entries: Entry[] = [];
  private readonly job: JobSpec;
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;
  private readyListeners: (() => void)[] = [];

  constructor(job: JobSpec) {
    this.job = job;
  }

  /** Workers started so far. */
  get size(): number {
    return this.entries.length;
  }

  /** Workers that were given at least one block. */
  get busyWorkers(): number {
    return this.entries.filter((e) => e.blocks > 0).length;
  }

  /** Starts `count` more workers. */
  grow(count: number): void {
    for (let k = 0; k < count; k++) this.start();
  }

  /** A ready worker with fewer than `depth` blocks pending, the least busy; null if none. Throws once a worker failed. */
  available(depth: number): PoolWorker | null {
    if (this.failure) throw this.failure;
    let best: Entry | null = null;
    for (const entry of this.entries) if (entry.ready && entry.pending < depth && (best === null || entry.pending < best.pending)) best = entry;
    return best;
  }

  /** Resolves when some worker is ready; rejects when a worker fails first. */
  someReady(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.entries.some((e) => e.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyListeners.push(() => (this.failure ? reject(this.failure) : resolve())));
  }

  /** Processes a block on `worker` (from `available`); the block's buffer is transferred (unusable afterwards). */
  run(worker: PoolWorker, block: Uint8Array): Promise<BlockResult> {
    if (this.failure) return Promise.reject(this.failure);
    const entry = worker as Entry;
    const id = this.nextId++;
    entry.pending++;
    entry.blocks++;
    return new Promise<BlockResult>((resolve, reject) => {
      entry.waiting.set(id, { resolve, reject });
      entry.worker.postMessage({ id, block }, [block.buffer as ArrayBuffer]);
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.entries.map(({ worker }) => worker.terminate()));
  }

  private start(): void {
    // a worker inherits this process's flags (a loader such as tsx's, V8 flags such as
    // --max-old-space-size) unless given a list, and a given list may not hold V8 flags; so one is
    // given only to drop --input-type (code given as a string), which a worker loading a file refuses
    const inherited = process.execArgv;
    const execArgv = inherited.some((a) => a.startsWith('--input-type')) ? inherited.filter((a) => !a.startsWith('--input-type')) : undefined;
    const worker = new Worker(WORKER_URL, { workerData: this.job, execArgv });
    const entry: Entry = { worker, ready: false, pending: 0, blocks: 0, waiting: new Map() };
    worker.on('message', (message: WorkerMessage) => {
      if ('ready' in message) {
        if (message.ready) entry.ready = true;
        else this.fail(entry, new Error(`batch worker failed: ${message.error}`));
        this.notifyReady();
        return;
      }
      const waiting = entry.waiting.get(message.id);
      if (!waiting) return;
      entry.waiting.delete(message.id);
      entry.pending--;
      if (message.result) waiting.resolve(message.result);
      else waiting.reject(new Error(message.error ?? 'the worker failed'));
    });
    worker.on('error', (error) => this.fail(entry, new Error(`batch worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(entry, new Error(`batch worker exited with code ${code}`));
    });
    this.entries.push(entry);
  }

  private fail(entry: Entry, error: Error): void {
    this.failure ??= error;
    entry.ready = false;
    for (const waiting of entry.waiting.values()) waiting.reject(error);
    entry.waiting.clear();
    this.notifyReady();
  }

  private notifyReady(): void {
    const listeners = this.readyListeners;
    this.readyListeners = [];
    for (const listener of listeners) listener();
  }
}
