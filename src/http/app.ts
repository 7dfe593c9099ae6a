import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { etag } from 'hono/etag';
import type { ComponentClassTable } from '../codes/index.js';
import { TooLargeError } from '../errors.js';
import type { Geocoders } from '../geocode/geocoders.js';
import { openApiDocument } from './openapi.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { featureRoutes, type FeatureSource } from './routes/features.js';
import { healthRoutes, type HealthSource } from './routes/health.js';
import { geocodeRoutes } from './routes/geocode.js';
import { mapRoutes } from './routes/map.js';
import { reverseRoutes } from './routes/reverse.js';
import { tileRoutes } from './routes/tiles.js';
import { writeRoutes, type GuardedWriteApi } from './routes/write.js';
import type { TileProvider } from '../tiles/tile-provider.js';

/** What the app reads; `Store` satisfies it, and so can a fake. */
export type AppStore = FeatureSource & HealthSource;

export interface AppOptions {
  store: AppStore;
  /** in-memory indexes for /v1/reverse and /v1/geocode (geocode/geocoders.ts) */
  geocoders: Geocoders;
  /** vector tiles: cut live from the store (TileService) or read from an MBTiles file */
  tiles: TileProvider;
  /** the write endpoints (components, houses, addresses, grid versions, change log); absent: read-only */
  writes?: GuardedWriteApi;
  /** the class table component codes are checked against (the shipped one by default) */
  componentClasses?: ComponentClassTable;
}

/** Largest request body accepted: 100,000 points in JSON fit in ~5 MiB. */
const MAX_BODY_BYTES = 16 * 2 ** 20;

/**
 * The HTTP API as a Hono app: /health, /openapi.json, /v1 feature lookups and geocoding,
 * /tiles (vector tiles, TileJSON), /styles/default.json and the map page at /. Errors become
 * RFC 9457 problem+json (see problem.ts).
 * @example
 * const store = Store.open(path, { readonly: true });
 * const app = createApp({ store, geocoders: loadGeocoders(store), tiles: TileService.fromStore(store) });
 * const res = await app.request('/v1/grids/110101001001001');
 */
export function createApp({ store, geocoders, tiles, writes, componentClasses }: AppOptions): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  // features are revalidated by ETag; geocoding answers are computed per request and not hashed
  for (const path of ['/v1/areas/*', '/v1/grids/*', '/v1/components/*', '/v1/houses/*']) app.use(path, etag());
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new TooLargeError(`the request body is larger than ${MAX_BODY_BYTES / 2 ** 20} MiB`);
      },
    }),
  );

  app.route('/', healthRoutes(store));
  app.get('/openapi.json', function openApiGet(c) {
    return c.json(openApiDocument(), 200, { 'Cache-Control': 'public, max-age=3600' });
  });
  app.route('/', featureRoutes({ store, componentClasses }));
  app.route('/', reverseRoutes(geocoders));
  app.route('/', geocodeRoutes(geocoders));
  app.route('/', writeRoutes(writes));
  app.route('/', tileRoutes(tiles));
  app.route('/', mapRoutes(tiles));
  return app;
}
