import { setTimeout as sleep } from 'node:timers/promises';
import { BusyError } from '../errors.js';
import { RETRY_AFTER_SECONDS } from './io-failure.js';

export interface WaitOptions {
  /** how long to keep trying before giving up with BusyError */
  waitMs: number;
  /** told after each failed attempt how long the wait has lasted so far */
  onWait?: (waitedMs: number) => void;
}

/** Pause between attempts: short at first, since most writes hold the lock for milliseconds. */
const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 50;

/**
 * Runs `work` — a `store.transaction` on a store opened with `busyTimeoutMs: 0` — and, while
 * another connection holds the write lock (BusyError, nothing run), runs it again after a pause
 * that does not block the event loop, until `waitMs` has passed. The server's writes wait out an
 * import this way while reads go on, and `wangge import` says that it is waiting.
 */
export async function whenWritable<T>(work: () => T, { waitMs, onWait }: WaitOptions): Promise<T> {
  const started = performance.now();
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof BusyError)) throw error;
      const waitedMs = performance.now() - started;
      if (waitedMs >= waitMs) {
        throw new BusyError(
          `another writer held the database for ${(waitedMs / 1000).toFixed(0)} s, longer than this write waits; nothing was written — try again shortly`,
          RETRY_AFTER_SECONDS.busy,
          { cause: error },
        );
      }
      onWait?.(waitedMs);
      await sleep(Math.min(pause, waitMs - waitedMs));
    }
  }
}
