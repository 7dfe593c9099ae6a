import type { Context, MiddlewareHandler } from 'hono';
import { RateLimitedError } from '../errors.js';
import { apiKeyOf, clientAddressOf, isLoopback, type ApiKeyFinder } from './client-identity.js';

export interface TokenBucketOptions {
  /** tokens added per second: the sustained request rate */
  ratePerSecond: number;
  /** bucket size: how many requests may come at once after a quiet spell (default: 2 s of the rate) */
  burst?: number;
  /** most buckets kept; beyond it the least recently used is dropped (a fresh start for that client) */
  maxBuckets?: number;
  /** clock in milliseconds (tests pass a fake one) */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  /** when `tokens` was last brought up to date, ms */
  at: number;
}

/**
 * Token buckets by client key, bounded in memory: a bucket idle long enough to be full again is
 * the same as no bucket, so a sweep at most once a second (or per refill time) drops those; past
 * `maxBuckets` the oldest bucket goes. The map is not kept in last-use order: moving a key to the
 * end on every take was a sixth of the production middleware's cost (bench edge, issue 11).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly maxBuckets: number;
  private readonly now: () => number;
  /** ms after which any bucket has refilled */
  private readonly refillMs: number;
  /** when idle buckets were last looked for: at most every SWEEP_MS (or refill time), not per request */
  private sweptAt = -Infinity;

  constructor({ ratePerSecond, burst = defaultBurst(ratePerSecond), maxBuckets = 100_000, now = () => performance.now() }: TokenBucketOptions) {
    if (!(ratePerSecond > 0)) throw new Error(`rate must be > 0 requests per second, got ${ratePerSecond}`);
    if (!(burst >= 1)) throw new Error(`burst must be ≥ 1 request, got ${burst}`);
    this.ratePerMs = ratePerSecond / 1000;
    this.burst = burst;
    this.maxBuckets = maxBuckets;
    this.now = now;
    this.refillMs = burst / this.ratePerMs;
  }

  /** Buckets kept: clients seen within the refill time (idle ones go on a take after the next sweep time). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`: 0 when there was one, else the seconds until there will be. */
  take(key: string): number {
    const now = this.now();
    if (now - this.sweptAt >= Math.min(SWEEP_MS, this.refillMs)) {
      this.sweptAt = now;
      this.dropRefilled(now);
    }
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
      // the first key is the longest-kept one: a client dropped this way starts again with a full bucket
      if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.ratePerMs);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.ratePerMs / 1000;
  }

  private dropRefilled(now: number): void {
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= this.refillMs) this.buckets.delete(key);
  }
}

/** Idle buckets are looked for this often at most (an iterator per request showed in the server's profile). */
const SWEEP_MS = 1000;

/** Two seconds' worth of requests: room for a map page's burst of tile requests. */
export function defaultBurst(ratePerSecond: number): number {
  return Math.max(1, Math.ceil(2 * ratePerSecond));
}

export interface RateLimitOptions extends TokenBucketOptions {
  /** take the client address from X-Forwarded-For (set only behind a proxy that writes it) */
  trustProxy?: boolean;
  /** resolves a bearer secret to its key, for requests whose key is checked after this middleware (by the route) */
  findKey?: ApiKeyFinder;
  /**
   * leave this machine's own addresses unlimited (default true): that is the operator's tools, or
   * a reverse proxy on the same host whose clients would otherwise all share one bucket
   */
  exemptLoopback?: boolean;
}

/**
 * Middleware limiting each API key (put on the context by an earlier middleware, or named by a
 * bearer secret `findKey` knows), else each client address, to `ratePerSecond` with bursts of
 * `burst`; beyond it a RateLimitedError (429 with Retry-After). Requests with no known address
 * (in-process `app.request`) are not limited.
 * @example app.use(rateLimit({ ratePerSecond: 200, burst: 400 }))
 */
export function rateLimit({ trustProxy = false, findKey, exemptLoopback = true, ...bucketOptions }: RateLimitOptions): MiddlewareHandler {
  const buckets = new TokenBuckets(bucketOptions);
  const limits = `${bucketOptions.ratePerSecond} requests per second, bursts of ${bucketOptions.burst ?? defaultBurst(bucketOptions.ratePerSecond)}`;
  const rules: ClientRules = { trustProxy, findKey, exemptLoopback };
  // not async: a frame of its own around the rest of the stack cost a promise per request
  return function rateLimiter(c, next) {
    const bucket = bucketOf(c, rules);
    if (bucket !== undefined) {
      const waitSeconds = buckets.take(bucket);
      if (waitSeconds > 0) {
        throw new RateLimitedError(`too many requests from ${clientName(c, rules)}: at most ${limits}; retry in ${waitSeconds.toFixed(1)} s`, waitSeconds);
      }
    }
    return next();
  };
}

interface ClientRules {
  trustProxy: boolean;
  findKey: ApiKeyFinder | undefined;
  exemptLoopback: boolean;
}

/** The bucket a request takes from, or undefined when it is not limited. */
function bucketOf(c: Context, { trustProxy, findKey, exemptLoopback }: ClientRules): string | undefined {
  const key = apiKeyOf(c, findKey);
  // prefixed, so key and address buckets never share a name
  if (key !== undefined) return `key:${key.id ?? key.name}`;
  const address = clientAddressOf(c, trustProxy);
  if (address === undefined || (exemptLoopback && isLoopback(address))) return undefined;
  return `ip:${address}`;
}

/** Who a refusal names: the API key, else the address (only asked of a limited request). */
function clientName(c: Context, { trustProxy, findKey }: ClientRules): string {
  const key = apiKeyOf(c, findKey);
  return key !== undefined ? `API key "${key.name}"` : `address ${clientAddressOf(c, trustProxy) ?? 'unknown'}`;
}
