import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { NotFoundError } from '../../errors.js';
import { defaultStyle, STYLE_SOURCE } from '../../tiles/style.js';
import type { TileProvider } from '../../tiles/tile-provider.js';
import { MAPLIBRE_PATH, mapPage, mapStart } from '../map-page.js';
import { etagMatches } from '../etag-match.js';
import type { ProblemEnv } from '../problem.js';
import { publicBaseUrl } from '../public-url.js';
import { valid, validated } from '../validation.js';

/** The maplibre-gl dist files the page loads, and their media types; nothing else is served. */
const MAPLIBRE_FILES: Readonly<Record<string, string>> = {
  'maplibre-gl.mjs': 'text/javascript; charset=utf-8',
  // empty in 6.x, but older builds of the module import it, so it stays servable
  'maplibre-gl-shared.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl-worker.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl.css': 'text/css; charset=utf-8',
};

/** A URL carrying `?v=<the served version>` never changes; other requests revalidate daily. */
const VERSIONED_CACHE = 'public, max-age=31536000, immutable';
const UNVERSIONED_CACHE = 'public, max-age=86400';

export interface MapRoutesOptions {
  /** the server answers /tiles and /v1 only with an API key (`serve --reads-need-key`): the page asks for one */
  readsNeedKey?: boolean;
}

/**
 * `GET /` (the map page), `GET /styles/default.json` (the style, with absolute URLs for this
 * request's public origin) and `GET /assets/maplibre-gl/:file` (MapLibre from node_modules).
 */
export function mapRoutes(tiles: TileProvider, { readsNeedKey = false }: MapRoutesOptions = {}): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  // the style draws every layer: from the all-layer source, or what a served MBTiles file has
  const source = tiles.sources.includes(STYLE_SOURCE) ? STYLE_SOURCE : tiles.sources[0]!;
  const maplibre = new MaplibreDist();

  app.get('/', validated('mapPageGet'), async function mapPageGet(c) {
    const { version } = await maplibre.package();
    const page = mapPage({ maplibreVersion: version, start: mapStart(tiles.metadata(source)), keyCheckPath: readsNeedKey ? `/tiles/${encodeURIComponent(source)}.json` : null });
    return c.html(page, 200, { 'Cache-Control': 'no-cache' });
  });

  app.get('/styles/default.json', validated('styleGet'), function styleGet(c) {
    // the URLs inside depend on the forwarded headers, so a shared cache must key on them
    return c.json(defaultStyle(publicBaseUrl(c.req.raw), source), 200, {
      'Cache-Control': 'no-cache',
      Vary: 'X-Forwarded-Proto, X-Forwarded-Host',
    });
  });

  // a name outside the schema's list is a 404 before this runs; the check here keeps the lookup safe on its own
  // MapLibre's modules are ~1.5 MB of JavaScript; gzip makes the first page load on a slow link bearable.
  // On the GET route only: as path middleware it also wrapped the 405 answer to other methods, whose
  // headers then said gzip over plain problem+json
  app.get(`${MAPLIBRE_PATH}/:file`, compress(), validated('maplibreAssetGet'), async function maplibreAssetGet(c) {
    const name = c.req.param('file');
    const contentType = Object.hasOwn(MAPLIBRE_FILES, name) ? MAPLIBRE_FILES[name] : undefined;
    if (contentType === undefined) {
      throw new NotFoundError(`no MapLibre file ${name}; served: ${Object.keys(MAPLIBRE_FILES).join(', ')}`);
    }
    const { version } = await maplibre.package();
    const etag = `"maplibre-gl-${version}"`;
    const headers = { ETag: etag, 'Cache-Control': valid<{ query: { v?: string } }>(c).query.v === version ? VERSIONED_CACHE : UNVERSIONED_CACHE };
    if (etagMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304, headers);
    const bytes = await maplibre.file(name);
    return c.body(bytes, 200, { ...headers, 'Content-Type': contentType });
  });

  return app;
}

/** maplibre-gl's installed dist folder, found on first use and read once per file. */
class MaplibreDist {
  private found: Promise<{ dir: string; version: string }> | undefined;
  private readonly files = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

  /** The installed version and dist folder; a 404 naming the package when it is missing. */
  package(): Promise<{ dir: string; version: string }> {
    this.found ??= locateMaplibre();
    return this.found;
  }

  file(name: string): Promise<Uint8Array<ArrayBuffer>> {
    let bytes = this.files.get(name);
    if (bytes === undefined) {
      bytes = this.package().then(({ dir }) => readFile(join(dir, name)).then((b) => new Uint8Array(b)));
      this.files.set(name, bytes);
    }
    return bytes;
  }
}

async function locateMaplibre(): Promise<{ dir: string; version: string }> {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('maplibre-gl/package.json');
  } catch {
    throw new NotFoundError('the map needs the maplibre-gl package, which is not installed on this server');
  }
  const { version } = JSON.parse(await readFile(packageJson, 'utf8')) as { version: string };
  return { dir: join(dirname(packageJson), 'dist'), version };
}
