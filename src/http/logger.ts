import type { Context, MiddlewareHandler } from 'hono';
import { apiKeyOf } from './client-identity.js';

export type LogLevel = 'info' | 'warn' | 'error';

/** Extra members of a log line; undefined ones are left out. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where finished lines go: one JSON object per call, without the newline. */
export type LogSink = (line: string, level: LogLevel) => void;

/** Writes one JSON line per call: `{"time","level","msg",...fields}`. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds `fields` to every line, e.g. the request id */
  child(fields: LogFields): Logger;
}

/** Variables the request log puts on the context: the app's logger, for `logOf`. */
export type LoggerEnv = { Variables: { logger: Logger } };

// one stream for every level: the CLI keeps stdout for data, and the change watcher and the
// scripts that start `wangge serve` (bench, serve-child) already read stderr
const stderrSink: LogSink = (line) => process.stderr.write(line + '\n');

/**
 * A logger writing JSON lines to `sink` (stderr by default).
 * @example
 * const log = createLogger((line) => io.err(line));
 * log.info('serving', { url }); // {"time":"2026-01-05T08:00:00.000Z","level":"info","msg":"serving","url":"http://…"}
 */
export function createLogger(sink: LogSink = stderrSink, bound: LogFields = {}): Logger {
  const write = (level: LogLevel) => (msg: string, fields: LogFields = {}) => sink(formatLogLine(level, msg, { ...bound, ...fields }), level);
  return {
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (fields) => createLogger(sink, { ...bound, ...fields }),
  };
}

/** One log line: time, level and message first, then the fields (undefined ones dropped). */
export function formatLogLine(level: LogLevel, msg: string, fields: LogFields, time: Date = new Date()): string {
  return JSON.stringify({ time: time.toISOString(), level, msg, ...fields });
}

/** The fields that describe a thrown value: its message and, for an Error, its stack. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: error.message, stack: error.stack };
  return { error: String(error) };
}

// errors of an app that logs no requests (tests, embedders) still reach stderr; console.error
// is looked up per line so a test can spy on it
const fallbackLogger = createLogger((line) => console.error(line));

/**
 * The logger for code running inside a request: the app's (or stderr's when the app logs no
 * requests), with the request's id on every line.
 */
export function logOf(c: Context): Logger {
  const logger = (c.get('logger') as Logger | undefined) ?? fallbackLogger;
  const id: unknown = c.get('requestId');
  return logger.child({ request_id: typeof id === 'string' ? id : undefined });
}

/**
 * Middleware writing one line per request once it is answered: method, path (no query: it can
 * hold addresses), status, duration_ms, request_id and the API key's name when there is one.
 * Registered before the request id and 405 handling, so it logs the status the client gets.
 */
export function requestLog(logger: Logger): MiddlewareHandler<LoggerEnv> {
  return async function requestLogger(c, next) {
    const started = performance.now();
    c.set('logger', logger);
    await next();
    logOf(c).info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      key: apiKeyOf(c)?.name,
    });
  };
}
