import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, formatLogLine, logOf, requestLog, type LogLevel } from './logger.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { emptyApp } from './test-helpers/empty-app.js';

type Line = Record<string, unknown>;

/** A logger that keeps its lines, parsed (parsing fails the test on a line that is not JSON). */
function capture(): { lines: Line[]; levels: LogLevel[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const levels: LogLevel[] = [];
  const logger = createLogger((line, level) => {
    expect(line).not.toContain('\n');
    lines.push(JSON.parse(line) as Line);
    levels.push(level);
  });
  return { lines, levels, logger };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('formatLogLine', () => {
  it('writes time, level and msg first, then the fields, leaving out undefined ones', () => {
    const line = formatLogLine('warn', 'slow tile', { z: 14, key: undefined }, new Date('2026-01-05T08:00:00Z'));
    expect(line).toBe('{"time":"2026-01-05T08:00:00.000Z","level":"warn","msg":"slow tile","z":14}');
  });
});

describe('createLogger', () => {
  it('adds a child’s fields to every line and tells the sink the level', () => {
    const { lines, levels, logger } = capture();
    const child = logger.child({ request_id: 'r1' });
    child.info('one');
    child.child({ step: 2 }).error('two', { detail: 'x' });
    logger.warn('three');
    expect(lines).toMatchObject([{ msg: 'one', request_id: 'r1' }, { msg: 'two', request_id: 'r1', step: 2, detail: 'x' }, { msg: 'three' }]);
    expect(lines[2]).not.toHaveProperty('request_id');
    expect(levels).toEqual(['info', 'error', 'warn']);
  });
});

describe('request log', () => {
  it('writes one JSON line per request with method, path, status, duration and the request id the client saw', async () => {
    const { lines, logger } = capture();
    const { app, store } = emptyApp({ logger });
    try {
      const ok = await app.request('/v1/reverse?lng=116.4&lat=39.9');
      const missing = await app.request('/nowhere');
      const wrong = await app.request('/health', { method: 'DELETE' });
      const chosen = await app.request('/health', { headers: { 'X-Request-Id': 'trace-42' } });
      expect(lines).toHaveLength(4);
      for (const [line, res] of [ok, missing, wrong, chosen].map((res, i) => [lines[i]!, res] as const)) {
        expect(line).toMatchObject({ level: 'info', msg: 'request', request_id: res.headers.get('x-request-id'), status: res.status });
        expect(new Date(line.time as string).getTime()).not.toBeNaN();
        expect(line.duration_ms).toEqual(expect.any(Number));
      }
      // the path without its query, which can hold addresses
      expect(lines[0]).toMatchObject({ method: 'GET', path: '/v1/reverse', status: 200 });
      expect(lines[2]).toMatchObject({ method: 'DELETE', status: 405 });
      expect(lines[3]!.request_id).toBe('trace-42');
      expect(lines[0]).not.toHaveProperty('key');
    } finally {
      store.close();
    }
  });

  it('logs a hidden error with the request id and its stack, next to the request line', async () => {
    const { lines, logger } = capture();
    const { app, store } = emptyApp({ logger });
    store.close();
    // a closed database: /health answers 503 and the real error goes to the log only
    const res = await app.request('/health');
    expect(res.status).toBe(503);
    const id = res.headers.get('x-request-id');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', 'request failed'],
      ['info', 'request'],
    ]);
    for (const line of lines) expect(line.request_id).toBe(id);
    expect(lines[0]).toMatchObject({ status: 503, path: '/health' });
    expect(lines[0]!.stack).toMatch(/StoreError: cannot count features/);
  });

  it('gives code inside a request a logger that carries its id, and names the API key', async () => {
    const { lines, logger } = capture();
    const app = new Hono<ProblemEnv & { Variables: { apiKey: { id: number; name: string } } }>();
    app.use(requestLog(logger));
    installProblemHandling(app);
    // what auth.ts does for a valid key
    app.use(async (c, next) => {
      c.set('apiKey', { id: 3, name: 'survey-team' });
      await next();
    });
    app.get('/work', (c) => {
      logOf(c).info('working', { items: 2 });
      return c.text('done');
    });
    const res = await app.request('/work');
    const id = res.headers.get('x-request-id');
    expect(lines).toMatchObject([
      { msg: 'working', items: 2, request_id: id },
      { msg: 'request', request_id: id, key: 'survey-team', status: 200 },
    ]);
  });

  it('is off unless the app is given a logger', async () => {
    const written = vi.spyOn(process.stderr, 'write');
    const printed = vi.spyOn(console, 'error');
    const logged = vi.spyOn(console, 'log');
    const { app, store } = emptyApp();
    try {
      expect((await app.request('/health')).status).toBe(200);
      expect((await app.request('/nowhere')).status).toBe(404);
    } finally {
      store.close();
    }
    expect(written).not.toHaveBeenCalled();
    expect(printed).not.toHaveBeenCalled();
    expect(logged).not.toHaveBeenCalled();
  });
});
