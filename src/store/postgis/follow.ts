import type { Logger } from '../../logger.js';
import type { Layer } from '../../model.js';
import { LAYER_ROWS, gridRows, type LayerRecord, type TableMapping } from '../rows.js';
import type { Store } from '../store.js';
import { connectPostgis, rowWithJsonText } from './postgis.js';
import { localKeyRows, readKeyRows, replaceKeyRows } from './replica.js';

/** One change as the PostGIS change log holds it (schema.ts, migration 2). */
interface LoggedChange {
  seq: number;
  actor: string;
  op: 'create' | 'update' | 'delete';
  layer: Layer;
  key: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Whether the replica is in touch with its database, as /health reports it. */
export interface DatabaseStatus {
  reachable: boolean;
  /** why not, when not */
  reason?: string;
}

export interface PostgisFollower {
  /** the last change applied to the local copy */
  readonly seq: number;
  /** the outcome of the last look at the change log */
  status(): DatabaseStatus;
  /** looks for new changes now and resolves once they are applied */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

const PAGE = 1000;

/**
 * Keeps a replica's local copy (replica.ts) following the PostGIS change log, and its API keys
 * following the api_keys table: every change after
 * `fromSeq` is written into `store` through its own upsert, which logs it locally, so the
 * replica's live indexes and tiles refresh as for any write; then `onApplied` (the live
 * service's prompt poll). It looks when PostgreSQL announces a change (LISTEN wangge_changes,
 * which the change-log trigger NOTIFYs) and every `intervalMs` besides, in case an announcement
 * was missed while the connection was down; changes are applied in seq order, each once.
 *
 * What a local copy cannot take the same way is skipped and logged: a deleted row (wangge
 * retires, it never deletes) and a grid row edited in place (grids change by new versions).
 */
export function followPostgis(
  url: string,
  store: Store,
  { fromSeq, onApplied, log, intervalMs = 1000 }: { fromSeq: number; onApplied: () => Promise<void> | void; log: Logger; intervalMs?: number },
): PostgisFollower {
  const sql = connectPostgis(url, { max: 1 });
  let seq = fromSeq;
  let running: Promise<void> | undefined;
  let stopped = false;
  let lastError: string | undefined;
  let keys = JSON.stringify(localKeyRows(store));
  // the keys are read again when announced and every interval, not on each poll a write waits on
  let keysStale = false;

  const drain = async (): Promise<void> => {
    // a key created or revoked anywhere (wangge keys --store, SQL) holds here at once
    if (keysStale) {
      keysStale = false;
      const keysNow = await readKeyRows(sql).catch((error: unknown) => {
        keysStale = true;
        throw error;
      });
      const text = JSON.stringify(keysNow);
      if (text !== keys) {
        store.transaction(() => replaceKeyRows(store, keysNow));
        keys = text;
        log.info('API keys taken up from PostGIS', { keys: keysNow.length, revoked: keysNow.filter((k) => k.revoked_at !== null).length });
      }
    }
    for (;;) {
      const changes = await sql<LoggedChange[]>`SELECT seq, actor, op, layer, key, before, after FROM changes WHERE seq > ${seq} ORDER BY seq LIMIT ${PAGE}`;
      if (changes.length === 0) return;
      store.transaction(() => {
        for (const change of changes) {
          try {
            applyChange(store, change, log);
          } catch (error) {
            // one change the copy refuses (a conflicting grid version) must not stop the rest
            log.error('a PostGIS change could not be applied to this replica; skipped', { layer: change.layer, key: change.key, seq: change.seq, error: (error as Error).message });
          }
        }
      });
      seq = changes[changes.length - 1]!.seq;
      await onApplied();
      if (changes.length < PAGE) return;
    }
  };
  // one drain at a time. A poll during one resolves with the next drain, which starts after it:
  // the running one may have read the log before the caller's change committed (a write through
  // this replica waits on a poll for its own change; answering it from the running drain made it
  // miss and sleep, ~20 writes/s per replica while another replica wrote)
  let next: Promise<void> | undefined;
  const poll = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      next ??= running.then(() => {
        next = undefined;
        return poll();
      });
      return next;
    }
    running = drain()
      .then(() => {
        if (lastError !== undefined) log.info('PostGIS reachable again; the copy has caught up', { seq });
        lastError = undefined;
      })
      .catch((error: unknown) => {
        if (lastError === undefined) log.error('following the PostGIS change log failed; trying again every second', { error: (error as Error).message, seq });
        lastError = (error as Error).message;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  // migration 3 announces key changes with the payload 'api_keys', the change log with a seq
  const listening = sql.listen('wangge_changes', (payload) => {
    if (payload === 'api_keys') keysStale = true;
    void poll();
  }).catch((error: unknown) => {
    log.warn('LISTEN wangge_changes failed; following the change log by polling only', { error: (error as Error).message });
  });
  const timer = setInterval(() => {
    keysStale = true;
    void poll();
  }, intervalMs);
  timer.unref();
  void poll();
  return {
    get seq() {
      return seq;
    },
    status: () => (lastError === undefined ? { reachable: true } : { reachable: false, reason: `the database cannot be read: ${lastError}` }),
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await listening;
      await running;
      await sql.end({ timeout: 1 });
    },
  };
}

function applyChange(store: Store, change: LoggedChange, log: Logger): void {
  if (change.after === null) {
    log.warn('a row deleted in PostGIS is not removed from this replica (wangge retires records; it never deletes them)', { layer: change.layer, key: change.key, seq: change.seq });
    return;
  }
  const by = { actor: change.actor, ...(change.op === 'update' ? { op: 'update' as const } : {}) };
  if (change.layer === 'grids') {
    if (change.op === 'create') store.addGridVersion(gridRows.fromRow(rowWithJsonText(gridRows as TableMapping<unknown>, change.after)), by);
    // closing the current version is part of adding the next one, which the next change does
    else if (!(change.before?.valid_to === null && change.after.valid_to !== null)) {
      log.warn('a grid row edited in place in PostGIS is not followed (grids change by new versions)', { key: change.key, seq: change.seq });
    }
    return;
  }
  const mapping = LAYER_ROWS[change.layer] as unknown as TableMapping<LayerRecord<Exclude<Layer, 'grids'>>>;
  store.upsert(change.layer, [mapping.fromRow(rowWithJsonText(mapping as TableMapping<unknown>, change.after))], by);
}
