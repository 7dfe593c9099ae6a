import { parentPort, workerData } from 'node:worker_threads';
import type { BlockProcessor, JobSpec, ProcessorFactory } from './block-job.js';

/**
 * A batch worker thread: builds its processor once from the job (which opens the store
 * read-only and builds its own index), then answers `{ id, block }` with `{ id, result }`,
 * transferring the output bytes. Messages sent while it builds wait in the port.
 */
const port = parentPort!;
const job = workerData as JobSpec;

let processor: BlockProcessor | null = null;
let failure: string | null = null;
try {
  const module = (await import(job.module)) as Record<string, ProcessorFactory<unknown> | undefined>;
  const factory = module[job.factory];
  if (typeof factory !== 'function') throw new Error(`${job.module} exports no function ${job.factory}`);
  processor = factory(job.options);
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
}

port.on('message', ({ id, block }: { id: number; block: Uint8Array }) => {
  if (processor === null) {
    port.postMessage({ id, error: failure });
    return;
  }
  try {
    const result = processor.process(block);
    port.postMessage({ id, result }, [result.output.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
