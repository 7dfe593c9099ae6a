import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { main } from '../cli/main.js';
import { serveChild, type ServedChild } from '../cli/test-helpers/serve-child.js';
import { Store } from '../store/store.js';
import { parsePrometheus } from './test-helpers/parse-prometheus.js';

// /metrics behind the API key under --reads-need-key, or on a port of its own (issue 11, point 7),
// against the built `wangge serve`

let dir: string;
let db: string;
let key: string;
let server: ServedChild | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-metrics-'));
  db = join(dir, 'empty.db');
  // an empty database is served as it is (no district to generate): quick to start
  const store = Store.open(db);
  // a key's scope must be a stored area
  const square = { type: 'Polygon' as const, coordinates: [[[116.4, 39.9], [116.401, 39.9], [116.401, 39.901], [116.4, 39.901], [116.4, 39.9]]] };
  store.insert('areas', [{ code: '110101001', level: 'street', name: '东华门街道', parentCode: '110101', geometry: square }]);
  key = createApiKey(store, { name: 'monitoring', scope: '110101001' }).secret;
  store.close();
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GET /metrics access', () => {
  it('is open on the API port by default', async () => {
    server = await serveChild(['--db', db]);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(parsePrometheus(await res.text()).has('wangge_http_requests_total')).toBe(true);
  }, 60_000);

  it('needs an API key under --reads-need-key: 401 problem+json without one, the metrics with one', async () => {
    server = await serveChild(['--db', db, '--reads-need-key']);
    const refused = await fetch(`${server.url}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="wangge"');
    expect(await refused.text()).not.toContain('wangge_http_requests_total');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer not-a-key' } });
    expect(wrong.status).toBe(401);
    const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const metrics = parsePrometheus(await res.text());
    // the refused scrapes were counted like any request
    const refusedCount = metrics.get('wangge_http_requests_total')!.samples.find((s) => s.labels.route === '/metrics' && s.labels.status === '401');
    expect(refusedCount?.value).toBe(2);
    // /health and the OpenAPI document stay open
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);

  it('with --metrics-port is served on its own port at 127.0.0.1, with no key, and not on the API port', async () => {
    server = await serveChild(['--db', db, '--reads-need-key', '--metrics-port', '0']);
    const line = server
      .log()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metrics_url?: string })
      .find((l) => l.metrics_url !== undefined);
    const metricsUrl = line?.metrics_url ?? '';
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    // on the API port /metrics is no route, key or not
    expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/reverse?lng=116.4&lat=39.9`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    const metrics = parsePrometheus(await res.text());
    // the same registry as the API's: its requests are counted there
    const reverse = metrics.get('wangge_http_requests_total')!.samples.find((s) => s.labels.route === '/v1/reverse');
    expect(reverse).toMatchObject({ labels: { method: 'GET', status: '200' }, value: 1 });
    expect(metrics.has('process_cpu_user_seconds_total')).toBe(true);
    // the metrics port serves nothing else
    expect((await fetch(metricsUrl.replace('/metrics', '/health'))).status).toBe(404);
  }, 60_000);

  it('refuses a --metrics-port that is not a port, and --metrics-host without it', async () => {
    const errors: string[] = [];
    const io = { out: () => {}, err: (line: string) => void errors.push(line), interactive: false };
    expect(await main(['serve', '--db', db, '--metrics-port', '80x'], io)).toBe(2);
    expect(await main(['serve', '--db', db, '--metrics-port', '70000'], io)).toBe(2);
    expect(await main(['serve', '--db', db, '--metrics-host', '0.0.0.0'], io)).toBe(2);
    expect(errors).toEqual([
      'error: --metrics-port: expected a port number 0-65535, got "80x"',
      'error: --metrics-port: expected a port number 0-65535, got "70000"',
      'error: --metrics-host needs --metrics-port',
    ]);
  });
});
