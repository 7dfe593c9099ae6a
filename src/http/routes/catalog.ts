import { Hono } from 'hono';
import type { TileSources } from '../../tiles/tile-sources.js';
import type { CacheControlPolicy } from '../cache-control.js';
import type { ProblemEnv } from '../problem.js';
import { publicBaseUrl } from '../public-url.js';
import { validated } from '../validation.js';
import { MVT_CONTENT_TYPE } from './tiles.js';

/**
 * `GET /catalog`: every tile source with its layers, zooms and attribution, as Martin's
 * `/catalog` lists them; archives add their format and file name. Composites are not listed:
 * any comma-joined list of these names is one.
 */
export function catalogRoutes(tiles: TileSources, cacheControl: CacheControlPolicy = {}): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  app.get('/catalog', validated('catalogGet'), function catalogGet(c) {
    const base = publicBaseUrl(c.req.raw);
    const entries = tiles.sources.map((name) => {
      const m = tiles.metadata(name);
      return [
        name,
        {
          name: m.name,
          description: m.description,
          attribution: m.attribution,
          content_type: MVT_CONTENT_TYPE,
          content_encoding: 'gzip',
          minzoom: m.minzoom,
          maxzoom: m.maxzoom,
          bounds: m.bounds,
          layers: m.vectorLayers.map(({ id, minzoom, maxzoom }) => ({ id, minzoom, maxzoom })),
          tilejson: `${base}/tiles/${encodeURIComponent(name)}.json`,
          ...(tiles.archiveOf(name) === undefined ? {} : { archive: tiles.archiveOf(name) }),
        },
      ];
    });
    return c.json({ tiles: Object.fromEntries(entries) }, 200, { 'Cache-Control': cacheControl.catalog ?? 'no-cache', 'Access-Control-Allow-Origin': '*' });
  });
  return app;
}
