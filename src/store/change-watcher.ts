import { changesSince, lastChangeSeq, type StoreChange } from './changes.js';
import type { Store } from './store.js';

export interface ChangeWatcher {
  /** the last change handed to the listener */
  readonly seq: number;
  /**
   * Looks for new changes now (the timer does this every interval). `force` reads the log even
   * when data_version says nothing changed — which it does for writes on this same connection.
   */
  poll(force?: boolean): void;
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
  onChanges: (changes: StoreChange[]) => void,
  { fromSeq = lastChangeSeq(store.db), intervalMs = 250 }: { fromSeq?: number; intervalMs?: number } = {},
): ChangeWatcher {
  let seq = fromSeq;
  // undefined: look at the log on the first poll, whatever data_version says
  let version: number | undefined;
  const poll = (force = false): void => {
    const now = dataVersion(store);
    if (now === version && !force) return;
    version = now;
    for (;;) {
      const changes = changesSince(store.db, seq);
      if (changes.length === 0) return;
      seq = changes[changes.length - 1]!.seq;
      onChanges(changes);
    }
  };
  const timer = setInterval(() => {
    try {
      poll();
    } catch (error) {
      console.error(JSON.stringify({ level: 'error', msg: 'change log poll failed', error: (error as Error).message }));
    }
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
