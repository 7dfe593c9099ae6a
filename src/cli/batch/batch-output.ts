import { createWriteStream, openSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { InvalidRequestError } from '../../errors.js';
import { commitPart, partPathOf, removeStaleParts } from '../../store/part-file.js';

/** Where a batch writes: a file that appears only when complete, or standard output. */
export interface BatchOutput {
  stream: Writable;
  /** finishes the file and moves it into place */
  commit(): Promise<void>;
  /** drops a partly written file */
  abort(): void;
}

/**
 * Opens `path` — written as `path.part-PID` and renamed at the end, so a failed run leaves no
 * half file and the output may replace the input — or standard output when undefined or "-".
 * Fails at once when the file cannot be created.
 */
export function openBatchOutput(path: string | undefined): BatchOutput {
  if (path === undefined || path === '-') {
    return { stream: process.stdout, commit: async () => {}, abort: () => {} };
  }
  const partial = partPathOf(path);
  removeStaleParts(path);
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw new InvalidRequestError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const stream = createWriteStream(partial, { fd });
  return {
    stream,
    async commit() {
      stream.end();
      await finished(stream);
      commitPart(partial, path);
    },
    abort() {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
}
