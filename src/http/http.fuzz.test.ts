import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { startLive, type LiveService } from '../live.js';
import type { Store } from '../store/store.js';
import {
  anyText,
  bodyText,
  documentedOperations,
  encodeLoosely,
  exampleValue,
  fuzzRuns,
  fuzzTimeoutMs,
  headerText,
  hostileAround,
  hostileString,
  mutatedJson,
  percentEncode,
  requestTarget,
  responseProblems,
  schemaType,
  seeResponse,
  sentForms,
  type DocumentedOperation,
  type DocumentedParameter,
  type SeenResponse,
} from '../test-helpers/fuzz.js';
import { createApp } from './app.js';
import { openApiDocument } from './openapi.js';
import { startServer, type RunningServer } from './serve.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';

// Fuzzing of every endpoint in /openapi.json (issue 5): random and hostile values for every path
// and query parameter the document lists (so new endpoints are covered as they are documented),
// unknown parameters, odd methods and headers; bodies derived from the document's examples for
// the write operations. In-process through app.request for volume, a share over a real loopback
// server. Never a 5xx, every 4xx is problem+json with a detail that leaks nothing, JSON parses.

const runs = fuzzRuns();
const serverRuns = fuzzRuns(200);
const writeRuns = fuzzRuns(500);

let district: TestDistrict;
let store: Store;
let live: LiveService;
let app: ReturnType<typeof createApp>;
let writeApp: ReturnType<typeof createApp>;
let server: RunningServer;
let secret: string;

beforeAll(async () => {
  district = openTestDistrict('http-fuzz');
  store = district.store;
  live = startLive(store);
  // no rate limit: the fuzzer is one client sending thousands of requests a second
  app = createApp({ store, geocoders: live.geocoders, tiles: live.tiles, writes: live.writes, rateLimit: 0 });
  // the write fuzz skips the index refresh after each write: a house or address write rebuilds the
  // geocoders (~1 s each), which would make 500 requests a benchmark of that
  writeApp = createApp({
    store,
    geocoders: live.geocoders,
    tiles: live.tiles,
    writes: { ...live.writes, afterWrite: async () => {} },
    rateLimit: 0,
  });
  secret = createApiKey(store, { name: 'fuzz', scope: '110101' }).secret;
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  live?.stop();
  district?.remove();
  for (const [family, tally] of tallies) {
    const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`http fuzz: ${family}: ${tally.requests.toLocaleString('en')} requests (${statuses}); slowest ${tally.slowestMs.toFixed(0)} ms`);
  }
});

// ---- what was sent and what came back ----

interface Tally {
  requests: number;
  statuses: Map<number, number>;
  slowestMs: number;
}
const tallies = new Map<string, Tally>();

function tally(family: string, status: number, ms: number): void {
  let t = tallies.get(family);
  if (t === undefined) tallies.set(family, (t = { requests: 0, statuses: new Map(), slowestMs: 0 }));
  t.requests++;
  t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
  t.slowestMs = Math.max(t.slowestMs, ms);
}

/** Rejects after `ms`: a request that never answers is a hang, reported with its input. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const shown = (r: FuzzRequest): string =>
  `${r.method} ${JSON.stringify(r.url.length > 300 ? `${r.url.slice(0, 300)}…(${r.url.length})` : r.url)} headers ${JSON.stringify(r.headers).slice(0, 300)}` +
  (r.body === undefined ? '' : ` body ${JSON.stringify(r.body.slice(0, 300))}${r.body.length > 300 ? `…(${r.body.length})` : ''}`);

/** Sends in-process, checks the answer, tallies it; a problem fails with the request that caused it. */
async function send(family: string, r: FuzzRequest, target = app): Promise<SeenResponse> {
  const started = performance.now();
  let request: Request;
  try {
    request = new Request(`http://localhost${r.url}`, { method: r.method, headers: r.headers, body: r.body });
  } catch (error) {
    // the fuzzer built something no client can send (fetch refuses it): not the server's business
    tally(`${family} (unsendable)`, 0, 0);
    return { status: 0, contentType: '', body: String(error) };
  }
  const res = await withTimeout(Promise.resolve(target.fetch(request)), 10_000, shown(r));
  const seen = await seeResponse(res);
  const ms = performance.now() - started;
  tally(family, seen.status, ms);
  const problems = responseProblems(seen, () => sentForms(r.url, r.body ?? '', JSON.stringify(r.headers)), { head: r.method.toUpperCase() === 'HEAD' });
  if (problems.length > 0) expect.fail(`${problems.join('; ')}\n  for ${shown(r)}`);
  return seen;
}

// ---- requests built from the document ----

const operations = documentedOperations(openApiDocument());
const gets = operations.filter((op) => op.method === 'get');
const writes = operations.filter((op) => op.method !== 'get');

/** Values the document itself allows for a parameter: its example, enum, pattern, range, dates; random text when it says nothing. */
function validValue(parameter: DocumentedParameter): fc.Arbitrary<string> {
  const { schema } = parameter;
  const valid: fc.Arbitrary<string>[] = [];
  const example = exampleValue(parameter);
  if (example !== undefined) valid.push(fc.constant(example));
  if (schema.enum) valid.push(fc.constantFrom(...schema.enum.map(String)));
  if (schema.pattern) valid.push(fc.stringMatching(new RegExp(schema.pattern)));
  const type = schemaType(schema);
  const exampleNumber = Number(example);
  if (type === 'integer') {
    valid.push(fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 2 ** 31, 2 ** 53) }).map(String));
    if (Number.isSafeInteger(exampleNumber)) valid.push(fc.integer({ min: exampleNumber - 3, max: exampleNumber + 3 }).map(String));
  }
  if (type === 'number' && Number.isFinite(exampleNumber)) {
    valid.push(fc.double({ min: exampleNumber - 0.05, max: exampleNumber + 0.05, noNaN: true }).map(String));
  }
  if (type === 'boolean') valid.push(fc.constantFrom('true', 'false', '1', '0'));
  if (schema.format === 'date') valid.push(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
  return valid.length > 0 ? fc.oneof(...valid) : anyText;
}

/** Any value for a parameter: valid ones often (so the good paths run too), else hostile and random text around them. */
function parameterValue(parameter: DocumentedParameter): fc.Arbitrary<string> {
  const { schema } = parameter;
  const edges: fc.Arbitrary<string>[] = [hostileAround(validValue(parameter))];
  if (schemaType(schema) === 'number') edges.push(fc.double().map(String));
  if (schema.format === 'date') {
    edges.push(fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${y}-${m}-${d}`));
  }
  if (schema.maxLength !== undefined) edges.push(fc.string({ minLength: Math.max(0, schema.maxLength - 1), maxLength: schema.maxLength + 2 }));
  return fc.oneof({ weight: 2, arbitrary: validValue(parameter) }, { weight: 3, arbitrary: fc.oneof(...edges) });
}

const unknownParameter = fc.tuple(
  fc.oneof(fc.constantFrom('callback', 'format', 'debug', 'q', 'limit', 'at', '__proto__', 'constructor', 'toString', '', '[]', 'a[b]', 'x.y'), hostileString.filter((s) => s.length < 200)),
  fc.oneof(anyText, hostileString),
);

const methodFor = (op: DocumentedOperation): fc.Arbitrary<string> =>
  fc.oneof({ weight: 30, arbitrary: fc.constant(op.method.toUpperCase()) }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE', 'POST', 'PROPFIND', 'get') });

const headers = (op: DocumentedOperation): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    {
      'If-None-Match': fc.oneof(headerText, fc.constantFrom('*', '"x"', 'W/"x"', '"a", "b"')),
      // the MapLibre files are 1.5 MB: gzipping them 10,000 times is a benchmark, not a fuzz
      ...(op.path.startsWith('/assets/') ? {} : { 'Accept-Encoding': fc.oneof(headerText, fc.constantFrom('gzip', 'gzip;q=0', '*', 'br, gzip;q=abc', 'identity')) }),
      'X-Forwarded-Proto': fc.oneof(headerText, fc.constantFrom('https', 'http', 'ftp', 'javascript')),
      'X-Forwarded-Host': fc.oneof(headerText, fc.constantFrom('example.org', 'evil.example:99999', 'a/b', '[::1]')),
      'X-Forwarded-For': fc.oneof(headerText, fc.constantFrom('1.2.3.4', '::1, 10.0.0.1', 'unknown')),
      Authorization: fc.oneof(headerText, headerText.map((t) => `Bearer ${t}`)),
      Origin: fc.oneof(headerText, fc.constantFrom('null', 'https://example.org')),
      Accept: fc.oneof(headerText, fc.constantFrom('application/json', 'text/html', '*/*')),
    },
    { requiredKeys: [] },
  );

/** One request to `op`: every path parameter, query parameters present or not (sometimes twice), unknown ones, an encoding style. */
function requestFor(op: DocumentedOperation, body?: fc.Arbitrary<string | undefined>): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // half the requests break one parameter and keep the others valid, so each is reached past the others' checks
  const all = [...pathParams, ...queryParams];
  const oneBroken = all.map((p, i) => fc.tuple(fc.constant(i), hostileAround(validValue(p))));
  const values: fc.Arbitrary<string[]> =
    all.length === 0
      ? fc.constant([])
      : fc.oneof(
          fc.tuple(...all.map(parameterValue)),
          fc.tuple(fc.tuple(...all.map(validValue)), fc.oneof(...oneBroken)).map(([valid, [i, bad]]) => valid.map((v, k) => (k === i ? bad : v))),
        );
  return fc
    .record({
      values,
      present: fc.tuple(...queryParams.map((p) => fc.nat(9).map((n) => n < (p.required ? 9 : 4)))),
      repeat: fc.option(fc.tuple(fc.nat(), anyText), { freq: 10 }),
      unknown: fc.array(unknownParameter, { maxLength: 2 }),
      encoding: fc.constantFrom('encoded', 'encoded', 'encoded', 'loose', 'loose', 'raw'),
      method: methodFor(op),
      headers: fc.option(headers(op), { freq: 3 }).map((h) => h ?? {}),
      body: body ?? fc.constant(undefined),
    })
    .map(({ values: v, present, repeat, unknown, encoding, method, headers: h, body: b }) => {
      const path = v.slice(0, pathParams.length);
      const query = v.slice(pathParams.length).map((value, i) => (present[i] ? value : null));
      const encode = (text: string, where: 'path' | 'query'): string => (encoding === 'encoded' ? percentEncode(text) : encoding === 'loose' ? encodeLoosely(text, where) : text);
      let k = 0;
      const url = op.path.replace(/\{[^}]+\}/g, () => encode(path[k++] ?? '', 'path'));
      const pairs: [string, string][] = [];
      queryParams.forEach((p, i) => {
        const value = query[i];
        if (value !== null && value !== undefined) pairs.push([p.name, value]);
      });
      if (repeat && queryParams.length > 0) pairs.push([queryParams[repeat[0] % queryParams.length]!.name, repeat[1]]);
      pairs.push(...unknown);
      const search = pairs.map(([n, v]) => `${encode(n, 'query')}=${encode(v, 'query')}`).join('&');
      const withBody = b !== undefined && !['GET', 'HEAD', 'get'].includes(method);
      return {
        method,
        url: search === '' ? url : `${url}?${search}`,
        headers: withBody ? { 'Content-Type': 'application/json', ...h } : h,
        ...(withBody ? { body: b } : {}),
      };
    });
}

/**
 * Endpoint families, each fuzzed with `runs` requests spread over its endpoints: feature lookups,
 * geocoding, tiles, the change log, documents and assets; an endpoint documented later joins the
 * family of its path (or makes its own).
 */
function familyOf(op: DocumentedOperation): string {
  if (/^\/v1\/(areas|grids|components|houses|addresses)\/\{/.test(op.path)) return 'feature lookups';
  if (/^\/v1\/(reverse|geocode)$/.test(op.path)) return 'geocoding';
  if (op.path.startsWith('/tiles/')) return 'tiles';
  if (op.parameters.length === 0 || op.path.startsWith('/assets/')) return 'documents and assets';
  return op.path.split('/').slice(0, 3).join('/');
}
const families = new Map<string, DocumentedOperation[]>();
for (const op of gets) families.set(familyOf(op), [...(families.get(familyOf(op)) ?? []), op]);

describe('every documented GET endpoint under fuzzing', () => {
  for (const [family, ops] of families) {
    test.prop([fc.oneof(...ops.map((op) => requestFor(op)))], { numRuns: runs })(
      `GET ${family} (${ops.map((op) => op.path).join(', ')}): ${runs.toLocaleString('en')} requests, no 5xx, 4xx as problem+json without internals, JSON that parses`,
      async (r) => {
        await send(`GET ${family}`, r);
      },
      fuzzTimeoutMs(runs, 2),
    );
  }
});

describe('every documented write operation under fuzzing', () => {
  // the change watcher would rebuild the geocoders behind every accepted house or address write;
  // what is fuzzed here is the handlers, so it stops (the reads above are done)
  beforeAll(() => live.stop());

  // bodies are the document's example edited: with a valid key, without one, with a wrong one
  for (const op of writes) {
    const body = op.bodyExample === undefined ? fc.constant(undefined) : mutatedJson(op.bodyExample).map((v) => JSON.stringify(v) ?? 'null');
    const auth = fc.oneof(
      { weight: 6, arbitrary: fc.constant(`Bearer ${'<key>'}`) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) },
    );
    test.prop([requestFor(op, body), auth], { numRuns: writeRuns })(
      `${op.method.toUpperCase()} ${op.path}: ${writeRuns.toLocaleString('en')} requests, no 5xx`,
      async (r, authorization) => {
        const headers = { ...r.headers };
        if (authorization !== undefined) headers.Authorization = authorization.replace('<key>', secret);
        await send(`${op.method.toUpperCase()} ${op.path}`, { ...r, headers }, writeApp);
      },
      fuzzTimeoutMs(writeRuns, 20),
    );
  }
});

// ---- a share over a real loopback server ----

interface WireAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** One request over node:http to the running server; the path goes out as written (no normalisation of `..`). */
function overHttp(r: FuzzRequest): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: r.url, method: r.method.toUpperCase(), headers: r.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const contentType = res.headers['content-type'] ?? '';
        resolve({ status: res.statusCode ?? 0, contentType, body: bodyText(Buffer.concat(chunks), contentType, res.headers['content-encoding']).text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Raw bytes on a socket; the status of the answer, or 0 when the server closed without one. */
function overSocket(bytes: string | Buffer): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.on('close', () => {
      clearTimeout(timer);
      const head = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head: head.slice(0, 300) });
    });
  });
}

describe('the real server on 127.0.0.1', () => {
  test.prop([fc.oneof(...operations.map((op) => requestFor(op, op.bodyExample === undefined ? undefined : mutatedJson(op.bodyExample).map((v) => JSON.stringify(v) ?? 'null'))))], {
    numRuns: serverRuns,
  })(
    `${serverRuns.toLocaleString('en')} requests of every operation over a socket, paths sent as written`,
    async (r) => {
      // a request line carries bytes 0x21–0xff only: everything else is percent-encoded, `..` and `%2e` stay
      const url = requestTarget(r.url);
      const sent = { ...r, url, headers: Object.fromEntries(Object.entries(r.headers).filter(([, v]) => /^[\x20-\x7e]*$/.test(v))) };
      const started = performance.now();
      const answer = await withTimeout(overHttp(sent), 10_000, shown(sent));
      tally('real server', answer.status, performance.now() - started);
      const problems = responseProblems(answer, () => sentForms(sent.url, sent.body ?? ''), { parserRejections: true, head: sent.method.toUpperCase() === 'HEAD' });
      if (problems.length > 0) expect.fail(`${problems.join('; ')}\n  for ${shown(sent)}`);
    },
    fuzzTimeoutMs(serverRuns, 50),
  );

  it('answers malformed request lines with a 4xx or a close, and keeps serving', async () => {
    const port = () => server.port;
    const garbage: (string | Buffer)[] = [
      'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /assets/maplibre-gl/../../../package.json HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /assets/maplibre-gl/..%2f..%2f..%2fpackage.json HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /assets/maplibre-gl/%2e%2e%2f%2e%2e%2fpackage.json HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET http://127.0.0.1:${port()}/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n`,
      'GET http://evil.example/v1/areas/110101 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/areas/110101\0 HTTP/1.1\r\nHost: x\r\n\r\n',
      Buffer.from('GET /v1/geocode?q=\xff\xfe\xfd HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
      'GET /v1/areas/110101 HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n',
      'GET /v1/areas/110101 HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'POST /v1/reverse HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /v1/reverse HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
      `GET /v1/geocode?q=${'%E5%A4%9A'.repeat(5_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /v1/areas/110101 HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(3_000)}\r\n`,
      'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET /health\r\n\r\n',
      '\r\n\r\n\r\n',
      'GET /v1/reverse?lng=1&lat=2 HTTP/1.1\r\nHost: x',
    ];
    for (const bytes of garbage) {
      const { status, head } = await overSocket(bytes);
      tally('raw socket', status, 0);
      expect(status, `${JSON.stringify(String(bytes).slice(0, 120))} → ${head}`).toBeLessThan(500);
      expect(head).not.toMatch(/root:[^:\n]*:0:0:|"allowScripts"/);
    }
    expect((await overSocket('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });
});
