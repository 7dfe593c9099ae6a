import type { Context } from 'hono';
import { createLogger, type Logger } from '../logger.js';

/** Variables the request log puts on the context: the app's logger, for `logOf`. */
export type LoggerEnv = { Variables: { logger: Logger } };

// errors of an app that logs no requests (tests, embedders) still reach stderr; console.error
// is looked up per line so a test can spy on it
const fallbackLogger = createLogger((line) => console.error(line));

/**
 * The logger for code running inside a request: the app's (or stderr's when the app logs no
 * requests), with the request's id on every line.
 */
export function logOf(c: Context): Logger {
  return loggerOf(c).child({ request_id: requestIdOf(c) });
}

function loggerOf(c: Context): Logger {
  return (c.get('logger') as Logger | undefined) ?? fallbackLogger;
}

/** The id the request-id middleware gave the request (problem.ts installs it), if any. */
export function requestIdOf(c: Context): string | undefined {
  const id: unknown = c.get('requestId');
  return typeof id === 'string' ? id : undefined;
}
