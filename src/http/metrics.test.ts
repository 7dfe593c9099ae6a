import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TILE_LAYERS } from '../tiles/layers.js';
import { createMetrics, UNMATCHED_ROUTE } from './metrics.js';
import { emptyApp, type EmptyApp } from './test-helpers/empty-app.js';
import { parsePrometheus, type ParsedFamily } from './test-helpers/parse-prometheus.js';

let opened: EmptyApp[] = [];

afterEach(() => {
  for (const { store } of opened) store.close();
  opened = [];
});

function open(options: Parameters<typeof emptyApp>[0] = {}): EmptyApp {
  const built = emptyApp(options);
  opened.push(built);
  return built;
}

/** GET /metrics, checked for its media type and parsed strictly. */
async function scrape(app: EmptyApp['app']): Promise<Map<string, ParsedFamily>> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  // the text exposition format 0.0.4, which every Prometheus reads
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-store');
  return parsePrometheus(await res.text());
}

/** The value of the one sample of `name` whose labels include `labels`. */
function valueOf(families: Map<string, ParsedFamily>, family: string, labels: Record<string, string> = {}, name = family): number {
  const matches = families.get(family)?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  expect(matches, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return matches[0]!.value;
}

describe('GET /metrics', () => {
  it('counts requests by method, route pattern and status, 404s and 405s included', async () => {
    const { app } = open();
    for (let i = 0; i < 3; i++) await app.request('/health');
    await app.request('/tiles/wangge/14/13490/6206');
    await app.request('/tiles/houses/15/1/1');
    await app.request('/tiles/wangge.json');
    await app.request('/no/such/path');
    await app.request('/health', { method: 'PUT' });
    const metrics = await scrape(app);
    expect(metrics.get('wangge_http_requests_total')?.type).toBe('counter');
    const requests = (labels: Record<string, string>): number => valueOf(metrics, 'wangge_http_requests_total', labels);
    expect(requests({ method: 'GET', route: '/health', status: '200' })).toBe(3);
    // the pattern, not the path: one series for every tile
    expect(requests({ method: 'GET', route: '/tiles/:source/:z/:x/:y', status: '204' })).toBe(2);
    // a pattern with a backslash, escaped on the way out and read back intact
    expect(requests({ method: 'GET', route: '/tiles/:tilejson{[^/]+\\.json}', status: '200' })).toBe(1);
    expect(requests({ method: 'GET', route: UNMATCHED_ROUTE, status: '404' })).toBe(1);
    expect(requests({ method: 'PUT', route: UNMATCHED_ROUTE, status: '405' })).toBe(1);
    const routes = metrics.get('wangge_http_requests_total')!.samples.map((s) => s.labels.route);
    expect(routes.some((route) => route?.includes('13490'))).toBe(false);
  });

  it('keeps a latency histogram per route whose buckets add up', async () => {
    const { app } = open();
    for (let i = 0; i < 4; i++) await app.request('/health');
    await app.request('/tiles/wangge/14/13490/6206');
    const metrics = await scrape(app);
    const histogram = metrics.get('wangge_http_request_duration_seconds')!;
    expect(histogram.type).toBe('histogram');
    for (const route of ['/health', '/tiles/:source/:z/:x/:y']) {
      const buckets = histogram.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.route === route);
      const bounds = buckets.map((s) => Number(s.labels.le === '+Inf' ? Infinity : s.labels.le));
      expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
      expect(bounds.at(-1)).toBe(Infinity);
      const counts = buckets.map((s) => s.value);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      const count = valueOf(metrics, 'wangge_http_request_duration_seconds', { route }, 'wangge_http_request_duration_seconds_count');
      expect(counts.at(-1)).toBe(count);
      expect(count).toBe(route === '/health' ? 4 : 1);
      expect(valueOf(metrics, 'wangge_http_request_duration_seconds', { route }, 'wangge_http_request_duration_seconds_sum')).toBeGreaterThan(0);
    }
  });

  it('reports the tile cache, the index sizes and the process memory as read now', async () => {
    const { app, tiles } = open();
    await app.request('/tiles/wangge/14/13490/6206');
    await app.request('/tiles/wangge/14/13490/6206');
    const metrics = await scrape(app);
    expect(valueOf(metrics, 'wangge_tile_cache_misses_total')).toBe(1);
    expect(valueOf(metrics, 'wangge_tile_cache_hits_total')).toBe(1);
    expect(valueOf(metrics, 'wangge_tile_cache_tiles')).toBe(1);
    expect(valueOf(metrics, 'wangge_tile_cache_bytes')).toBe(tiles.cache.size.bytes);
    const indexes = metrics.get('wangge_index_features')!;
    expect(indexes.type).toBe('gauge');
    expect(indexes.samples.map((s) => s.labels.index).sort()).toEqual(Object.keys(TILE_LAYERS).sort());
    expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(valueOf(metrics, 'nodejs_heap_used_bytes')).toBeGreaterThan(1e6);
    for (const [name, family] of metrics) expect(family.help, name).not.toBe('');
  });

  it('counts writes by layer and operation through countWrite, a plain function', async () => {
    const metrics = createMetrics();
    const { app } = open({ metrics });
    const onWrite = metrics.countWrite;
    onWrite('components', 'create');
    onWrite('components', 'create');
    onWrite('houses', 'retire');
    onWrite('odd "layer"\\with\nbreaks', 'update');
    const scraped = await scrape(app);
    expect(valueOf(scraped, 'wangge_writes_total', { layer: 'components', op: 'create' })).toBe(2);
    expect(valueOf(scraped, 'wangge_writes_total', { layer: 'houses', op: 'retire' })).toBe(1);
    expect(valueOf(scraped, 'wangge_writes_total', { layer: 'odd "layer"\\with\nbreaks', op: 'update' })).toBe(1);
  });

  it('labels a request stopped by a middleware with the route it asked for', async () => {
    const { app } = open({ rateLimit: 1, rateBurst: 1, trustProxy: true });
    const from = { headers: { 'X-Forwarded-For': '203.0.113.7' } };
    expect((await app.request('/health', from)).status).toBe(200);
    expect((await app.request('/health', from)).status).toBe(429);
    const metrics = await scrape(app);
    expect(valueOf(metrics, 'wangge_http_requests_total', { route: '/health', status: '429' })).toBe(1);
  });
});

describe('process metrics', () => {
  it('has prom-client’s CPU, memory, GC and event-loop figures once, however many apps there are', async () => {
    const { app } = open();
    open();
    const metrics = await scrape(app);
    expect(valueOf(metrics, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metrics.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
    expect(valueOf(metrics, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(1e6);
    expect(metrics.get('nodejs_eventloop_lag_max_seconds')?.type).toBe('gauge');
  });

  it('reports the longest event-loop delay since the last scrape', async () => {
    const { app } = open();
    await scrape(app);
    // node's monitor measures from its timer's last tick, and a reset forgets that tick: let it tick once
    await sleep(50);
    // hold the loop for 300 ms, then let the monitor's timer see it
    const until = performance.now() + 300;
    while (performance.now() < until);
    await sleep(50);
    expect(valueOf(await scrape(app), 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThan(0.25);
    await sleep(100);
    // the block is forgotten once read: a busy machine still delays less than 250 ms
    expect(valueOf(await scrape(app), 'nodejs_eventloop_lag_max_seconds')).toBeLessThan(0.25);
  });
});

describe('the strict Prometheus reader the tests use', () => {
  it('is refused by the reader when malformed, so the checks above mean something', () => {
    expect(() => parsePrometheus('x 1\n')).toThrow(/before its family/);
    expect(() => parsePrometheus('# TYPE x counter\nx{a="b} 1\n')).toThrow();
    expect(() => parsePrometheus('# TYPE x counter\nx{a="\\t"} 1\n')).toThrow(/bad escape/);
    expect(() => parsePrometheus('# TYPE x counter\nx 1')).toThrow(/newline/);
    expect(() => parsePrometheus('# TYPE x counter\nx 1\n# TYPE x counter\n')).toThrow();
  });
});
