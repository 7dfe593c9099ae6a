import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { TileProvider } from '../tiles/tile-provider.js';
import { TileService } from '../tiles/tile-service.js';
import { CounterVec, formatMetrics, gaugeOf, HistogramVec, PROMETHEUS_CONTENT_TYPE, singleValue, type MetricFamily } from './prometheus.js';
import { validated } from './validation.js';

/** An answered request, as the request metrics count it. */
export interface RequestObservation {
  method: string;
  /** the route pattern, e.g. /tiles/:source/:z/:x/:y (routeLabelOf) */
  route: string;
  status: number;
  seconds: number;
}

/** The service's metrics: counted as requests and writes happen, the rest read at scrape time. */
export interface Metrics {
  observeRequest(request: RequestObservation): void;
  /** counts a committed write (`op`: create, update, retire, version); a plain function, so it can be handed on */
  readonly countWrite: (layer: string, op: string) => void;
  /** every metric in the Prometheus text format, read now */
  render(): string;
}

/** Route label of requests no route matched, so unknown paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

// latencies from a cached tile (~0.1 ms) to a 100,000-point reverse batch (seconds)
const DURATION_BOUNDS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The metrics of one app: requests by method, route and status, latency per route, writes by
 * layer and operation, and — read when scraped — the tile cache and index sizes (for tiles cut
 * live: a TileService) and the process's memory.
 * @example
 * const metrics = createMetrics({ tiles });
 * metrics.countWrite('components', 'create');
 * metrics.render(); // '# HELP wangge_http_requests_total …'
 */
export function createMetrics({ tiles }: { tiles?: TileProvider } = {}): Metrics {
  const requests = new CounterVec('wangge_http_requests_total', 'HTTP requests answered, by method, route pattern and status.', ['method', 'route', 'status']);
  const durations = new HistogramVec('wangge_http_request_duration_seconds', 'Time to answer an HTTP request, by route pattern.', ['route'], DURATION_BOUNDS_S);
  const writes = new CounterVec('wangge_writes_total', 'Committed writes through the API, by layer and operation.', ['layer', 'op']);
  const live = tiles instanceof TileService ? tiles : undefined;
  loopDelay ??= startLoopDelay();
  return {
    observeRequest({ method, route, status, seconds }) {
      requests.inc({ method: METHODS.has(method) ? method : 'other', route, status: String(status) });
      durations.observe({ route }, seconds);
    },
    countWrite: (layer, op) => writes.inc({ layer, op }),
    render: () => formatMetrics([requests.family(), durations.family(), writes.family(), ...(live ? tileFamilies(live) : []), ...processFamilies()]),
  };
}

/** Middleware feeding `metrics` with every request; registered first, so it sees the final status. */
export function requestMetrics(metrics: Metrics): MiddlewareHandler {
  return async function requestMetricsObserver(c, next) {
    const started = performance.now();
    await next();
    metrics.observeRequest({ method: c.req.method, route: routeLabelOf(c), status: c.res.status, seconds: (performance.now() - started) / 1000 });
  };
}

/** `GET /metrics`: the Prometheus text exposition format 0.0.4. */
export function metricsRoutes(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', validated('metricsGet'), function metricsGet(c) {
    return c.body(metrics.render(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });
  return app;
}

/**
 * The pattern of the route that answers a request (`/tiles/:source/:z/:x/:y`), or
 * UNMATCHED_ROUTE. Middleware is registered for every method (`ALL`), endpoints for theirs, and
 * the first endpoint matched is the one that answers — also when a middleware stopped the request.
 */
export function routeLabelOf(c: Context): string {
  return matchedRoutes(c).find((route) => route.method !== 'ALL')?.path ?? UNMATCHED_ROUTE;
}

function tileFamilies(tiles: TileService): MetricFamily[] {
  const { cache } = tiles;
  return [
    singleValue('wangge_tile_cache_hits_total', 'Tiles served from the encoded-tile cache.', 'counter', cache.hits),
    singleValue('wangge_tile_cache_misses_total', 'Tiles cut because they were not in the cache.', 'counter', cache.misses),
    singleValue('wangge_tile_cache_bytes', 'Bytes held by the encoded-tile cache.', 'gauge', cache.size.bytes),
    singleValue('wangge_tile_cache_tiles', 'Tiles held by the encoded-tile cache (empty ones included).', 'gauge', cache.size.tiles),
    gaugeOf(
      'wangge_index_features',
      'Features in each tile layer index.',
      Object.entries(tiles.indexSizes()).map(([index, size]) => [{ index }, size]),
    ),
  ];
}

// one per process, started with the first metrics
let loopDelay: IntervalHistogram | undefined;

function startLoopDelay(): IntervalHistogram {
  // 10 ms is node's default sampling
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return histogram;
}

function processFamilies(): MetricFamily[] {
  const memory = process.memoryUsage();
  // since the last scrape, as prom-client's nodejs_eventloop_lag_* are: how long a request could wait
  const delayMaxS = loopDelay!.count > 0 ? loopDelay!.max / 1e9 : 0;
  loopDelay!.reset();
  return [
    singleValue('process_resident_memory_bytes', 'Resident memory size in bytes.', 'gauge', memory.rss),
    singleValue('nodejs_heap_used_bytes', 'V8 heap in use, bytes.', 'gauge', memory.heapUsed),
    singleValue('nodejs_eventloop_lag_max_seconds', 'Longest event-loop delay since the last scrape, seconds.', 'gauge', delayMaxS),
  ];
}
