import { changesSince, lastChangeSeq, type StoreChange } from './changes.js';
import type { Store } from './store.js';
import { afterPendingIo } from '../time-slices.js';

/**
 * Changes read from the log at a time: reading one parses its before and after rows (~25 µs), so
 * a page is a few milliseconds and an import's 10,000 changes never hold the event loop at once.
 */
const PAGE = 256;

export interface ChangeWatcher {
  /** the last change handed to the listener */
  readonly seq: number;
  /**
   * Looks for new changes now (the timer does this every interval) and resolves once every change
   * committed before the call has been handed to the listener. `force` reads the log even when
   * data_version says nothing changed — which it does for writes on this same connection.
   */
  poll(force?: boolean): Promise<void>;
  stop(): void;
}

/**
 * Watches the store's change log for writes by other connections (an import into a running
 * service) and hands each batch of new changes to `onChanges`. SQLite's `data_version` tells
 * cheaply whether anything was committed since the last look, so an idle poll costs one pragma.
 * Pass as `fromSeq` the log's end (`lastChangeSeq`) taken before loading whatever the listener
 * keeps up to date, so no change between loading and watching is missed.
 */
export function watchChanges(
  store: Store,
  onChanges: (changes: StoreChange[]) => void | Promise<void>,
  { fromSeq = lastChangeSeq(store.db), intervalMs = 250 }: { fromSeq?: number; intervalMs?: number } = {},
): ChangeWatcher {
  let seq = fromSeq;
  // undefined: look at the log on the first poll, whatever data_version says
  let version: number | undefined;
  // one drain at a time: the listener may take several turns of the event loop for a large import
  let draining: Promise<void> | null = null;
  const drain = async (): Promise<void> => {
    // the first look waits for the event loop to read pending I/O: `draining` is set by then, so
    // a drain that finds nothing clears it rather than leaving a settled promise behind for good;
    // and a write through the API, which polls right after its transaction, lets the requests
    // that arrived during the transaction in before the indexes take the change
    await afterPendingIo();
    try {
      for (;;) {
        const changes = changesSince(store.db, seq, PAGE);
        // no await between this last look and clearing `draining`: a poll meanwhile starts a new drain
        if (changes.length === 0) return;
        seq = changes[changes.length - 1]!.seq;
        await onChanges(changes);
        // an import's backlog: other requests get a turn between pages
        if (changes.length === PAGE) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      draining = null;
    }
  };
  const poll = (force = false): Promise<void> => {
    const now = dataVersion(store);
    if (now === version && !force) return draining ?? Promise.resolve();
    version = now;
    // a drain under way looks at the log again before it ends, so it covers what was committed until now
    return (draining ??= drain());
  };
  const timer = setInterval(() => {
    poll().catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'error', msg: 'change log poll failed', error: (error as Error).message }));
    });
  }, intervalMs);
  timer.unref();
  return {
    get seq() {
      return seq;
    },
    poll,
    stop: () => clearInterval(timer),
  };
}

function dataVersion(store: Store): number {
  return store.db.pragma('data_version', { simple: true }) as number;
}
