import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

const READ_METHODS = ['GET', 'HEAD'];
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
// what a page may read of an answer besides the CORS-safelisted headers
const EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'WWW-Authenticate', 'X-Request-Id'];
// browsers cap this anyway (Chrome at 2 h); 10 min spares a preflight per request
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Cross-origin access by method. Without `origins`, any page may read (GET / HEAD, answered with
 * `Access-Control-Allow-Origin: *`) and none may write. With `origins` (exact origins such as
 * `https://grid.example.cn`, or `*`), exactly those may read and write. Preflights (OPTIONS) are
 * judged by the method they ask for and answered 204 here, before routing.
 * @example app.use(corsPolicy(['https://grid.example.cn']))
 */
export function corsPolicy(origins?: readonly string[]): MiddlewareHandler {
  const shared = { exposeHeaders: EXPOSED_HEADERS, maxAge: PREFLIGHT_MAX_AGE_S };
  const reads = cors({ ...shared, origin: originOption(origins ?? ['*']), allowMethods: READ_METHODS });
  const writes = cors({ ...shared, origin: originOption(origins ?? []), allowMethods: [...READ_METHODS, ...WRITE_METHODS] });
  return function corsByMethod(c, next) {
    const method = c.req.method === 'OPTIONS' ? (c.req.header('Access-Control-Request-Method') ?? 'GET') : c.req.method;
    return (READ_METHODS.includes(method.toUpperCase()) ? reads : writes)(c, next);
  };
}

// `*` as a string makes hono answer `*` without `Vary: Origin`, so caches keep one copy of a tile
function originOption(origins: readonly string[]): string | string[] {
  return origins.includes('*') ? '*' : [...origins];
}
