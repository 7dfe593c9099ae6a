import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyIdentity } from './client-identity.js';
import { installProblemHandling, PROBLEM_CONTENT_TYPE, type Problem, type ProblemEnv } from './problem.js';
import { rateLimit, TokenBuckets, type RateLimitOptions } from './rate-limit.js';
import { startServer, type RunningServer } from './serve.js';
import { emptyApp, type EmptyApp } from './test-helpers/empty-app.js';

/** A clock the test moves by hand, in ms. */
function fakeClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('TokenBuckets', () => {
  it('lets a burst through, then says how long until the next token', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: clock.now });
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBeCloseTo(0.5, 9);
    clock.advance(200);
    expect(buckets.take('a')).toBeCloseTo(0.3, 9);
  });

  it('refills at the rate, never beyond the burst', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3, now: clock.now });
    for (let i = 0; i < 3; i++) buckets.take('a');
    clock.advance(500);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
    clock.advance(60_000);
    const after = Array.from({ length: 4 }, () => buckets.take('a'));
    expect(after.slice(0, 3)).toEqual([0, 0, 0]);
    expect(after[3]).toBeGreaterThan(0);
  });

  it('keeps a bucket per key', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, now: fakeClock().now });
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
    expect(buckets.take('b')).toBe(0);
  });

  it('forgets buckets idle long enough to be full again, and never keeps more than maxBuckets', () => {
    const clock = fakeClock();
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 5, maxBuckets: 100, now: clock.now });
    for (let i = 0; i < 50; i++) buckets.take(`client-${i}`);
    expect(buckets.size).toBe(50);
    // 5 tokens at 10/s: every bucket is full after 0.5 s
    clock.advance(500);
    buckets.take('late');
    expect(buckets.size).toBe(1);
    for (let i = 0; i < 1000; i++) buckets.take(`flood-${i}`);
    expect(buckets.size).toBe(100);
  });

  it('defaults the burst to two seconds of the rate', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 3, now: fakeClock().now });
    const taken = Array.from({ length: 7 }, () => buckets.take('a'));
    expect(taken.filter((wait) => wait === 0)).toHaveLength(6);
  });
});

type TestEnv = ProblemEnv & { Variables: { apiKey: ApiKeyIdentity } };

/**
 * An app limited by `options`, with what auth.ts would do stood in by a header: `X-Test-Key`
 * puts a key on the context before the limiter.
 */
function limitedApp(options: RateLimitOptions): Hono<TestEnv> {
  const app = new Hono<TestEnv>();
  installProblemHandling(app);
  app.use(async (c, next) => {
    const name = c.req.header('X-Test-Key');
    if (name !== undefined) c.set('apiKey', { name, id: name.length });
    await next();
  });
  app.use(rateLimit(options));
  app.get('/thing', (c) => c.text('ok'));
  return app;
}

const from = (address: string, headers: Record<string, string> = {}): RequestInit => ({ headers: { 'X-Forwarded-For': address, ...headers } });

describe('rateLimit', () => {
  it('answers 429 problem+json with Retry-After once a client used its burst', async () => {
    const app = limitedApp({ ratePerSecond: 0.5, burst: 2, trustProxy: true, now: fakeClock().now });
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(200);
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(200);
    const res = await app.request('/thing', from('203.0.113.1'));
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    // a token every 2 s
    expect(res.headers.get('retry-after')).toBe('2');
    const problem = (await res.json()) as Problem;
    expect(problem).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'rate_limited', instance: '/thing' });
    expect(problem.detail).toBe('too many requests from address 203.0.113.1: at most 0.5 requests per second, bursts of 2; retry in 2.0 s');
    expect(problem.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('lets a client through again once a token has refilled', async () => {
    const clock = fakeClock();
    const app = limitedApp({ ratePerSecond: 1, burst: 1, trustProxy: true, now: clock.now });
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(200);
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(429);
    clock.advance(999);
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(429);
    clock.advance(1);
    expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(200);
  });

  it('keeps separate buckets per client address, per API key, and keys apart from addresses', async () => {
    const app = limitedApp({ ratePerSecond: 1, burst: 1, trustProxy: true, now: fakeClock().now });
    const statuses = async (...inits: RequestInit[]): Promise<number[]> => Promise.all(inits.map(async (init) => (await app.request('/thing', init)).status));
    expect(await statuses(from('203.0.113.1'), from('203.0.113.1'))).toEqual([200, 429]);
    expect(await statuses(from('203.0.113.2'))).toEqual([200]);
    // the same address with keys: each key has its own bucket, not the address's
    expect(await statuses(from('203.0.113.1', { 'X-Test-Key': 'survey' }), from('203.0.113.1', { 'X-Test-Key': 'survey' }))).toEqual([200, 429]);
    expect(await statuses(from('203.0.113.1', { 'X-Test-Key': 'repairs' }))).toEqual([200]);
    // a key follows its holder to another address
    const res = await app.request('/thing', from('198.51.100.9', { 'X-Test-Key': 'survey' }));
    expect(res.status).toBe(429);
    expect(((await res.json()) as Problem).detail).toMatch(/^too many requests from API key "survey"/);
  });

  it('finds the key of a bearer secret itself when the route checks keys after it', async () => {
    const keys: Record<string, ApiKeyIdentity> = { wg_good: { id: 7, name: 'editor' } };
    const app = limitedApp({ ratePerSecond: 1, burst: 1, trustProxy: true, findKey: (secret) => keys[secret] ?? null, now: fakeClock().now });
    const bearer = (secret: string): RequestInit => from('203.0.113.1', { Authorization: `Bearer ${secret}` });
    expect((await app.request('/thing', bearer('wg_good'))).status).toBe(200);
    expect((await app.request('/thing', bearer('wg_good'))).status).toBe(429);
    // an unknown secret is no key: the address's bucket, still full
    expect((await app.request('/thing', bearer('wg_forged'))).status).toBe(200);
    expect((await app.request('/thing', bearer('wg_forged2'))).status).toBe(429);
  });

  it('trusts only the X-Forwarded-For entry the proxy wrote, not what the client put before it', async () => {
    const app = limitedApp({ ratePerSecond: 1, burst: 1, trustProxy: true, now: fakeClock().now });
    expect((await app.request('/thing', from('1.1.1.1, 203.0.113.1'))).status).toBe(200);
    expect((await app.request('/thing', from('2.2.2.2, 203.0.113.1'))).status).toBe(429);
  });

  it('does not limit in-process requests, which have no client address', async () => {
    const app = limitedApp({ ratePerSecond: 1, burst: 1, now: fakeClock().now });
    for (let i = 0; i < 5; i++) expect((await app.request('/thing', from('203.0.113.1'))).status).toBe(200);
  });

  describe('over a socket', () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it('limits by the socket address and ignores X-Forwarded-For unless trustProxy is on', async () => {
      server = await startServer(limitedApp({ ratePerSecond: 1, burst: 2, exemptLoopback: false, now: fakeClock().now }), { host: '127.0.0.1', port: 0 });
      const statuses: number[] = [];
      for (const address of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push((await fetch(`${server.url}/thing`, from(address))).status);
      expect(statuses).toEqual([200, 200, 429]);
    });

    it('with trustProxy, falls back to the socket address when X-Forwarded-For is not an address', async () => {
      server = await startServer(limitedApp({ ratePerSecond: 1, burst: 1, trustProxy: true, exemptLoopback: false, now: fakeClock().now }), { host: '127.0.0.1', port: 0 });
      const status = async (init: RequestInit = {}): Promise<number> => (await fetch(`${server!.url}/thing`, init)).status;
      expect(await status(from('not-an-address'))).toBe(200);
      expect(await status(from('203.0.113.1:4711'))).toBe(429);
      expect(await status()).toBe(429);
      expect(await status(from('203.0.113.1'))).toBe(200);
    });

    it('leaves this machine’s own address unlimited by default', async () => {
      server = await startServer(limitedApp({ ratePerSecond: 1, burst: 1, now: fakeClock().now }), { host: '127.0.0.1', port: 0 });
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.url}/thing`)).status).toBe(200);
    });
  });
});

describe('createApp rate limit', () => {
  let built: EmptyApp | undefined;
  afterEach(() => {
    built?.store.close();
    built = undefined;
  });

  it('is on by default: 200 requests per second, bursts of 400', async () => {
    built = emptyApp({ trustProxy: true });
    let passed = 0;
    let res = await built.app.request('/health', from('203.0.113.1'));
    for (; res.status === 200 && passed < 2000; passed++) res = await built.app.request('/health', from('203.0.113.1'));
    expect(res.status).toBe(429);
    // the bucket refills while the loop runs, so at least the burst got through
    expect(passed).toBeGreaterThanOrEqual(400);
    expect(((await res.json()) as Problem).detail).toContain('at most 200 requests per second, bursts of 400');
  });

  it('is off with a rate of 0', async () => {
    built = emptyApp({ rateLimit: 0, rateBurst: 1, trustProxy: true });
    for (let i = 0; i < 5; i++) expect((await built.app.request('/health', from('203.0.113.1'))).status).toBe(200);
  });
});
