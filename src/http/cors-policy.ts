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
  const readOrigins = originOption(origins ?? ['*']);
  const writeOrigins = originOption(origins ?? []);
  const reads = cors({ ...shared, origin: readOrigins, allowMethods: READ_METHODS });
  const writes = cors({ ...shared, origin: writeOrigins, allowMethods: [...READ_METHODS, ...WRITE_METHODS] });
  const exposed = EXPOSED_HEADERS.join(',');
  return async function corsByMethod(c, next) {
    if (c.req.method === 'OPTIONS') {
      const asked = c.req.header('Access-Control-Request-Method') ?? 'GET';
      return (READ_METHODS.includes(asked.toUpperCase()) ? reads : writes)(c, next);
    }
    // the headers hono's cors sets, set on the answer once it exists: hono's sets them on an empty
    // response before the handler runs, and the handler's answer then has to be copied into a
    // whole fetch Response to merge them (a seventh of a GET /v1/reverse's time)
    await next();
    const allowed = READ_METHODS.includes(c.req.method) ? readOrigins : writeOrigins;
    const origin = c.req.header('origin') ?? '';
    const allow = allowed === '*' ? '*' : allowed.includes(origin) ? origin : null;
    if (allow !== null) c.res.headers.set('Access-Control-Allow-Origin', allow);
    c.res.headers.set('Access-Control-Expose-Headers', exposed);
    if (allowed !== '*') c.res.headers.append('Vary', 'Origin');
  };
}

// `*` as a string makes hono answer `*` without `Vary: Origin`, so caches keep one copy of a tile
function originOption(origins: readonly string[]): string | string[] {
  return origins.includes('*') ? '*' : [...origins];
}
