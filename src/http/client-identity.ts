import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';

/** What the request log and the rate limiter read of the API key auth.ts puts on the context. */
export interface ApiKeyIdentity {
  name: string;
  /** the key's row id; names need not be unique */
  id?: number;
}

/** Finds the unrevoked key a bearer secret names (auth.ts's ApiKeyLookup fits). */
export type ApiKeyFinder = (secret: string) => ApiKeyIdentity | null;

/**
 * The API key of the request: the one auth.ts put on the context (`apiKey`), else — for code
 * running before the route's own key check — the one its `Authorization: Bearer` secret names.
 */
export function apiKeyOf(c: Context, findKey?: ApiKeyFinder): ApiKeyIdentity | undefined {
  const key: unknown = c.get('apiKey');
  if (typeof key === 'object' && key !== null && 'name' in key && typeof key.name === 'string') {
    return { name: key.name, id: 'id' in key && typeof key.id === 'number' ? key.id : undefined };
  }
  const secret = /^\s*bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1];
  if (secret === undefined || findKey === undefined) return undefined;
  return findKey(secret) ?? undefined;
}

/**
 * The client's IP address: the socket's peer, or with `trustProxy` the address the proxy in front
 * saw (the last `X-Forwarded-For` entry: the one our proxy appended; entries before it are
 * whatever the client sent); a missing or malformed one leaves the socket's. Undefined for a
 * request without a socket (in-process `app.request`).
 */
export function clientAddressOf(c: Context, trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? c.req.header('X-Forwarded-For')?.split(',').at(-1)?.trim() : undefined;
  return forwarded !== undefined && isIP(forwarded) !== 0 ? forwarded : socketAddressOf(c);
}

/** Whether an address is this machine's own (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6). */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^(?:::ffff:)?127\./i.test(address);
}

function socketAddressOf(c: Context): string | undefined {
  // @hono/node-server passes { incoming, outgoing } as the env; app.request passes nothing
  const env: unknown = c.env;
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return getConnInfo(c).remote.address;
}
