import type { Context, Env, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  StoreError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
} from '../errors.js';
import { ioFailureOf } from '../store/io-failure.js';
import { errorFields } from '../logger.js';
import { logOf, requestIdOf } from './context-logger.js';

/** Media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Variables the problem handling puts on the context: the request id it logs errors under. */
export type ProblemEnv = { Variables: RequestIdVariables };

/**
 * RFC 9457 problem details. `type` is `about:blank` (the status says it all), so `title` is the
 * status phrase; `code` (stable, from AppError) and `request_id` are extension members.
 */
export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  /** the request path that failed, percent-encoded as sent */
  instance: string;
  code: string;
  request_id?: string;
}

/** How one kind of error is answered: its status, and whether its message may be shown to clients. */
export interface ErrorStatus {
  status: ContentfulStatusCode;
  code: string;
  /** false: the detail is generic and the real error is logged with the request id */
  expose: boolean;
}

type ErrorClass = abstract new (...args: never[]) => Error;

// the one table from error classes to statuses; the first match wins, so subclasses come before
// their parents (CodeError is an InvalidRequestError). StoreError messages carry file paths, so
// they are logged, not shown.
const ERROR_STATUSES: ReadonlyArray<readonly [ErrorClass, ErrorStatus]> = [
  [NotFoundError, { status: 404, code: 'not_found', expose: true }],
  [UnauthorizedError, { status: 401, code: 'unauthorized', expose: true }],
  [ForbiddenError, { status: 403, code: 'forbidden', expose: true }],
  [RateLimitedError, { status: 429, code: 'rate_limited', expose: true }],
  [InvalidRequestError, { status: 400, code: 'invalid_request', expose: true }],
  [ConflictError, { status: 409, code: 'conflict', expose: true }],
  [TooLargeError, { status: 413, code: 'too_large', expose: true }],
  [StoreError, { status: 503, code: 'store_error', expose: false }],
];

const INTERNAL: ErrorStatus = { status: 500, code: 'internal', expose: false };

const STATUS_TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const GENERIC_DETAILS: Partial<Record<number, string>> = {
  503: 'the database is unavailable; try again later',
};

/** The status an error is answered with; anything not in the table is a 500 that hides its message. */
export function errorStatus(error: unknown): ErrorStatus {
  // 503 with its own code (busy, disk_full, io_error), so a client can tell a full disk from a lock held too long
  if (error instanceof UnavailableError) return { status: 503, code: error.code, expose: true };
  for (const [type, status] of ERROR_STATUSES) if (error instanceof type) return status;
  if (error instanceof HTTPException) {
    // thrown by hono middleware; its message is written by us or hono, never by a client
    return { status: error.status as ContentfulStatusCode, code: 'http_error', expose: error.status < 500 };
  }
  return INTERNAL;
}

/** The title RFC 9457 asks for with `about:blank`: the status phrase. */
export function statusTitle(status: number): string {
  return STATUS_TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** A problem+json response for this request; `detail` must be safe to show to the client. */
export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): Response {
  const id = requestIdOf(c);
  const problem: Problem = {
    type: 'about:blank',
    title: statusTitle(status),
    status,
    detail,
    // the path as sent (percent-encoded), so it stays a valid URI reference
    instance: new URL(c.req.url).pathname,
    code,
    ...(id === undefined ? {} : { request_id: id }),
  };
  // an error can stop being one (a later import adds the missing grid), so no cache keeps it
  return c.body(JSON.stringify(problem), status, { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' });
}

/**
 * `app.onError`: maps the error through the table; hidden errors are logged with the request id.
 * A full or failing disk or a write lock held too long (SQLITE_FULL, ENOSPC, SQLITE_IOERR, EIO,
 * SQLITE_BUSY) is no bug: 503 with Retry-After and a detail that says which.
 */
export function handleError(thrown: Error, c: Context): Response {
  const error = ioFailureOf(thrown) ?? thrown;
  const mapped = errorStatus(error);
  if (mapped.expose) {
    const message = error.message || statusTitle(mapped.status);
    if (error instanceof UnavailableError) logOf(c).warn('request failed', { method: c.req.method, path: c.req.path, status: mapped.status, ...errorFields(thrown) });
    return problemResponse(c, mapped.status, mapped.code, message, responseHeadersOf(error));
  }
  const id = requestIdOf(c) ?? 'none';
  logOf(c).error('request failed', { method: c.req.method, path: c.req.path, status: mapped.status, ...errorFields(error) });
  const generic = GENERIC_DETAILS[mapped.status] ?? 'the server failed to answer this request';
  return problemResponse(c, mapped.status, mapped.code, `${generic} (logged as request ${id})`);
}

/** Headers an error's answer needs: when to retry after a 429 or 503, how to authenticate after a 401. */
function responseHeadersOf(error: Error): Record<string, string> {
  if (error instanceof RateLimitedError || error instanceof UnavailableError) return { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) };
  if (error instanceof UnauthorizedError) return { 'WWW-Authenticate': 'Bearer realm="wangge"' };
  return {};
}

/** `app.notFound`: no route matches the path. */
export function handleNotFound(c: Context): Response {
  return problemResponse(c, 404, 'not_found', `no endpoint at ${c.req.path}; the endpoints are listed in /openapi.json`);
}

/**
 * Installs error handling on an app, before its routes: a request id (X-Request-Id), 405 for a
 * known path with the wrong method, 404 for unknown paths and problem+json for every thrown error.
 */
export function installProblemHandling<E extends Env & ProblemEnv>(app: Hono<E>): void {
  app.use(requestId());
  app.use(
    methodNotAllowed<E>({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}`, {
          Allow: methods.join(', '),
        }),
    }),
  );
  app.onError(handleError);
  app.notFound(handleNotFound);
}
