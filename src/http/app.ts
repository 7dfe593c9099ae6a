import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import type { ComponentClassTable } from '../codes/index.js';
import { DEFAULTS } from '../config.js';
import { TooLargeError } from '../errors.js';
import type { Geocoders } from '../geocode/geocoders.js';
import { requireApiKey } from './auth.js';
import { batchKey } from './batch-limits.js';
import { compressAnswers } from './compression.js';
import { corsPolicy } from './cors-policy.js';
import type { Logger } from '../logger.js';
import { createMetrics, metricsRoutes, type Metrics } from './metrics.js';
import { requestObserver } from './request-observer.js';
import { openApiDocument } from './openapi.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { validated } from './validation.js';
import { rateLimit } from './rate-limit.js';
import { featureRoutes, type FeatureSource } from './routes/features.js';
import { healthRoutes, type HealthSource } from './routes/health.js';
import { autocompleteRoutes } from './routes/autocomplete.js';
import { geocodeRoutes } from './routes/geocode.js';
import { mapRoutes } from './routes/map.js';
import { reverseRoutes, type ComponentsNear } from './routes/reverse.js';
import { tileRoutes } from './routes/tiles.js';
import { catalogRoutes } from './routes/catalog.js';
import type { CacheControlPolicy } from './cache-control.js';
import { dropForwardedOrigin } from './public-url.js';
import type { GuardedWriteApi } from '../write/write-api.js';
import { writeRoutes } from './routes/write.js';
import { vertexLimit, writeBodyBytes } from './vertex-limit.js';
import type { TileProvider } from '../tiles/tile-provider.js';
import type { ArchiveSource } from '../tiles/archive-source.js';
import { TileSources } from '../tiles/tile-sources.js';
import type { DatabaseStatus } from '../store/postgis/follow.js';

/** What the app reads; `Store` satisfies it, and so can a fake. */
export type AppStore = FeatureSource & HealthSource;

export interface AppOptions {
  store: AppStore;
  /** in-memory indexes for /v1/reverse and /v1/geocode (geocode/geocoders.ts) */
  geocoders: Geocoders;
  /** vector tiles: cut live from the store (TileService) or read from an MBTiles file */
  tiles: TileProvider;
  /** MBTiles / PMTiles archives served beside `tiles`, each under its own name (default none) */
  archives?: readonly ArchiveSource[];
  /** Cache-Control of the tile, TileJSON and catalog answers, where the defaults do not suit */
  cacheControl?: CacheControlPolicy;
  /** components near a point for `/v1/reverse?components=` (default: from `tiles` when it cuts them live) */
  componentsNear?: ComponentsNear;
  /** the write endpoints (components, houses, addresses, grid versions, change log); absent: read-only */
  writes?: GuardedWriteApi;
  /** the class table component codes are checked against (the shipped one by default) */
  componentClasses?: ComponentClassTable;
  /** one JSON line per request goes here; without it requests are not logged (errors still go to stderr) */
  logger?: Logger;
  /** what GET /metrics shows (default: a new registry over `tiles`); pass it to count writes elsewhere; false: no metrics at all (the bench's bare server) */
  metrics?: Metrics | false;
  /** GET /metrics is served elsewhere (its own port: metricsApp), not by this app (default false) */
  metricsElsewhere?: boolean;
  /** origins allowed cross-origin (cors-policy.ts); default: any page may read, none may write */
  corsOrigins?: readonly string[];
  /** requests per second per API key or client address (default 200); 0 turns the limit off */
  rateLimit?: number;
  /** requests a client may make at once (default: two seconds of the rate) */
  rateBurst?: number;
  /** a proxy in front sets X-Forwarded-For (client addresses, for the rate limit) and X-Forwarded-Proto / -Host (the public URL); default false: these headers are ignored */
  trustProxy?: boolean;
  /** every /v1, /tiles, /catalog and /metrics request needs a valid API key, of any scope (default false: reads are open) */
  readsNeedKey?: boolean;
  /** largest request body (default 16 MiB) */
  maxBodyBytes?: number;
  /** most positions per geometry in a write (default 2,000) */
  maxVertices?: number;
  /** largest answer to a batch request (default 64 MiB) */
  maxResponseBytes?: number;
  /** how a replica stands with its PostGIS database, for /health and /health/ready (default: no such database) */
  databaseStatus?: () => DatabaseStatus;
}

/** Largest request body accepted by default (config.ts says why). */
const MAX_BODY_BYTES = DEFAULTS.maxBodyMb * 2 ** 20;
const MAX_RESPONSE_BYTES = DEFAULTS.maxResponseMb * 2 ** 20;

/**
 * The HTTP API as a Hono app: /health, /openapi.json, /v1 feature lookups and geocoding,
 * /tiles (vector tiles, TileJSON), /styles/default.json and the map page at /. Errors become
 * RFC 9457 problem+json (see problem.ts).
 * @example
 * const store = Store.open(path, { readonly: true });
 * const app = createApp({ store, geocoders: loadGeocoders(store), tiles: TileService.fromStore(store) });
 * const res = await app.request('/v1/grids/110101001001001');
 */
export function createApp({
  store,
  geocoders,
  tiles,
  archives = [],
  cacheControl,
  writes,
  componentsNear = tiles.componentsNear?.bind(tiles),
  componentClasses,
  logger,
  metrics = createMetrics({ tiles }),
  metricsElsewhere = false,
  corsOrigins,
  rateLimit: ratePerSecond = DEFAULTS.rateLimit,
  rateBurst,
  trustProxy = false,
  readsNeedKey = false,
  maxBodyBytes = MAX_BODY_BYTES,
  maxVertices = DEFAULTS.maxVertices,
  maxResponseBytes = MAX_RESPONSE_BYTES,
  databaseStatus,
}: AppOptions): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  // outside the problem handling, so they see the status the client gets (405 included)
  if (metrics || logger) app.use(requestObserver({ logger, metrics: metrics || undefined }));
  // outside the problem handling too, so problem+json answers are compressed like the rest
  app.use(compressAnswers());
  installProblemHandling(app);
  // only a proxy we stand behind may say which host and scheme clients use
  if (!trustProxy) app.use(dropForwardedOrigin());
  app.use(corsPolicy(corsOrigins));
  // the key is checked by the routes, after this, so the limiter looks the bearer secret up itself
  if (ratePerSecond > 0) app.use(rateLimit({ ratePerSecond, burst: rateBurst, trustProxy, findKey: writes?.findKey }));
  if (readsNeedKey) {
    // any valid key, whatever its scope; /health, /openapi.json, the style and the page stay open.
    // /metrics too: request counts per route and the process's figures are not for anyone (issue 11)
    if (!writes) throw new Error('readsNeedKey needs the key store, which comes with writes');
    for (const path of ['/v1/*', '/tiles/*', '/catalog', ...(metrics && !metricsElsewhere ? ['/metrics'] : [])]) app.use(path, requireApiKey(writes.findKey) as unknown as MiddlewareHandler<ProblemEnv>);
  }
  // features are revalidated by ETag; geocoding answers are computed per request and not hashed
  for (const path of ['/v1/areas/*', '/v1/grids/*', '/v1/components/*', '/v1/houses/*']) app.use(path, etag());
  app.use(
    '/v1/*',
    withBodyOnly(
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: () => {
          throw new TooLargeError(`the request body is larger than ${maxBodyBytes / 2 ** 20} MiB`);
        },
      }),
    ),
  );
  // writes carry a few geometries: a smaller body, and no geometry over the vertex limit, before any parsing or checking
  const writeBytes = Math.min(maxBodyBytes, writeBodyBytes(maxVertices));
  // `/v1/houses/*` matches /v1/houses too; a path given twice would read the body twice
  for (const path of ['/v1/components/*', '/v1/houses/*', '/v1/addresses/*', '/v1/grids/*']) {
    app.use(
      path,
      withBodyOnly(
        bodyLimit({
          maxSize: writeBytes,
          onError: () => {
            throw new TooLargeError(`the body is larger than ${Math.round(writeBytes / 1024)} KiB, which a write of geometries of at most ${maxVertices.toLocaleString('en')} vertices never needs`);
          },
        }),
      ),
      vertexLimit(maxVertices),
    );
  }
  // a key on a batch request lifts its size limit (batch-limits.ts)
  for (const path of ['/v1/reverse', '/v1/geocode']) app.use(path, batchKey(writes?.findKey));
  if (metrics && !metricsElsewhere) app.route('/', metricsRoutes(metrics));

  app.route('/', healthRoutes(store, databaseStatus));
  app.get('/openapi.json', validated('openApiGet'), function openApiGet(c) {
    return c.json(openApiDocument(), 200, { 'Cache-Control': 'public, max-age=3600' });
  });
  app.route('/', featureRoutes({ store, componentClasses }));
  app.route('/', reverseRoutes(geocoders, componentsNear, { maxResponseBytes }));
  app.route('/', geocodeRoutes(geocoders, { maxResponseBytes }));
  app.route('/', autocompleteRoutes(geocoders));
  app.route('/', writeRoutes(writes));
  const tileSources = new TileSources(tiles, archives);
  app.route('/', tileRoutes(tileSources, cacheControl));
  app.route('/', catalogRoutes(tileSources, cacheControl));
  app.route('/', mapRoutes(tiles, { readsNeedKey }));
  return app;
}

/**
 * `middleware` for requests whose method carries a body (POST, PUT, PATCH, DELETE); the others go
 * past it. Hono's bodyLimit reads `c.req.raw.body`, which makes the Node server build a whole
 * fetch Request (with its AbortSignal) that a GET never needs: a seventh of the server's time
 * under `GET /v1/reverse` load. No handler reads the body of a GET or HEAD.
 */
function withBodyOnly(middleware: MiddlewareHandler): MiddlewareHandler {
  return async function bodyMethodsOnly(c, next) {
    const method = c.req.method;
    return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? next() : middleware(c, next);
  };
}
