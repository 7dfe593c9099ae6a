import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ArchiveMetadata } from '../tiles/archive.js';
import type { TileProvider } from '../tiles/tile-provider.js';
import { createApp } from './app.js';
import { openApiDocument } from './openapi.js';
import { installProblemHandling, type Problem, type ProblemEnv } from './problem.js';
import { valid, validated, validatedOperation, type ValidInput } from './validation.js';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
  example?: unknown;
}
interface Operation {
  operationId: string;
  'x-ignore-unknown-query'?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema; example?: unknown }> };
}
interface Documented {
  method: string;
  path: string;
  operation: Operation;
}

const doc = openApiDocument();
const operations: Documented[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ method, path, operation: operation as Operation })),
);
const withInput = operations.filter(({ operation }) => (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined);

/** An app with one route: the operation's path, `validated(operationId)`, and a handler echoing what it let through. */
function echoApp({ method, path, operation }: Documented): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.on(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ':$1'), validated(operation.operationId), (c) => c.json(valid(c)));
  return app;
}

interface RequestParts {
  path: Record<string, string>;
  query: [string, string][];
  body?: string;
}

/** The documented example request: path parameters and required query parameters from their examples, the body example. */
function exampleRequest({ operation }: Documented): RequestParts {
  const parts: RequestParts = { path: {}, query: [] };
  for (const p of operation.parameters ?? []) {
    if (p.in === 'path') parts.path[p.name] = String(p.example);
    else if (p.required === true) parts.query.push([p.name, String(p.example)]);
  }
  const example = operation.requestBody?.content['application/json']?.example;
  if (example !== undefined) parts.body = JSON.stringify(example);
  return parts;
}

function send(app: Hono<ProblemEnv>, { method, path }: Documented, parts: RequestParts): Promise<Response> {
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parts.path[name] ?? ''));
  const search = new URLSearchParams(parts.query).toString();
  return Promise.resolve(app.request(search ? `${url}?${search}` : url, { method: method.toUpperCase(), ...(parts.body === undefined ? {} : { body: parts.body }) }));
}

async function problemOf(res: Response, status: number, what: string): Promise<Problem> {
  const text = await res.text();
  expect(res.status, `${what}: ${text}`).toBe(status);
  expect(res.headers.get('content-type'), what).toBe('application/problem+json');
  return JSON.parse(text) as Problem;
}

const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The detail names the parameter (or, for a path segment, quotes the segment, as code messages do). */
function expectNamed(detail: string, p: Parameter, value: string | undefined, what: string): void {
  const names = [p.name, words(p.name), ...(p.in === 'path' && value ? [value] : [])];
  expect(
    names.some((n) => new RegExp(`(^|[^\\w])${escape(n)}($|[^\\w])`).test(detail)),
    `${what}: "${detail}" names none of ${names.join(', ')}`,
  ).toBe(true);
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
}

/** Values a schema refuses, each with the kind of mistake it is. */
function invalidValues(schema: Schema, where: string): [kind: string, value: string][] {
  const out: [string, string][] = [];
  const type = typeOf(schema);
  if (type === 'integer' || type === 'number') out.push(['wrong type', 'abc'], ['wrong type', '0x10']);
  if (type === 'integer') out.push(['wrong type', '1.5']);
  if (type === 'boolean') out.push(['wrong type', 'maybe']);
  if (typeof schema.minimum === 'number') out.push(['out of range', String(schema.minimum - 1)]);
  if (typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER) out.push(['out of range', String(schema.maximum + 1)]);
  if (typeof schema.maxLength === 'number') out.push(['too long', 'x'.repeat(schema.maxLength + 1)]);
  // an empty path segment routes nowhere, so only a query value can be empty
  if (typeof schema.minLength === 'number' && schema.minLength > 0 && where === 'query') out.push(['too short', '']);
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern, 'u');
    const value = ['x', '0', '1'.repeat(30), 'not-matching'].find((v) => !pattern.test(v));
    if (value !== undefined) out.push(['pattern mismatch', value]);
  }
  if (schema.format === 'date') out.push(['not a date', '2026-02-30'], ['not a date', '1 May']);
  if (Array.isArray(schema.enum)) out.push(['not listed', 'zzz-not-listed']);
  return out;
}

/** A component schema by reference, or the schema itself. */
function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return (doc.components.schemas as Record<string, Schema>)[name]!;
}

describe('validated: every documented operation', () => {
  it('has examples to build a valid request from', () => {
    for (const { path, operation } of withInput) {
      for (const p of operation.parameters ?? []) {
        if (p.in === 'path' || p.required === true) expect(p.example, `${operation.operationId} ${p.name}`).toBeDefined();
      }
      if (operation.requestBody) expect(operation.requestBody.content['application/json']?.example, `${path} body`).toBeDefined();
    }
    expect(withInput.length).toBeGreaterThan(15);
  });

  it.each(withInput.map((o) => [o.operation.operationId, o] as const))('%s: the example passes, with strings converted and defaults filled in', async (_, op) => {
    const res = await send(echoApp(op), op, exampleRequest(op));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const input = JSON.parse(text) as ValidInput;
    for (const p of op.operation.parameters ?? []) {
      const value = (p.in === 'path' ? input.path : input.query)[p.name];
      const type = typeOf(p.schema);
      if (value !== undefined && (type === 'integer' || type === 'number')) expect(typeof value, p.name).toBe('number');
      if (value === undefined && p.schema.default !== undefined) expect.fail(`${p.name}: its default ${String(p.schema.default)} was not filled in`);
    }
  });

  it.each(withInput.map((o) => [o.operation.operationId, o] as const))('%s: each kind of invalid parameter is a 400 naming it', async (_, op) => {
    const app = echoApp(op);
    const example = exampleRequest(op);
    let checked = 0;
    for (const p of op.operation.parameters ?? []) {
      for (const [kind, value] of invalidValues(p.schema, p.in)) {
        const parts: RequestParts =
          p.in === 'path'
            ? { ...example, path: { ...example.path, [p.name]: value } }
            : { ...example, query: [...example.query.filter(([n]) => n !== p.name), [p.name, value]] };
        const what = `${op.operation.operationId} ${p.in} ${p.name}=${JSON.stringify(value)} (${kind})`;
        // a path segment outside a closed list names nothing: 404
        const status = p.in === 'path' && kind === 'not listed' ? 404 : 400;
        const problem = await problemOf(await send(app, op, parts), status, what);
        expectNamed(problem.detail, p, value, what);
        checked++;
      }
      if (p.in === 'query' && p.required === true) {
        const what = `${op.operation.operationId} without ${p.name}`;
        const problem = await problemOf(await send(app, op, { ...example, query: example.query.filter(([n]) => n !== p.name) }), 400, what);
        expect(problem.detail, what).toBe(`${p.name} is required`);
        checked++;
      }
      if (p.in === 'query' && typeOf(p.schema) !== 'array') {
        const given = example.query.find(([n]) => n === p.name)?.[1] ?? String(p.example ?? p.schema.default ?? 'x');
        const what = `${op.operation.operationId} with ${p.name} twice`;
        const problem = await problemOf(await send(app, op, { ...example, query: [...example.query, [p.name, given], [p.name, given]] }), 400, what);
        expectNamed(problem.detail, p, undefined, what);
      }
    }
    const withUnknown = await send(app, op, { ...example, query: [...example.query, ['zzz', '1']] });
    if (op.operation['x-ignore-unknown-query'] === true) {
      expect(withUnknown.status, `${op.operation.operationId} ?zzz=1`).toBe(200);
    } else {
      const unknown = await problemOf(withUnknown, 400, `${op.operation.operationId} ?zzz=1`);
      expect(unknown.detail).toMatch(/^unknown query parameter "zzz"/);
    }
    expect(checked).toBeGreaterThanOrEqual(0);
  });

  const withBody = withInput.filter((o) => o.operation.requestBody !== undefined);

  it.each(withBody.map((o) => [o.operation.operationId, o] as const))('%s: a body that is not JSON, empty or off its schema is a 400 naming the member', async (_, op) => {
    const app = echoApp(op);
    const example = exampleRequest(op);
    const notJson = await problemOf(await send(app, op, { ...example, body: '{"a": [' }), 400, 'not JSON');
    expect(notJson.detail).toMatch(/^the body is not valid JSON: /);
    if (op.operation.requestBody?.required === true) await problemOf(await send(app, op, { ...example, body: '' }), 400, 'empty body');
    await problemOf(await send(app, op, { ...example, body: '[]' }), 400, 'an array for an object');

    const schema = resolve(op.operation.requestBody!.content['application/json']!.schema);
    const body = JSON.parse(example.body!) as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) {
      const { [name]: _dropped, ...rest } = body;
      const problem = await problemOf(await send(app, op, { ...example, body: JSON.stringify(rest) }), 400, `without ${name}`);
      expect(problem.detail).toBe(`body ${name} is required`);
    }
    for (const [name, value] of Object.entries(body)) {
      const wrong = typeof value === 'string' ? 12345 : 'x';
      const problem = await problemOf(await send(app, op, { ...example, body: JSON.stringify({ ...body, [name]: wrong }) }), 400, `${name}: ${JSON.stringify(wrong)}`);
      expect(problem.detail).toMatch(new RegExp(`^body ${name}\\b`));
    }
    if (schema.additionalProperties === false) {
      const problem = await problemOf(await send(app, op, { ...example, body: JSON.stringify({ ...body, zzz: 1 }) }), 400, 'an unknown member');
      expect(problem.detail).toMatch(/^body zzz is not allowed: the body may have /);
    }
  });
});

describe('validated: messages', () => {
  const op = (operationId: string) => operations.find((o) => o.operation.operationId === operationId)!;
  const detailOf = async (operationId: string, parts: RequestParts, status = 400) =>
    (await problemOf(await send(echoApp(op(operationId)), op(operationId), parts), status, operationId)).detail;

  it('say what is wrong in plain words, with what arrived', async () => {
    const point = { path: {}, query: [['lng', '116.4'], ['lat', 'abc']] as [string, string][] };
    expect(await detailOf('reverseGet', point)).toBe('lat must be a number, got "abc"');
    expect(await detailOf('geocodeGet', { path: {}, query: [['q', 'x'], ['limit', '21']] })).toBe('limit must be a whole number 1–20, got 21');
    expect(await detailOf('houseGet', { path: { id: '0' }, query: [] })).toBe('house id must be a positive integer, got 0');
    expect(await detailOf('tileGet', { path: { source: 'wangge', z: '1e3', x: '0', y: '0' }, query: [] })).toBe('tile z must be a whole number 0–30, got "1e3"');
    expect(await detailOf('reverseGet', { path: {}, query: [...point.query.slice(0, 1), ['lat', '1'], ['address', 'yes']] })).toBe(
      'address must be 1 or 0 (true or false), got "yes"',
    );
  });

  it('carry the precise message of a code or date check', async () => {
    expect(await detailOf('areaGet', { path: { code: '11010' }, query: [] })).toMatch(/^division code 11010: must be 6 digits/);
    expect(await detailOf('gridGet', { path: { code: '110101001001000' }, query: [] })).toMatch(/^unit grid code 110101001001000: serial "000"/);
    expect(await detailOf('gridGet', { path: { code: '110101001001001' }, query: [['at', '2026-02-30']] })).toMatch(/^at 2026-02-30 is not a calendar date/);
    // a component's class is the handler's check (the app's class table may add local classes)
    expect((await send(echoApp(op('componentGet')), op('componentGet'), { path: { code: '1101019901000001' }, query: [] })).status).toBe(200);
  });

  it('name body members by their path, and answer an oversized batch with 413', async () => {
    const points = [[116.4, 39.9], [116.4, 39.9], [116.4, 39.9], [116.4]];
    expect(await detailOf('reversePost', { path: {}, query: [], body: JSON.stringify({ points }) })).toBe('body points[3] must have at least 2 items, got 1');
    expect(await detailOf('geocodePost', { path: {}, query: [], body: JSON.stringify({ addresses: ['多福巷1号', 42] }) })).toBe(
      'body addresses[1] must be a non-empty string of at most 200 characters, got 42',
    );
    const many = JSON.stringify({ points: Array.from({ length: 100_001 }, () => [116.4, 39.9]) });
    expect(await detailOf('reversePost', { path: {}, query: [], body: many }, 413)).toMatch(/^body points has 100,001 items; at most 100,000 per request/);
    const feature = { type: 'Feature', geometry: { type: 'Point', coordinates: [216.4, 39.9] }, properties: { major: '01', minor: '01', dept_main: '水务局' } };
    expect(await detailOf('componentCreate', { path: {}, query: [], body: JSON.stringify(feature) })).toBe(
      'body geometry.coordinates[0] must be a number from -180 to 180, got 216.4',
    );
    const fixed = { ...feature, geometry: { type: 'Point', coordinates: [116.4, 39.9] }, properties: { ...feature.properties, code: '1' } };
    expect(await detailOf('componentCreate', { path: {}, query: [], body: JSON.stringify(fixed) })).toMatch(/^body properties\.code is not allowed: body properties may have major, minor, /);
  });
});

const METADATA: ArchiveMetadata = {
  name: 'wangge',
  description: '',
  attribution: '',
  version: '1.0.0',
  minzoom: 10,
  maxzoom: 18,
  bounds: [116.38, 39.86, 116.45, 39.97],
  center: [116.41, 39.92, 14],
  vectorLayers: [],
};

describe('every route the app registers', () => {
  // the validator answers before any handler runs, so the app needs no real store, geocoders or tiles
  const tiles: TileProvider = { sources: ['wangge'], maxAgeSeconds: 60, metadata: () => METADATA, tile: () => null };
  const app = createApp({ store: {} as never, geocoders: {} as never, tiles });
  const routes = app.routes.filter((r) => r.method !== 'ALL');
  const templateOf = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
  const keys = [...new Set(routes.map((r) => `${r.method} ${r.path}`))];

  it.each(keys)('%s is validated against its documented operation', (key) => {
    const [method, path] = key.split(' ') as [string, string];
    const documented = operations.find((o) => o.method === method.toLowerCase() && o.path === templateOf(path));
    expect(documented, `${key} is not in openapi.ts`).toBeDefined();
    const checks = routes.filter((r) => r.method === method && r.path === path).map((r) => validatedOperation(r.handler));
    expect(checks, `${key} has no validated('${documented!.operation.operationId}')`).toContain(documented!.operation.operationId);
  });

  const ignoresUnknownQuery = (key: string): boolean =>
    operations.find((o) => o.method === 'get' && o.path === templateOf(key.slice('GET '.length)))?.operation['x-ignore-unknown-query'] === true;

  it.each(keys.filter((k) => k.startsWith('GET ') && !ignoresUnknownQuery(k)))('%s refuses an unknown query parameter with 400', async (key) => {
    const path = templateOf(key.slice('GET '.length));
    const documented = operations.find((o) => o.method === 'get' && o.path === path)!;
    const parts = exampleRequest(documented);
    const res = await send(app, documented, { ...parts, query: [...parts.query, ['zzz', '1']] });
    const problem = await problemOf(res, 400, `${key}?zzz=1`);
    expect(problem.detail).toContain('zzz');
  });

  it('ignores unknown query parameters only on the tile and TileJSON routes', () => {
    expect(keys.filter((k) => k.startsWith('GET ') && ignoresUnknownQuery(k)).map((k) => templateOf(k.slice('GET '.length))).sort()).toEqual(['/tiles/{source}/{z}/{x}/{y}', '/tiles/{tilejson}']);
  });
});
