import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../auth/api-keys.js';
import { Store } from '../../store/store.js';
import { serveChild } from '../test-helpers/serve-child.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

let dir: string;
let db: string;
/** a key: batches of 100,000 points need one */
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-serve-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
  const store = Store.open(db);
  key = createApiKey(store, { name: '东城区网格化服务管理中心', scope: '110101' }).secret;
  store.close();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** 100,000 points over Dongcheng as a POST /v1/reverse body (~4 MB), from a fixed seed. */
function reverseBody(count: number): Buffer {
  let seed = 42;
  const random = (): number => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const points = Array.from({ length: count }, () => [116.38 + random() * 0.06, 39.87 + random() * 0.09]);
  return Buffer.from(JSON.stringify({ points }));
}

/**
 * POSTs `body` in two parts: all but its last bytes now, the rest when `finish` is called, so the
 * request is surely in flight in between.
 */
function postInTwoParts(url: string, body: Buffer): { sent: Promise<void>; finish(): void; answer: Promise<{ status: number; text: string }> } {
  const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Authorization: `Bearer ${key}` } });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const split = body.length - 1000;
  const sent = new Promise<void>((resolve) => req.write(body.subarray(0, split), () => resolve()));
  return { sent, answer, finish: () => req.end(body.subarray(split)) };
}

describe('wangge serve shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, closes the database and exits 0', async () => {
    const server = await serveChild(['--db', db]);
    const body = reverseBody(100_000);
    const post = postInTwoParts(`${server.url}/v1/reverse`, body);
    await post.sent;
    // the server has the headers and most of the body; now it is told to stop
    await delay(200);
    const exited = server.stop();
    await delay(300);
    await expect(fetch(`${server.url}/health`), 'a new connection after SIGTERM').rejects.toThrow();
    post.finish();
    const answer = await post.answer;
    const answered = performance.now();
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    const results = (JSON.parse(answer.text) as { results: { unitGrid: { code: string } | null }[] }).results;
    expect(results).toHaveLength(100_000);
    expect(results.filter((r) => r.unitGrid !== null).length).toBeGreaterThan(50_000);
    expect(await exited).toBe(0);
    // its connection was kept alive, and is closed as soon as the answer is out (not 5 s later)
    expect(performance.now() - answered).toBeLessThan(2000);

    const lines = server
      .log()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string; [field: string]: unknown });
    const messages = lines.map((l) => l.msg);
    const stopping = lines.find((l) => l.signal === 'SIGTERM');
    expect(stopping).toMatchObject({ level: 'info', in_flight: 1 });
    const steps = ['HTTP server closed', 'change watcher stopped', 'database closed; exiting'].map((msg) => messages.indexOf(msg));
    expect(steps.every((at, i) => at > messages.indexOf(stopping!.msg) && (i === 0 || at > steps[i - 1]!))).toBe(true);
    // the request finished before the server closed, and was logged with its id
    const logged = lines.find((l) => l.msg === 'request' && l.path === '/v1/reverse');
    expect(logged).toMatchObject({ method: 'POST', status: 200, request_id: expect.any(String) });
    expect(lines.indexOf(logged!)).toBeLessThan(steps[0]!);

    const file = new Database(db, { readonly: true });
    try {
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      file.close();
    }
  }, 120_000);

  it('exits at once when only idle kept-alive connections are open', async () => {
    const server = await serveChild(['--db', db]);
    // fetch keeps its connection open for reuse after the answer
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const started = performance.now();
    expect(await server.stop()).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
  }, 120_000);
});
