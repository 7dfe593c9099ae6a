import type { MiddlewareHandler } from 'hono';

/** A host with an optional port, as Host / X-Forwarded-Host carry it (a name, IPv4 or [IPv6]). */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin clients reach this server at, for the absolute URLs a style or TileJSON hands out.
 * Behind a proxy that is `X-Forwarded-Proto` / `X-Forwarded-Host` (the first value of each, as
 * the proxy nearest the client wrote it); otherwise the request's own URL. A malformed forwarded
 * value is ignored rather than copied into URLs. Without a trusted proxy the app drops these
 * headers first (`dropForwardedOrigin`).
 * @example publicBaseUrl(new Request('http://10.0.0.5:8080/x', { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'map.example.cn' } })) // 'https://map.example.cn'
 */
export function publicBaseUrl(request: Request): string {
  const own = new URL(request.url);
  const proto = firstValue(request.headers.get('X-Forwarded-Proto'))?.toLowerCase();
  const host = firstValue(request.headers.get('X-Forwarded-Host'));
  const scheme = proto === 'http' || proto === 'https' ? `${proto}:` : own.protocol;
  return `${scheme}//${host !== undefined && HOST.test(host) ? host : own.host}`;
}

// proxies append to these headers, so "client-facing, inner proxy" lists arrive
function firstValue(header: string | null): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value === '' ? undefined : value;
}

const FORWARDED_ORIGIN = ['X-Forwarded-Proto', 'X-Forwarded-Host'];

/**
 * Middleware for a server no trusted proxy stands in front of (no `--trust-proxy`): removes
 * X-Forwarded-Proto / -Host from every request before any route reads them, so no client can
 * make the URLs a TileJSON, style or catalog hands out point at another host.
 */
export function dropForwardedOrigin(): MiddlewareHandler {
  return async function dropForwarded(c, next) {
    const { headers } = c.req.raw;
    for (const name of FORWARDED_ORIGIN) if (headers.has(name)) headers.delete(name);
    await next();
  };
}
