import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../auth/api-keys.js';
import { startLive, type LiveService } from '../live.js';
import type { Store } from '../store/store.js';
import {
  DEEP_JSON_DEPTH,
  HOSTILE_STRINGS,
  deepJson,
  documentedOperations,
  encodeLoosely,
  exampleValue,
  keepsShape,
  percentEncode,
  responseProblems,
  seeResponse,
  sentForms,
  violatesSchema,
  type DocumentedOperation,
  type DocumentedParameter,
  type HostileString,
  type SeenResponse,
} from '../test-helpers/fuzz.js';
import { createApp } from './app.js';
import { openApiDocument } from './openapi.js';
import { startServer, type RunningServer } from './serve.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';

// Injection and traversal attempts (issue 5): every hostile string of test-helpers/fuzz.ts in every
// path and query parameter of every documented operation, and in every string of every example
// body. None answers 5xx; none changes the data (store.contentDigest() before and after); none
// serves a file; a NUL byte or an out-of-range number where the document asks for a code, an
// integer, a number or a date is refused with a 4xx. Deeply nested JSON to every operation with a
// body answers 4xx, and the server keeps serving.

let district: TestDistrict;
let store: Store;
let live: LiveService;
let app: ReturnType<typeof createApp>;
let server: RunningServer;
let secret: string;

beforeAll(async () => {
  district = openTestDistrict('injection');
  store = district.store;
  live = startLive(store);
  // nothing here should write; should something slip through, the digest says so, and the index
  // refresh after it (a geocoder rebuild, ~1 s per house or address) is not what is tested
  live.stop();
  app = createApp({
    store,
    geocoders: live.geocoders,
    tiles: live.tiles,
    writes: { ...live.writes, afterWrite: async () => {} },
    rateLimit: 0,
  });
  secret = createApiKey(store, { name: 'injection', scope: '110101' }).secret;
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  live?.stop();
  district?.remove();
  for (const [what, n] of counts) console.log(`injection: ${n.toLocaleString('en')} requests: ${what}`);
});

const counts = new Map<string, number>();
const count = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);

const operations = documentedOperations(openApiDocument());
const label = (op: DocumentedOperation): string => `${op.method.toUpperCase()} ${op.path}`;

interface Attempt {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const shown = (a: Attempt): string =>
  `${a.method} ${JSON.stringify(a.url.length > 200 ? `${a.url.slice(0, 200)}…(${a.url.length})` : a.url)}` +
  (a.body === undefined ? '' : ` body ${JSON.stringify(a.body.slice(0, 200))}${a.body.length > 200 ? `…(${a.body.length})` : ''}`) +
  (a.headers.Authorization ? ` auth ${JSON.stringify(a.headers.Authorization.slice(0, 60))}` : '');

/**
 * Every failure of a test, so one run lists them all instead of stopping at the first; the test
 * fails at its end when the list is not empty.
 */
let failures: string[] = [];
const fail = (what: string, a: Attempt): void => void failures.push(`${what}\n    for ${shown(a)}`);
function expectNoFailures(): void {
  const listed = failures.slice(0, 40).join('\n  ');
  const more = failures.length > 40 ? `\n  … and ${failures.length - 40} more` : '';
  const found = failures.length;
  failures = [];
  if (found > 0) expect.fail(`${found} failures:\n  ${listed}${more}`);
}

/** In process; the answer after checking it: no 5xx, problem+json 4xx without internals, JSON that parses, no served file. */
async function attempt(a: Attempt): Promise<SeenResponse> {
  const res = await app.request(a.url, { method: a.method, headers: a.headers, body: a.body });
  const seen = await seeResponse(res);
  const problems = responseProblems(seen, () => sentForms(a.url, a.body ?? '', JSON.stringify(a.headers)), { head: a.method === 'HEAD' });
  if (problems.length > 0) fail(problems.join('; '), a);
  return seen;
}

/** Records a failure unless `status` is one of `expected`. */
function expectStatus(status: number, expected: readonly number[], what: string, a: Attempt): void {
  if (!expected.includes(status)) fail(`${what}: ${status}, expected ${expected.join(' or ')}`, a);
}

/** The request for `op` with every parameter at its documented example, `name` set to `value`, and the example body. */
function attemptFor(op: DocumentedOperation, hostile: { parameter: DocumentedParameter; value: string; encoding: 'encoded' | 'loose' } | null, auth: string | null): Attempt {
  const valueOf = (p: DocumentedParameter): string | undefined => (hostile?.parameter === p ? hostile.value : exampleValue(p));
  const encode = (text: string, where: 'path' | 'query'): string => (hostile?.encoding === 'loose' ? encodeLoosely(text, where) : percentEncode(text));
  const url = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const p = op.parameters.find((q) => q.in === 'path' && q.name === name);
    return encode((p && valueOf(p)) ?? '1', 'path');
  });
  const query = op.parameters
    .filter((p) => p.in === 'query' && (p.required || hostile?.parameter === p))
    .map((p) => `${encode(p.name, 'query')}=${encode(valueOf(p) ?? '', 'query')}`)
    .join('&');
  const headers: Record<string, string> = {};
  if (auth !== null) headers.Authorization = auth;
  const body = op.body === null ? undefined : JSON.stringify(op.bodyExample ?? {});
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return { method: op.method.toUpperCase(), url: query === '' ? url : `${url}?${query}`, headers, ...(body === undefined ? {} : { body }) };
}

const LOOSE_TOO = new Set<HostileString['kind']>(['sql', 'traversal', 'markup', 'prototype']);

/** Kinds whose strings can never be a valid code, integer, number or date: where the document asks for one, they must be refused. */
const MUST_REFUSE = new Set<HostileString['kind']>(['nul', 'number']);

function checkRefused(seen: SeenResponse, parameter: DocumentedParameter, hostile: HostileString, a: Attempt): void {
  const typed = parameter.schema.pattern !== undefined || parameter.schema.enum !== undefined || parameter.schema.format === 'date' || ['integer', 'number'].includes(String(parameter.schema.type));
  // surrounding spaces are forgiven (numberParam trims): ' 1 ' is 1, harmlessly
  if (!MUST_REFUSE.has(hostile.kind) || !typed || !violatesSchema(hostile.value.trim(), parameter.schema)) return;
  if (seen.status < 400) fail(`${hostile.label} in ${parameter.in} parameter ${parameter.name} was accepted (${seen.status}); the document says ${JSON.stringify(parameter.schema)}`, a);
}

describe('hostile strings in every parameter of every documented operation', () => {
  it('never answers 5xx, never serves a file, refuses NUL bytes and bad numbers where a code, integer, number or date is documented, and changes nothing', async () => {
    const before = store.contentDigest();
    for (const op of operations) {
      // unauthenticated, and with the valid key: a hostile parameter must not reach past its own check into the data
      for (const auth of op.method === 'get' ? [null] : [null, `Bearer ${secret}`]) {
        for (const parameter of op.parameters.filter((p) => p.in === 'path' || p.in === 'query')) {
          for (const hostile of HOSTILE_STRINGS) {
            // percent-encoded always; as written too where raw characters change the attack (`../`, quotes, markup)
            for (const encoding of LOOSE_TOO.has(hostile.kind) ? (['encoded', 'loose'] as const) : (['encoded'] as const)) {
              const a = attemptFor(op, { parameter, value: hostile.value, encoding }, auth);
              const seen = await attempt(a);
              count(`${label(op)} ${parameter.in} ${parameter.name}${auth ? ' (with a key)' : ''}`);
              if (!keepsShape(a.url, op.path)) continue;
              if (auth === null && op.secured) expectStatus(seen.status, [401], 'a write without a key', a);
              else if (auth !== null && seen.status < 300) fail(`a write went through with ${hostile.label} in ${parameter.name}: ${seen.status}`, a);
              else checkRefused(seen, parameter, hostile, a);
            }
          }
        }
      }
    }
    if (store.contentDigest() !== before) failures.push('hostile parameters changed the data (store.contentDigest() differs)');
    expectNoFailures();
  });

  it('a hostile API key never authenticates, and changes nothing', async () => {
    const before = store.contentDigest();
    const headerSafe = HOSTILE_STRINGS.filter((h) => /^[\x20-\x7e]*$/.test(h.value) && h.value.length < 8_000);
    // every secured operation gets every hostile key; the first also the bare and wg_-prefixed forms
    for (const [k, op] of operations.filter((o) => o.secured).entries()) {
      for (const hostile of headerSafe) {
        for (const auth of k === 0 ? [`Bearer ${hostile.value}`, `Bearer wg_${hostile.value}`, hostile.value] : [`Bearer ${hostile.value}`]) {
          const a = attemptFor(op, null, auth);
          const seen = await attempt(a);
          count(`${label(op)} Authorization`);
          expectStatus(seen.status, [401], 'a hostile key', a);
        }
      }
    }
    if (store.contentDigest() !== before) failures.push('hostile API keys changed the data (store.contentDigest() differs)');
    expectNoFailures();
  });

  it('hostile strings in every string of every example body: no 5xx, and without a key no change', async () => {
    const before = store.contentDigest();
    for (const op of operations.filter((o) => o.bodyExample !== undefined)) {
      const paths = stringPaths(op.bodyExample);
      for (const path of paths) {
        for (const hostile of HOSTILE_STRINGS) {
          const a = attemptFor(op, null, null);
          a.body = JSON.stringify(setAt(op.bodyExample, path, hostile.value));
          const seen = await attempt(a);
          count(`${label(op)} body ${path.join('.') || '(root)'}`);
          // the open endpoints (POST /v1/reverse, /v1/geocode) answer; the writes want a key first
          if (op.secured) expectStatus(seen.status, [401], 'a write without a key', a);
        }
      }
    }
    if (store.contentDigest() !== before) failures.push('hostile body strings changed the data (store.contentDigest() differs)');
    expectNoFailures();
  });
});

/** Paths to every string in a JSON value, and to the first element of every array of strings. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.slice(0, 1).flatMap((v, i) => stringPaths(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path.at(-1)!] = replacement;
  return copy;
}

// ---- deeply nested JSON ----

/** Deep bodies: arrays and objects 10,000 deep, 100,000 deep, and each top-level member of the document's schema holding one. */
function deepBodies(op: DocumentedOperation): { label: string; body: string }[] {
  const deep = deepJson(DEEP_JSON_DEPTH);
  const bodies = [
    { label: `[…] ${DEEP_JSON_DEPTH} deep`, body: deep },
    { label: `{"a":…} ${DEEP_JSON_DEPTH} deep`, body: deepJson(DEEP_JSON_DEPTH, 'object') },
    { label: '[…] 100,000 deep', body: deepJson(100_000) },
    { label: '{"a":…} 100,000 deep', body: deepJson(100_000, 'object') },
  ];
  for (const member of Object.keys(op.body?.properties ?? {})) {
    bodies.push({ label: `{"${member}": […] ${DEEP_JSON_DEPTH} deep}`, body: `{"${member}":${deep}}` });
    bodies.push({ label: `{"${member}": [[…] ${DEEP_JSON_DEPTH} deep]}`, body: `{"${member}":[${deep}]}` });
  }
  if (op.bodyExample !== undefined && typeof op.bodyExample === 'object' && op.bodyExample !== null) {
    // the valid example with one member replaced, so the other members' checks pass first
    for (const member of Object.keys(op.bodyExample)) {
      bodies.push({ label: `example with ${member} ${DEEP_JSON_DEPTH} deep`, body: JSON.stringify({ ...op.bodyExample, [member]: '\u0000DEEP\u0000' }).replace('"\\u0000DEEP\\u0000"', deep) });
    }
  }
  return bodies;
}

function overHttp(a: Attempt): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: a.url, method: a.method, headers: a.headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(a.body);
  });
}

describe('deeply nested JSON to every operation with a body', () => {
  const withBody = operations.filter((op) => op.body !== null);

  it('lists the operations with a body from the document (POST /v1/reverse, POST /v1/geocode and the writes)', () => {
    expect(withBody.map(label)).toEqual(expect.arrayContaining(['POST /v1/reverse', 'POST /v1/geocode']));
  });

  it('answers 4xx (400/413 where no key is needed, 401 without one where it is), never 5xx, and the server keeps serving', async () => {
    const accepted: string[] = [];
    for (const op of withBody) {
      for (const auth of op.secured ? [null, `Bearer ${secret}`] : [null]) {
        for (const { label: shape, body } of deepBodies(op)) {
          const a = { ...attemptFor(op, null, auth), body };
          const seen = await attempt(a);
          count(`${label(op)} deep body${auth ? ' (with a key)' : ''}`);
          if (!op.secured) expectStatus(seen.status, [400, 413], shape, a);
          else if (auth === null) expectStatus(seen.status, [401], `${shape} without a key`, a);
          // with a key, a write may ignore a member it does not read; listed, not failed
          else if (seen.status < 400) accepted.push(`${label(op)} ${shape} → ${seen.status}`);
        }
      }
    }
    if (accepted.length > 0) console.log(`injection: deep bodies a write accepted:\n  ${accepted.join('\n  ')}`);
    expect((await app.request('/health')).status).toBe(200);
    expectNoFailures();
  });

  it('the same over a real 127.0.0.1 server, plus a body over the size limit; GET /health is 200 after each', async () => {
    const tooBig = deepJson(9 * 2 ** 20); // 18 MiB, over the 16 MiB limit
    for (const op of withBody) {
      const bodies = [...deepBodies(op).slice(0, 4).map((b) => b.body), tooBig];
      for (const body of bodies) {
        const a = { ...attemptFor(op, null, `Bearer ${secret}`), body };
        const { status } = await overHttp(a);
        count(`${label(op)} deep body over a socket`);
        expect(status, `${label(op)} with a ${body.length.toLocaleString('en')}-byte body`).toBeGreaterThanOrEqual(400);
        expect(status, `${label(op)} with a ${body.length.toLocaleString('en')}-byte body`).toBeLessThan(500);
        expect((await overHttp({ method: 'GET', url: '/health', headers: {} })).status).toBe(200);
      }
    }
  });
});
