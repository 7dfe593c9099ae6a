import { gunzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import type { TileCoord } from '../../tiles/tile-coords.js';
import type { TileProvider } from '../../tiles/tile-provider.js';
import { etagMatches } from '../etag-match.js';
import type { ProblemEnv } from '../problem.js';
import { publicBaseUrl } from '../public-url.js';
import { valid, validated } from '../validation.js';

export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';

/**
 * `GET /tiles/{source}/{z}/{x}/{y}` (Mapbox Vector Tiles) and `GET /tiles/{source}.json`
 * (TileJSON 3.0.0). Tiles are gzip-compressed when the client accepts it, carry an ETag
 * (304 on If-None-Match) and may be used cross-origin, as any map client expects of a tile server.
 */
export function tileRoutes(tiles: TileProvider): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();

  app.get('/tiles/:source/:z/:x/:y', validated('tileGet'), function tileGet(c) {
    const { source, ...coord } = valid<{ path: { source: string } & TileCoord }>(c).path;
    checkSource(tiles, source);
    checkTileCoord(coord, tiles.metadata(source).maxzoom);
    const tile = tiles.tile(source, coord);
    const headers: Record<string, string> = {
      'Cache-Control': `public, max-age=${tiles.maxAgeSeconds}`,
      'Access-Control-Allow-Origin': '*',
      Vary: 'Accept-Encoding',
    };
    if (tile === null) return new Response(null, { status: 204, headers });
    headers.ETag = tile.etag;
    if (etagMatches(c.req.header('If-None-Match'), tile.etag)) return new Response(null, { status: 304, headers });
    headers['Content-Type'] = MVT_CONTENT_TYPE;
    if (acceptsGzip(c)) {
      headers['Content-Encoding'] = 'gzip';
      return c.body(tile.gzip as Uint8Array<ArrayBuffer>, 200, headers);
    }
    return c.body(gunzipSync(tile.gzip) as Uint8Array<ArrayBuffer>, 200, headers);
  });

  app.get('/tiles/:tilejson{[^/]+\\.json}', validated('tileJsonGet'), function tileJsonGet(c) {
    const source = c.req.param('tilejson').slice(0, -'.json'.length);
    checkSource(tiles, source);
    const metadata = tiles.metadata(source);
    const base = publicBaseUrl(c.req.raw);
    return c.json(
      {
        tilejson: '3.0.0',
        name: metadata.name,
        description: metadata.description,
        version: metadata.version,
        attribution: metadata.attribution,
        scheme: 'xyz',
        tiles: [`${base}/tiles/${encodeURIComponent(source)}/{z}/{x}/{y}`],
        minzoom: metadata.minzoom,
        maxzoom: metadata.maxzoom,
        bounds: metadata.bounds,
        center: metadata.center,
        vector_layers: metadata.vectorLayers,
      },
      200,
      // the tile URLs inside depend on the forwarded headers
      { 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*', Vary: 'X-Forwarded-Proto, X-Forwarded-Host' },
    );
  });

  return app;
}

function checkSource(tiles: TileProvider, source: string): void {
  if (!tiles.sources.includes(source)) {
    throw new NotFoundError(`no tile source "${source}"; the sources are ${tiles.sources.join(', ')}`);
  }
}

/** Checks whole-number z/x/y (the schema's part) against the source: z within 0..maxzoom, x and y within 0..2^z−1. */
export function checkTileCoord(coord: TileCoord, maxzoom: number): TileCoord {
  if (coord.z > maxzoom) throw new InvalidRequestError(`tile z must be 0–${maxzoom} (clients over-zoom beyond ${maxzoom}), got ${coord.z}`);
  const last = 2 ** coord.z - 1;
  if (coord.x > last || coord.y > last) throw new InvalidRequestError(`tile x and y must be 0–${last} at z${coord.z}, got x=${coord.x} y=${coord.y}`);
  return coord;
}

function acceptsGzip(c: Context): boolean {
  const header = c.req.header('Accept-Encoding') ?? '';
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}
