import { Hono, type Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TileProvider } from '../tiles/tile-provider.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { processMetrics } from './process-metrics.js';
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
  render(): Promise<string>;
  /** the media type of `render`'s text */
  readonly contentType: string;
}

/** Route label of requests no route matched, so unknown paths cannot grow the label set. */
export const UNMATCHED_ROUTE = 'unmatched';

// latencies from a cached tile (~0.1 ms) to a 100,000-point reverse batch (seconds)
const DURATION_BOUNDS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The metrics of one app (a prom-client registry): requests by method, route and status,
 * latency per route, writes by layer and operation, and — read when scraped — the tile cache
 * and index sizes (for tiles cut live: a TileService); then the process's (process-metrics.ts).
 * @example
 * const metrics = createMetrics({ tiles });
 * metrics.countWrite('components', 'create');
 * await metrics.render(); // '# HELP wangge_http_requests_total …'
 */
export function createMetrics({ tiles }: { tiles?: TileProvider } = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'wangge_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.', labelNames: ['method', 'route', 'status'], registers });
  const durations = new Histogram({ name: 'wangge_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route pattern.', labelNames: ['route'], buckets: DURATION_BOUNDS_S, registers });
  const writes = new Counter({ name: 'wangge_writes_total', help: 'Committed writes through the API, by layer and operation.', labelNames: ['layer', 'op'], registers });
  if (tiles?.cacheFigures !== undefined && tiles.indexSizes !== undefined) registerTileMetrics(registry, tiles.cacheFigures.bind(tiles), tiles.indexSizes.bind(tiles));
  const processRegistry = processMetrics();
  // prom-client sorts and joins the labels on every inc and observe; a request's series is
  // looked up by one string instead (routes are patterns, so the map stays small)
  const series = new Map<string, { count: { inc(): void }; duration: { observe(seconds: number): void } }>();
  return {
    observeRequest({ method, route, status, seconds }) {
      const known = METHODS.has(method) ? method : 'other';
      const key = `${known} ${status} ${route}`;
      let one = series.get(key);
      if (one === undefined) series.set(key, (one = { count: requests.labels({ method: known, route, status: String(status) }), duration: durations.labels({ route }) }));
      one.count.inc();
      one.duration.observe(seconds);
    },
    countWrite: (layer, op) => writes.inc({ layer, op }),
    render: async () => (await registry.metrics()) + (await processRegistry.metrics()),
    contentType: registry.contentType,
  };
}

/** `GET /metrics`: the Prometheus text exposition format 0.0.4. */
export function metricsRoutes(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', validated('metricsGet'), async function metricsGet(c) {
    return c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  });
  return app;
}

/**
 * An app serving only `GET /metrics`, for a port of its own (`serve --metrics-port`): there a
 * Prometheus on the same host scrapes without an API key, and the API port does not show it.
 */
export function metricsApp(metrics: Metrics): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.route('/', metricsRoutes(metrics));
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

// read from the tile service when scraped; a counter kept elsewhere is copied in, as prom-client's own process counters are
function registerTileMetrics(registry: Registry, cache: NonNullable<TileProvider['cacheFigures']>, indexSizes: () => Record<string, number>): void {
  const registers = [registry];
  new Counter({
    name: 'wangge_tile_cache_hits_total',
    help: 'Tiles served from the encoded-tile cache.',
    registers,
    collect() {
      this.reset();
      this.inc(cache().hits);
    },
  });
  new Counter({
    name: 'wangge_tile_cache_misses_total',
    help: 'Tiles cut because they were not in the cache.',
    registers,
    collect() {
      this.reset();
      this.inc(cache().misses);
    },
  });
  new Gauge({
    name: 'wangge_tile_cache_bytes',
    help: 'Bytes held by the encoded-tile cache.',
    registers,
    collect() {
      this.set(cache().bytes);
    },
  });
  new Gauge({
    name: 'wangge_tile_cache_tiles',
    help: 'Tiles held by the encoded-tile cache (empty ones included).',
    registers,
    collect() {
      this.set(cache().tiles);
    },
  });
  new Gauge({
    name: 'wangge_index_features',
    help: 'Features in each tile layer index.',
    labelNames: ['index'],
    registers,
    collect() {
      for (const [index, size] of Object.entries(indexSizes())) this.set({ index }, size);
    },
  });
}
