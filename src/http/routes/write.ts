import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { Feature, Geometry } from 'geojson';
import { componentClassName } from '../../codes/index.js';
import { HTTPException } from 'hono/http-exception';
import { InvalidRequestError } from '../../errors.js';
import { changeLogPage } from '../../auth/change-log-view.js';
import type { Component } from '../../model.js';
import { whenWritable } from '../../store/write-lock.js';
import { DEFAULTS } from '../../config.js';
import { writerFor, type PatchBody, type WritableLayer, type WritableRecord, type Writer } from '../../write/feature-writer.js';
import type { RedrawRequest } from '../../write/grid-redraw.js';
import { planRedrawOffThread } from '../../write/redraw-thread.js';
import type { GuardedWriteApi, WriteApi } from '../../write/write-api.js';
import { optionalApiKey, requireApiKey, type AuthEnv } from '../auth.js';
import { problemResponse, type ProblemEnv } from '../problem.js';
import { validated } from '../validation.js';
import { addressFeature, componentFeature, gridFeature, GEOJSON_CONTENT_TYPE, houseFeature, parseDate, parseId } from './features.js';

type Env = ProblemEnv & AuthEnv;

const MAX_CHANGES_PAGE = 1000;

/**
 * POST / PATCH / DELETE of components, houses and addresses, new social grid versions, and the
 * change log (`GET /v1/changes`). The app puts `requireApiKey` in front of every write, so each
 * handler finds the caller's key on the context; its scope is checked where the feature lies.
 */
export function writeRoutes(api: GuardedWriteApi | undefined): Hono<Env> {
  const app = new Hono<Env>();
  // a read-only server: 405, with the methods the path still has (RFC 9110 §15.5.6)
  const guard = (allow: string): MiddlewareHandler<AuthEnv> =>
    api
      ? requireApiKey(api.findKey)
      : async (c) => problemResponse(c, 405, 'read_only', 'this server is read-only: it was started without a writable database', { Allow: allow });
  const need = (): WriteApi => api!;
  // waits for another writer without blocking the event loop, so reads go on during an import
  const commit = <T>(work: () => T): Promise<T> => api!.commit?.(work) ?? whenWritable(work, { waitMs: api!.writeWaitMs ?? DEFAULTS.writeWaitS * 1000 });
  const done = async (layer: string, op: string): Promise<void> => {
    await api!.afterWrite();
    api!.onWrite?.(layer, op);
  };

  // operation ids in openapi.ts: componentCreate, housePatch, addressRetire, …
  const routes: { layer: WritableLayer; path: string; key: string; noun: string }[] = [
    { layer: 'components', path: '/v1/components', key: 'code', noun: 'component' },
    { layer: 'houses', path: '/v1/houses', key: 'id', noun: 'house' },
    { layer: 'addresses', path: '/v1/addresses', key: 'id', noun: 'address' },
  ];
  for (const { layer, path, key, noun } of routes) {
    app.post(path, guard(''), validated(`${noun}Create`), async function create(c) {
      const { writer } = need();
      const feature = await featureBody(c);
      const record = await commit(() => writer.create(layer, feature, writerOf(c)));
      await done(layer, 'create');
      const body = featureOf(layer, record);
      return c.body(JSON.stringify(body), 201, { 'Content-Type': GEOJSON_CONTENT_TYPE, Location: `${path}/${body.id}`, 'Cache-Control': 'no-store' });
    });
    app.patch(`${path}/:${key}`, guard('GET, HEAD'), validated(`${noun}Patch`), async function patch(c) {
      const { writer } = need();
      const body = await patchBody(c);
      const record = await commit(() => writer.patch(layer, keyOf(layer, c.req.param(key)!), body, writerOf(c)));
      await done(layer, 'update');
      return geoJson(c, featureOf(layer, record));
    });
    app.delete(`${path}/:${key}`, guard('GET, HEAD'), validated(`${noun}Retire`), async function retire(c) {
      const { writer } = need();
      const date = parseDate(c.req.query('date'), 'date');
      const record = await commit(() => writer.retire(layer, keyOf(layer, c.req.param(key)!), date, writerOf(c)));
      await done(layer, 'retire');
      return geoJson(c, featureOf(layer, record));
    });
  }

  app.post('/v1/grids/:staticCode/versions', guard(''), validated('gridVersionCreate'), async function gridVersionCreate(c) {
    const { grids, store } = need();
    const request = (await jsonBody(c)) as RedrawRequest;
    const by = writerOf(c);
    const prepared = grids.prepare(c.req.param('staticCode'), request, by);
    // the polygon clipping runs on a worker thread; the write checks that nothing it read has changed since
    const plan = await planRedrawOffThread(prepared.input);
    const result = await commit(() => grids.apply(prepared, plan, by));
    await done('grids', 'version');
    const body = {
      grid: gridFeature(result.grid, store),
      neighbours: result.neighbours.map((g) => gridFeature(g, store)),
      reassigned: result.reassigned,
    };
    return c.json(body, 201, { Location: `/v1/grids/${result.grid.code}-${result.grid.dynamicCode}`, 'Cache-Control': 'no-store' });
  });

  // a key, when one is sent, limits the changes to its scope and shows district keys the actors (auth/change-log-view.ts)
  const reader: MiddlewareHandler<AuthEnv> = api ? optionalApiKey(api.findKey) : async (_c, next) => next();
  app.get('/v1/changes', validated('changesList'), reader, function changesList(c) {
    if (!api) throw new HTTPException(404, { message: 'this server keeps no change log: it was started without a writable database' });
    const since = wholeNumber(c.req.query('since') ?? '0', 'since');
    const limit = wholeNumber(c.req.query('limit') ?? '100', 'limit');
    if (limit < 1 || limit > MAX_CHANGES_PAGE) throw new InvalidRequestError(`limit must be 1–${MAX_CHANGES_PAGE}, got ${limit}`);
    const page = changeLogPage(api.store, c.get('apiKey') ?? null, since, limit);
    return c.json(page, 200, { 'Cache-Control': 'no-cache', Vary: 'Authorization' });
  });

  return app;
}

/** The writer a request acts as: its key's name, limited to its key's scope. */
function writerOf(c: Context<Env>): Writer {
  return writerFor(c.get('apiKey'));
}

function featureOf(layer: WritableLayer, record: WritableRecord<WritableLayer>): Feature & { id: string | number } {
  if (layer === 'components') {
    const component = record as Component;
    return componentFeature(component, componentClassName(component.major, component.minor) ?? component.name) as Feature & { id: string };
  }
  return (layer === 'houses' ? houseFeature(record as never) : addressFeature(record as never)) as Feature & { id: number };
}

function keyOf(layer: WritableLayer, text: string): string | number {
  return layer === 'components' ? text : parseId(text, layer === 'houses' ? 'house' : 'address');
}

function geoJson(c: Context, feature: Feature): Response {
  return c.body(JSON.stringify(feature), 200, { 'Content-Type': GEOJSON_CONTENT_TYPE, 'Cache-Control': 'no-store' });
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    throw new InvalidRequestError(`the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** A GeoJSON Feature body. */
async function featureBody(c: Context): Promise<Feature> {
  const body = await jsonBody(c);
  if (!isObject(body) || body.type !== 'Feature' || !isObject(body.geometry)) {
    throw new InvalidRequestError('the body must be a GeoJSON Feature with a geometry and properties');
  }
  return body as unknown as Feature;
}

async function patchBody(c: Context): Promise<PatchBody> {
  const body = await jsonBody(c);
  if (!isObject(body)) throw new InvalidRequestError('the body must be an object with "properties" and/or "geometry"');
  const unknown = Object.keys(body).filter((k) => k !== 'properties' && k !== 'geometry' && k !== 'type');
  if (unknown.length > 0) throw new InvalidRequestError(`the body may hold only "properties" and "geometry", not ${unknown.join(', ')}`);
  if (body.properties !== undefined && !isObject(body.properties)) throw new InvalidRequestError('"properties" must be an object');
  if (body.geometry !== undefined && !isObject(body.geometry)) throw new InvalidRequestError('"geometry" must be a GeoJSON geometry');
  return { properties: body.properties as Record<string, unknown> | undefined, geometry: body.geometry as Geometry | undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeNumber(text: string, name: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new InvalidRequestError(`${name} must be a whole number, got "${text.slice(0, 40)}"`);
  return Number(text);
}
