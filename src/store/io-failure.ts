import { BusyError, UnavailableError } from '../errors.js';

/** Seconds a client is asked to wait after each kind of failure (the `Retry-After` of a 503). */
export const RETRY_AFTER_SECONDS = { busy: 5, disk_full: 60, io_error: 30 } as const;

/**
 * The failure of the machine behind an error, if that is what it is: a full disk (SQLite
 * SQLITE_FULL, ENOSPC, EDQUOT), a failing one (SQLITE_IOERR_*, EIO) or a write lock held by
 * another connection (SQLITE_BUSY_*) — as an UnavailableError whose message says so, naming
 * `what` was being written when given. Null for anything else (a bug, bad input), which callers
 * handle as before. Looks through `cause`, so a StoreError wrapping SQLITE_FULL counts too.
 */
export function ioFailureOf(error: unknown, what?: string): UnavailableError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof UnavailableError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') continue;
    const writing = what === undefined ? '' : `cannot write ${what}: `;
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') {
      return new UnavailableError('disk_full', `${writing}the disk is full (${code}); nothing was written — try again once space is freed`, RETRY_AFTER_SECONDS.disk_full, { cause: error });
    }
    if (code.startsWith('SQLITE_IOERR') || code === 'EIO') {
      return new UnavailableError('io_error', `${writing}the disk failed to read or write (${code}); nothing was written — try again later`, RETRY_AFTER_SECONDS.io_error, { cause: error });
    }
    if (code.startsWith('SQLITE_BUSY')) {
      return new BusyError('another writer holds the database; nothing was written — try again shortly', RETRY_AFTER_SECONDS.busy, { cause: error });
    }
  }
  return null;
}
