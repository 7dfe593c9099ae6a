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

/**
 * Threads for a batch: the flag when given; else a worker per core (up to 8) when the input is a
 * file of at least `workersFromBytes` — each worker builds its own index, so below that one thread
 * finishes first — else 1 (in-process). Input of unknown size (a pipe) stays in-process.
 */
export function chooseThreads(requested: number | undefined, inputBytes: number | null, workersFromBytes: number): number {
  if (requested !== undefined) return requested;
  const cores = availableParallelism();
  if (!WORKERS_RUNNABLE || cores < 2 || inputBytes === null || inputBytes < workersFromBytes) return 1;
  return Math.min(cores, 8);
}

interface Pending {
  resolve: (result: BlockResult) => void;
  reject: (error: Error) => void;
}

/** Worker threads that each build a processor from the same job and process blocks in any order. */
export class WorkerPool {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private nextId = 0;
  private failure: Error | null = null;

  constructor(size: number, job: JobSpec) {
    for (let k = 0; k < size; k++) {
      // inherit loader flags (tsx), not flags a worker refuses
      const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
      const worker = new Worker(WORKER_URL, { workerData: job, execArgv });
      const entry = { worker, pending: new Map<number, Pending>() };
      worker.on('message', (message: { id: number; result?: BlockResult; error?: string }) => {
        const pending = entry.pending.get(message.id);
        if (!pending) return;
        entry.pending.delete(message.id);
        if (message.result) pending.resolve(message.result);
        else pending.reject(new Error(message.error ?? 'the worker failed'));
      });
      const fail = (error: Error) => {
        this.failure ??= error;
        for (const pending of entry.pending.values()) pending.reject(error);
        entry.pending.clear();
      };
      worker.on('error', (error) => fail(new Error(`batch worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => fail(new Error(`batch worker exited with code ${code}`)));
      this.workers.push(entry);
    }
  }

  /** Processes a block on the least busy worker; the block's buffer is transferred (unusable afterwards). */
  run(block: Uint8Array): Promise<BlockResult> {
    if (this.failure) return Promise.reject(this.failure);
    let entry = this.workers[0]!;
    for (const candidate of this.workers) if (candidate.pending.size < entry.pending.size) entry = candidate;
    const id = this.nextId++;
    return new Promise<BlockResult>((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, block }, [block.buffer as ArrayBuffer]);
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
