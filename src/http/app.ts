import { Hono } from 'hono';
import { etag } from 'hono/etag';
import type { ComponentClassTable } from '../codes/index.js';
import { openApiDocument } from './openapi.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { featureRoutes, type FeatureSource } from './routes/features.js';
import { healthRoutes, type HealthSource } from './routes/health.js';

/** What the app reads; `Store` satisfies it, and so can a fake. */
export type AppStore = FeatureSource & HealthSource;

export interface AppOptions {
  store: AppStore;
  /** the class table component codes are checked against (the shipped one by default) */
  componentClasses?: ComponentClassTable;
}

/**
 * The HTTP API as a Hono app: /health, /openapi.json and /v1 feature lookups. Errors become
 * RFC 9457 problem+json (see problem.ts).
 * @example
 * const app = createApp({ store: Store.open(path, { readonly: true }) });
 * const res = await app.request('/v1/grids/110101001001001');
 */
export function createApp({ store, componentClasses }: AppOptions): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.use('/v1/*', etag());

  app.route('/', healthRoutes(store));
  app.get('/openapi.json', function openApiGet(c) {
    return c.json(openApiDocument(), 200, { 'Cache-Control': 'public, max-age=3600' });
  });
  app.route('/', featureRoutes({ store, componentClasses }));
  return app;
}
