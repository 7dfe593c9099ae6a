import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { InvalidRequestError } from '../../errors.js';
import type { TileCoord } from '../../tiles/tile-coords.js';
import type { TileSources } from '../../tiles/tile-sources.js';
import type { CacheControlPolicy } from '../cache-control.js';
import { brotliFromGzip, negotiateEncoding } from '../compression.js';
import { etagMatches } from '../etag-match.js';
import type { ProblemEnv } from '../problem.js';
import { publicBaseUrl } from '../public-url.js';
import { valid, validated } from '../validation.js';

export const MVT_CONTENT_TYPE = 'application/vnd.mapbox-vector-tile';

/**
 * `GET /tiles/{source}/{z}/{x}/{y}` (Mapbox Vector Tiles) and `GET /tiles/{source}.json`
 * (TileJSON 3.0.0), for single sources and comma-joined composites. Tiles are gzip-compressed
 * when the client accepts it (brotli when it prefers that: compression.ts), carry an ETag (304
 * on If-None-Match) and may be used cross-origin, as any map client expects of a tile server. Both answer HEAD with the Content-Length of the GET
 * (GDAL's /vsicurl/ sizes files that way) and ignore query parameters (`x-ignore-unknown-query`
 * in openapi.ts), so `?v=2` cache busting works.
 */
export function tileRoutes(tiles: TileSources, cacheControl: CacheControlPolicy = {}): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();

  app.get('/tiles/:source/:z/:x/:y', validated('tileGet'), async function tileGet(c) {
    const { source, ...coord } = valid<{ path: { source: string } & TileCoord }>(c).path;
    checkTileCoord(coord, tiles.metadata(source).maxzoom);
    const tile = await tiles.tile(source, coord);
    const headers: Record<string, string> = {
      'Cache-Control': cacheControl.tiles ?? `public, max-age=${tiles.maxAgeOf(source)}`,
      'Access-Control-Allow-Origin': '*',
      Vary: 'Accept-Encoding',
    };
    if (tile === null) return new Response(null, { status: 204, headers });
    headers.ETag = tile.etag;
    if (etagMatches(c.req.header('If-None-Match'), tile.etag)) return new Response(null, { status: 304, headers });
    headers['Content-Type'] = MVT_CONTENT_TYPE;
    let body = tile.gzip;
    const coding = negotiateEncoding(c.req.header('Accept-Encoding'), 'gzip');
    if (coding === 'br') body = await brotliFromGzip(tile.gzip);
    else if (coding === 'identity') body = gunzipSync(tile.gzip);
    if (coding !== 'identity') headers['Content-Encoding'] = coding;
    headers['Content-Length'] = String(body.byteLength);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
  });

  app.get('/tiles/:tilejson{[^/]+\\.json}', validated('tileJsonGet'), function tileJsonGet(c) {
    const source = c.req.param('tilejson').slice(0, -'.json'.length);
    const metadata = tiles.metadata(source);
    const base = publicBaseUrl(c.req.raw);
    const body = JSON.stringify({
      tilejson: '3.0.0',
      name: metadata.name,
      description: metadata.description,
      version: metadata.version,
      attribution: metadata.attribution,
      scheme: 'xyz',
      tiles: [`${base}/tiles/${encodeURIComponent(source).replace(/%2C/g, ',')}/{z}/{x}/{y}`],
      minzoom: metadata.minzoom,
      maxzoom: metadata.maxzoom,
      bounds: metadata.bounds,
      center: metadata.center,
      vector_layers: metadata.vectorLayers,
    });
    return c.body(body, 200, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': cacheControl.tilejson ?? 'no-cache',
      'Access-Control-Allow-Origin': '*',
      // the tile URLs inside depend on the forwarded headers (honoured with --trust-proxy)
      Vary: 'X-Forwarded-Proto, X-Forwarded-Host',
    });
  });

  return app;
}

/** Checks whole-number z/x/y (the schema's part) against the source: z within 0..maxzoom, x and y within 0..2^z−1. */
export function checkTileCoord(coord: TileCoord, maxzoom: number): TileCoord {
  if (coord.z > maxzoom) throw new InvalidRequestError(`tile z must be 0–${maxzoom} (clients over-zoom beyond ${maxzoom}), got ${coord.z}`);
  const last = 2 ** coord.z - 1;
  if (coord.x > last || coord.y > last) throw new InvalidRequestError(`tile x and y must be 0–${last} at z${coord.z}, got x=${coord.x} y=${coord.y}`);
  return coord;
}
