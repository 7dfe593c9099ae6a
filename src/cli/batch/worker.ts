import { parentPort, workerData } from 'node:worker_threads';
import type { BlockProcessor, JobSpec, ProcessorFactory } from './block-job.js';
import type { WorkerMessage } from './worker-pool.js';

/**
 * A batch worker thread: builds its processor once from the job (which opens the store
 * read-only and builds its own index), says `{ ready }`, then answers `{ id, block }` with
 * `{ id, result }`, transferring the output bytes.
 */
const port = parentPort!;
const job = workerData as JobSpec;
const post = (message: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

let processor: BlockProcessor;
try {
  const module = (await import(job.module)) as Record<string, ProcessorFactory<unknown> | undefined>;
  const factory = module[job.factory];
  if (typeof factory !== 'function') throw new Error(`${job.module} exports no function ${job.factory}`);
  processor = factory(job.options);
  post({ ready: true });
} catch (error) {
  post({ ready: false, error: error instanceof Error ? error.message : String(error) });
  throw error;
}

port.on('message', ({ id, block }: { id: number; block: Uint8Array }) => {
  try {
    const result = processor.process(block);
    post({ id, result }, [result.output.buffer as ArrayBuffer]);
  } catch (error) {
    post({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
