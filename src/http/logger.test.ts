import { spawnSync } from 'node:child_process';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { logOf } from './context-logger.js';
import { requestObserver } from './request-observer.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { emptyApp } from './test-helpers/empty-app.js';

type Line = Record<string, unknown>;

/** A logger that keeps its lines, parsed (parsing fails the test on a line that is not JSON). */
function capture(): { lines: Line[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const logger = createLogger((line) => {
    expect(line).not.toContain('\n');
    lines.push(JSON.parse(line) as Line);
  });
  return { lines, logger };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('writes level, ISO time, msg and the fields, leaving out undefined ones, and nothing else', () => {
    const { lines, logger } = capture();
    logger.warn('slow tile', { z: 14, key: undefined });
    expect(Object.keys(lines[0]!).sort()).toEqual(['level', 'msg', 'time', 'z']);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'slow tile', z: 14 });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('adds a child’s fields to every line and writes the level as a word', () => {
    const { lines, logger } = capture();
    const child = logger.child({ request_id: 'r1' });
    child.info('one');
    child.child({ step: 2 }).error('two', { detail: 'x' });
    logger.warn('three');
    expect(lines).toMatchObject([{ msg: 'one', request_id: 'r1' }, { msg: 'two', request_id: 'r1', step: 2, detail: 'x' }, { msg: 'three' }]);
    expect(lines[2]).not.toHaveProperty('request_id');
    expect(lines.map((line) => line.level)).toEqual(['info', 'error', 'warn']);
  });

  it('writes to stderr without a sink, asynchronously, and flush() resolves once every line is out', () => {
    // the built module in a process of its own: its stderr is the asynchronous destination; a
    // synchronous write after flush() must land after every line (without flush it jumps the queue)
    const logger = new URL('../../dist/logger.js', import.meta.url).href;
    const script = `import { writeSync } from 'node:fs';
      import { createLogger } from ${JSON.stringify(logger)};
      const log = createLogger();
      for (let i = 0; i < 5000; i++) log.info('line', { i, pad: 'x'.repeat(100) });
      await log.flush();
      writeSync(2, '{"msg":"after flush"}\\n');
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr.slice(0, 500)).toBe(3);
    expect(child.stdout).toBe('');
    const lines = child.stderr.trim().split('\n').map((line) => JSON.parse(line) as Line);
    expect(lines.map((line) => line.i)).toEqual([...Array.from({ length: 5000 }, (_, i) => i), undefined]);
    expect(lines[5000]).toEqual({ msg: 'after flush' });
    expect(lines[4999]).toMatchObject({ level: 'info', msg: 'line' });
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
    app.use(requestObserver({ logger }));
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
