import type { MiddlewareHandler } from 'hono';
import { apiKeyOf } from './client-identity.js';
import type { Logger } from '../logger.js';
import { requestIdOf, type LoggerEnv } from './context-logger.js';
import { routeLabelOf, type Metrics } from './metrics.js';

/**
 * Middleware for what every answered request leaves behind: one log line (method, path without
 * the query — it can hold addresses —, status, duration_ms, request_id and the API key's name when
 * there is one) and its metrics. One frame around the rest of the stack for both, not one each:
 * every async frame is a promise and a turn per request, and the production middleware must keep
 * ≥ 85 % of the bare server's rate (issue 11). Registered first, so it sees the status the client
 * gets (405 and problem answers included).
 */
export function requestObserver({ logger, metrics }: { logger?: Logger; metrics?: Metrics }): MiddlewareHandler<LoggerEnv> {
  return async function observeRequest(c, next) {
    const started = performance.now();
    if (logger) c.set('logger', logger);
    await next();
    const ms = performance.now() - started;
    const status = c.res.status;
    metrics?.observeRequest({ method: c.req.method, route: routeLabelOf(c), status, seconds: ms / 1000 });
    logger?.info('request', {
      request_id: requestIdOf(c),
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(ms * 10) / 10,
      key: apiKeyOf(c)?.name,
    });
  };
}
