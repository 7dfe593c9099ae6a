/** Base of every error wangge raises on purpose; `code` is stable and safe to show to clients. */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Something asked for does not exist (unknown code, id, tileset). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The caller sent something malformed: a bad code, parameter, file row or geometry. */
export class InvalidRequestError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_request', message, options);
  }
}

/** The database cannot be read or written as expected. */
export class StoreError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_error', message, options);
  }
}

/** The operation would overwrite or contradict existing data. */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A request carries more than a limit allows (points or addresses per batch, body bytes). */
export class TooLargeError extends AppError {
  constructor(message: string) {
    super('too_large', message);
  }
}

/** The request carries no valid API key where one is needed (401). */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** The API key is valid but its scope does not cover what the request would change (403). */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** Too many requests from one key or address; `retryAfterSeconds` says when to come back (429). */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * What the operation needs is unavailable for now — the disk is full or failing, another
 * writer holds the database, or (a PostGIS replica) the database cannot be reached — and nothing
 * was changed, or for an unreachable database nothing acknowledged; `retryAfterSeconds` says
 * when to try again (503). The message names no file of the server, so it may be shown to clients.
 */
export class UnavailableError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(code: 'busy' | 'disk_full' | 'io_error' | 'database_unavailable', message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Another connection holds the database's write lock; nothing was written, so the work may simply be run again. */
export class BusyError extends UnavailableError {
  constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('busy', message, retryAfterSeconds, options);
  }
}
