import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { serveChild, type ServedChild } from '../cli/test-helpers/serve-child.js';
import { Store } from '../store/store.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';

// issue 12: a full disk answered writes with 500 "internal" instead of 503.

const FULL_DISK = fileURLToPath(new URL('../test-helpers/full-disk.mjs', import.meta.url));

let dir: string;
let db: string;
/** while it exists, the server's disk is full */
let flag: string;
let secret: string;
let server: ServedChild;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-full-disk-server-'));
  db = join(dir, 'district.db');
  flag = join(dir, 'disk-is-full');
  defaultDistrictAt(db);
  const store = Store.open(db);
  try {
    secret = createApiKey(store, { name: '东城区网格中心', scope: '110101' }).secret;
  } finally {
    store.close();
  }
  const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, WANGGE_FULL_DISK: process.env.WANGGE_FULL_DISK };
  process.env.NODE_OPTIONS = `${saved.NODE_OPTIONS ?? ''} --import ${FULL_DISK}`.trim();
  process.env.WANGGE_FULL_DISK = flag;
  try {
    server = await serveChild(['--db', db]);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const post = (name: string) =>
  fetch(`${server.url}/v1/components`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify({ type: 'Feature', geometry: { type: 'Point', coordinates: [116.4102, 39.9321] }, properties: { major: '01', minor: '19', dept_main: '区消防救援支队', name } }),
  });

describe('a full disk', () => {
  it('answers a write with 503, Retry-After and a detail that says the disk is full, not 500 internal; reads go on, and writes work again once space is freed', async () => {
    const created = await post('满盘之前');
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    writeFileSync(flag, '');
    try {
      for (const answer of [
        await post('满盘时新建'),
        await fetch(`${server.url}/v1/components/${id}`, {
          method: 'PATCH',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
          body: JSON.stringify({ properties: { name: '满盘时修改' } }),
        }),
      ]) {
        const problem = (await answer.json()) as { status: number; code: string; detail: string };
        expect(answer.status).toBe(503);
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
        expect(answer.headers.get('retry-after')).toBe('60');
        expect(problem).toMatchObject({ status: 503, code: 'disk_full' });
        expect(problem.detail).toBe('the disk is full (SQLITE_FULL); nothing was written — try again once space is freed');
      }
      const read = await fetch(`${server.url}/v1/components/${id}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { properties: { name: string } }).properties.name).toBe('满盘之前');
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      rmSync(flag, { force: true });
    }
    // the operator finds the failure in the log, with the error as SQLite gave it
    // (log lines are JSON, written in batches up to 100 ms after the request: read them as such)
    const logged = (): unknown[] =>
      server
        .log()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as unknown);
    await expect.poll(logged).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'request failed', status: 503, error: 'database or disk is full' }));
    expect((await post('腾出空间后')).status).toBe(201);
  }, 60_000);
});
