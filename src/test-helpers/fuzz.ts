// Shared pieces of the fuzz suites (*.fuzz.test.ts, http/injection.test.ts): how many cases to
// run, hostile strings every parser and endpoint must survive, and generators built on them.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { fc } from '@fast-check/vitest';

/** Cases per fuzz property in CI; `npm run fuzz` raises it through $WANGGE_FUZZ_RUNS. */
export const DEFAULT_FUZZ_RUNS = 10_000;

/**
 * How many cases a fuzz property runs: `ci` (10,000 by default), scaled by
 * $WANGGE_FUZZ_RUNS / 10,000 when that is set (`npm run fuzz` sets 200,000, so every count is ×20).
 * @example fuzzRuns() // 10_000 in CI, 200_000 under npm run fuzz
 * @example fuzzRuns(200) // 200 in CI, 4_000 under npm run fuzz
 */
export function fuzzRuns(ci = DEFAULT_FUZZ_RUNS): number {
  const wanted = Number(process.env.WANGGE_FUZZ_RUNS);
  if (!Number.isSafeInteger(wanted) || wanted <= 0) return ci;
  return Math.max(1, Math.round((ci * wanted) / DEFAULT_FUZZ_RUNS));
}

/** A test timeout for `runs` cases of about `msPerRun` each, never below vitest's configured 60 s. */
export function fuzzTimeoutMs(runs: number, msPerRun: number): number {
  return Math.max(60_000, Math.ceil(runs * msPerRun * 3));
}

/** What a hostile string tries. */
export type HostileKind = 'sql' | 'traversal' | 'nul' | 'unicode' | 'long' | 'number' | 'json' | 'markup' | 'prototype' | 'blank';

/** One hostile input, with a short label for failure messages (the value may be 20 kB). */
export interface HostileString {
  kind: HostileKind;
  label: string;
  value: string;
}

/** Nesting depth of the deep JSON inputs: deep enough to overflow a naive recursive walk. */
export const DEEP_JSON_DEPTH = 10_000;

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels, as JSON text. */
export function deepJson(depth: number, shape: 'array' | 'object' = 'array'): string {
  return shape === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const hostile = (kind: HostileKind, values: readonly string[]): HostileString[] =>
  values.map((value) => ({ kind, label: `${kind} ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…(${value.length})` : value)}`, value }));

/**
 * Strings every string parameter must refuse or treat as plain text: SQL fragments, path
 * traversal (plain and percent-encoded), NUL bytes, broken Unicode, 10 kB strings, numbers no
 * parser should take at face value, 10,000-deep JSON, markup and prototype keys.
 */
export const HOSTILE_STRINGS: readonly HostileString[] = [
  ...hostile('sql', [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE components; --",
    '"; DROP TABLE components; --',
    '1; DELETE FROM houses',
    "110101' UNION SELECT sql, name FROM sqlite_master --",
    "1101010101000001'; UPDATE components SET status = '废弃'; --",
    "1' AND (SELECT count(*) FROM sqlite_master) > 0 --",
    "'); ATTACH DATABASE '/tmp/wangge-fuzz-attached.db' AS x; --",
    "' || load_extension('/tmp/x') || '",
    '%27%20OR%201%3D1%20--',
    '%',
    '_',
    '*',
    '110101%',
    '?1',
    ':code',
    '@code',
    '$1',
  ]),
  ...hostile('traversal', [
    '../../etc/passwd',
    '../../../../../../../../etc/passwd',
    '..%2f..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '%2e%2e/%2e%2e/package.json',
    '%252e%252e%252fetc%252fpasswd',
    '..%c0%af..%c0%afetc%c0%afpasswd',
    '..\\..\\..\\windows\\win.ini',
    '....//....//etc/passwd',
    '/etc/passwd',
    'file:///etc/passwd',
    '../../package.json',
    '../../../package.json',
    '../../node_modules/maplibre-gl/package.json',
    '../dist/maplibre-gl.mjs/../../../../package.json',
    '../../../../etc/passwd%00.json',
    '..',
    '.',
    '/',
    '//',
    '~/.ssh/id_rsa',
    '\\\\server\\share',
  ]),
  ...hostile('nul', ['\0', '110101\0', '110101001001001\0', '\0../../etc/passwd', 'a\0b', '%00', '110101%00', '1\u0000\u0000\u0000']),
  ...hostile('unicode', [
    '\ud800',
    '\udfff',
    'a\ud800b',
    '\udc00\ud800',
    '110101\ud800',
    '\u202e110101',
    '\u200f\u200e\u200f',
    '\ufeff110101',
    '\u200b',
    '\u2028\u2029',
    '\u0085',
    '١١٠١٠١',
    '𝟏𝟏𝟎𝟏𝟎𝟏',
    'Ⅻ',
    'e\u0301',
    'a' + '\u0301'.repeat(1_000),
    '🏠🏡',
    '\uffff\ufffe',
    '\u3000多福巷\u3000',
  ]),
  ...hostile('long', [
    '1'.repeat(10_240),
    'A'.repeat(10_240),
    '北'.repeat(4_000),
    '多福巷12号'.repeat(1_000),
    '%'.repeat(10_240),
    '../'.repeat(3_414),
    '1101010010010011'.repeat(640),
  ]),
  ...hostile('number', [
    '1e309',
    '-1e309',
    '1e-400',
    '-0',
    '+0',
    '0x10',
    '0b1',
    '0o7',
    '９９',
    '１１０１０１',
    'NaN',
    'Infinity',
    '-Infinity',
    '9007199254740993',
    '99999999999999999999999999',
    '1'.repeat(400),
    '-1',
    '0',
    '00',
    '1.0',
    '1.',
    '.5',
    '1_000',
    '1,000',
    ' 1 ',
    '1e2',
    '4294967296',
    '-2147483649',
    '1.7976931348623157e308',
    '5e-324',
    '116.4135e0',
  ]),
  ...hostile('json', [
    deepJson(DEEP_JSON_DEPTH, 'array'),
    deepJson(DEEP_JSON_DEPTH, 'object'),
    '['.repeat(1_000),
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{}',
    '[]',
    'null',
    'true',
  ]),
  ...hostile('markup', [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '${7*7}',
    '{{7*7}}',
    '%s%s%s%n',
    '`id`',
    '$(id)',
    '| cat /etc/passwd',
    'a\r\nX-Injected: 1',
    '\r\n\r\nHTTP/1.1 200 OK\r\n',
  ]),
  ...hostile('prototype', ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']),
  ...hostile('blank', ['', ' ', '\t', '\n', '\u3000', '\u00a0']),
];

/** The hostile strings of one kind. */
export const hostileOf = (kind: HostileKind): HostileString[] => HOSTILE_STRINGS.filter((h) => h.kind === kind);

/** One of the hostile strings. */
export const hostileString: fc.Arbitrary<string> = fc.constantFrom(...HOSTILE_STRINGS.map((h) => h.value));

/** One of the hostile strings up to 1,000 characters: for properties where a 10 kB input costs more than it finds. */
export const shortHostileString: fc.Arbitrary<string> = fc.constantFrom(...HOSTILE_STRINGS.filter((h) => h.value.length <= 1_000).map((h) => h.value));

/** A short hostile fragment to splice into otherwise good input (no 10 kB strings). */
export const hostileFragment: fc.Arbitrary<string> = fc.constantFrom(
  ...HOSTILE_STRINGS.filter((h) => h.value.length <= 64).map((h) => h.value),
  '\0',
  '\ud800',
  '%',
  '-',
  ' ',
  '０',
  '一',
  '号',
);

/** Strings that look like numbers to one parser or another: exponents, signs, hex, full-width, huge, tiny. */
export const numericString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileOf('number').map((h) => h.value)),
  fc.double().map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -400, max: 400 })).map(([m, e]) => `${m}e${e}`),
  fc.nat().map((n) => `0x${n.toString(16)}`),
  fc.nat({ max: 999_999 }).map((n) => String(n).replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))),
  fc.tuple(fc.constantFrom('', '+', '-', ' ', '00', '\t'), fc.nat(), fc.constantFrom('', ' ', '.', '.0', 'e', 'px')).map(([a, n, b]) => `${a}${n}${b}`),
);

/** Any text: ASCII, full Unicode (lone surrogates included), graphemes. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** `valid` edited once: a hostile fragment inserted, a character dropped or replaced, truncated, doubled. */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom('insert', 'replace', 'drop', 'truncate', 'double', 'prefix', 'suffix'), hostileFragment)
    .map(([text, at, op, fragment]) => {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      switch (op) {
        case 'insert':
          return text.slice(0, i) + fragment + text.slice(i);
        case 'replace':
          return text.slice(0, i) + fragment + text.slice(i + 1);
        case 'drop':
          return text.slice(0, i) + text.slice(i + 1);
        case 'truncate':
          return text.slice(0, i);
        case 'double':
          return text + text;
        case 'prefix':
          return fragment + text;
        default:
          return text + fragment;
      }
    });
}

/**
 * Mostly hostile text around a valid value: the valid value itself now and then (so the good path
 * is exercised too), edits of it, hostile strings (`hostile`, all of them by default), numeric
 * strings and random text.
 */
export function hostileAround(valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string> = hostileString): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 4, arbitrary: mutated(valid) },
    { weight: 3, arbitrary: hostile },
    { weight: 2, arbitrary: numericString },
    { weight: 3, arbitrary: anyText },
  );
}

/** Text a client could put in a header value (visible ASCII and spaces; no CR, LF or NUL). */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom(...HOSTILE_STRINGS.map((h) => h.value).filter((v) => /^[\x20-\x7e]{0,200}$/.test(v))),
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** WTF-8 bytes of a lone surrogate, percent-encoded: what encodeURIComponent refuses to write. */
const encodeSurrogate = (s: string): string => {
  const code = s.charCodeAt(0);
  return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
};

/** Percent-encodes every character but RFC 3986 unreserved ones; lone surrogates go out as the raw bytes a hostile client would send. */
export function percentEncode(text: string): string {
  let out = '';
  let from = 0;
  for (const match of text.matchAll(LONE_SURROGATE)) {
    out += encodeURIComponent(text.slice(from, match.index)) + encodeSurrogate(match[0]);
    from = match.index + 1;
  }
  out += encodeURIComponent(text.slice(from));
  return out.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A request target as a careless client writes it: printable ASCII as it is (`..`, `%2e`, `'`, `\\`), the rest percent-encoded. */
export function requestTarget(url: string): string {
  let out = '';
  for (const ch of url) out += ch >= '!' && ch <= '~' && ch !== '#' ? ch : percentEncode(ch);
  return out;
}

/**
 * Leaves printable ASCII as it is (`../`, `%2e`, `'`) and percent-encodes the rest, as a careless
 * or hostile client writes a URL; in a query value `&`, `=`, `+` and `#` are encoded too.
 */
export function encodeLoosely(text: string, where: 'path' | 'query'): string {
  const reserved = where === 'path' ? '#?' : '#?&=+';
  let out = '';
  for (const ch of text) out += ch >= '!' && ch <= '~' && !reserved.includes(ch) ? ch : percentEncode(ch);
  return out;
}

/** A JSON Schema as the OpenAPI document writes it (only the members the fuzzers read). */
export interface FuzzSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  items?: FuzzSchema;
  properties?: Record<string, FuzzSchema>;
  required?: string[];
  $ref?: string;
}

/** A path or query parameter of a documented operation, $refs resolved. */
export interface DocumentedParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: FuzzSchema;
  example?: unknown;
}

/** One operation of the OpenAPI document: method, path template, parameters and JSON body schema. */
export interface DocumentedOperation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  path: string;
  operationId: string;
  parameters: DocumentedParameter[];
  /** the application/json request body schema, or null when the operation takes no body */
  body: FuzzSchema | null;
  /** the document's example body, when it gives one */
  bodyExample?: unknown;
  /** the operation lists a security requirement (an API key): without one it answers 401 */
  secured: boolean;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of an OpenAPI 3.1 document, with path-level parameters merged in and `#/…` $refs resolved. */
/**
 * Whether a security requirement list asks for a key: it lists one, and no alternative is empty
 * (`{}` in the list means the operation may be called without one — OpenAPI 3.1 §4.8.30).
 */
function requiresKey(security: unknown): boolean {
  return Array.isArray(security) && security.length > 0 && security.every((requirement) => isRecord(requirement) && Object.keys(requirement).length > 0);
}

export function documentedOperations(doc: { paths: Record<string, object>; security?: unknown[] }): DocumentedOperation[] {
  const resolve = <T>(value: T): T => {
    let current: unknown = value;
    for (let hops = 0; hops < 10 && isRecord(current) && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); hops++) {
      current = current.$ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (isRecord(node) ? node[key.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined), doc);
    }
    return (current ?? value) as T;
  };
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const pathItem = item as Record<string, unknown>;
    const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (!isRecord(operation)) continue;
      const byKey = new Map<string, DocumentedParameter>();
      for (const raw of [...shared, ...(Array.isArray(operation.parameters) ? operation.parameters : [])]) {
        const p = resolve(raw) as Record<string, unknown>;
        const schema = resolve((p.schema ?? {}) as FuzzSchema);
        const parameter: DocumentedParameter = {
          name: String(p.name),
          in: p.in as DocumentedParameter['in'],
          required: p.required === true || p.in === 'path',
          schema,
          example: p.example ?? schema.example ?? schema.examples?.[0],
        };
        byKey.set(`${parameter.in} ${parameter.name}`, parameter);
      }
      // a path parameter the template names but the document forgot still gets fuzzed
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        if (!byKey.has(`path ${name}`)) byKey.set(`path ${name!}`, { name: name!, in: 'path', required: true, schema: { type: 'string' } });
      }
      const body = resolve(operation.requestBody) as Record<string, unknown> | undefined;
      const json = isRecord(body?.content) ? (body.content as Record<string, { schema?: FuzzSchema; example?: unknown }>)['application/json'] : undefined;
      operations.push({
        method,
        path,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : `${method} ${path}`,
        parameters: [...byKey.values()],
        body: json ? resolveDeep(json.schema ?? {}, resolve) : null,
        ...(json?.example === undefined ? {} : { bodyExample: json.example }),
        secured: requiresKey(Array.isArray(operation.security) ? operation.security : doc.security),
      });
    }
  }
  return operations;
}

function resolveDeep(schema: FuzzSchema, resolve: <T>(value: T) => T, depth = 0): FuzzSchema {
  const s = resolve(schema);
  if (depth > 6 || !isRecord(s)) return s;
  const out: FuzzSchema = { ...s };
  if (s.items) out.items = resolveDeep(s.items, resolve, depth + 1);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolveDeep(v, resolve, depth + 1)]));
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The schema's type when it names one besides null (`['string', 'null']` → 'string'). */
export function schemaType(schema: FuzzSchema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : schema.type ? [schema.type] : [];
  return types[0] ?? (schema.enum ? 'string' : undefined);
}

/**
 * True when a URL's path still has the template's shape: as many segments (`\\` counts as `/`),
 * none of them a dot segment the URL parser would fold (`..`, `%2e%2e`). Otherwise a hostile path parameter has
 * routed the request elsewhere, and any route's answer (404, 405) is fair.
 */
export function keepsShape(url: string, template: string): boolean {
  // the URL parser reads a backslash in an http path as a slash
  const segments = url.split('?')[0]!.split(/[/\\]/);
  if (segments.length !== template.split('/').length) return false;
  return !segments.some((s, i) => (i > 0 && s === '') || /^(\.|%2e){1,2}$/i.test(s));
}

/** A value the document itself offers for a parameter: its example, default or first enum member, as text. */
export function exampleValue(parameter: Pick<DocumentedParameter, 'schema' | 'example'>): string | undefined {
  const { schema } = parameter;
  const value = parameter.example ?? schema.default ?? schema.enum?.[0] ?? schema.const;
  if (value !== undefined) return String(value);
  if (schema.format === 'date') return '2026-06-01';
  const type = schemaType(schema);
  if (type === 'integer' || type === 'number') return String(Math.max(1, schema.minimum ?? 1));
  return undefined;
}

/** True when `value` breaks the parameter's documented schema (pattern, enum, integer, number, date, length). */
export function violatesSchema(value: string, schema: FuzzSchema): boolean {
  if (schema.enum && !schema.enum.map(String).includes(value)) return true;
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return true;
  if (schema.format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return true;
  const type = schemaType(schema);
  if (type === 'integer' && !/^-?\d+$/.test(value)) return true;
  if (type === 'number' && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return true;
  if ((type === 'integer' || type === 'number') && (schema.minimum !== undefined || schema.maximum !== undefined)) {
    const n = Number(value);
    if (!Number.isFinite(n) || (schema.minimum !== undefined && n < schema.minimum) || (schema.maximum !== undefined && n > schema.maximum)) return true;
  }
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return true;
  if (schema.minLength !== undefined && [...value].length < schema.minLength) return true;
  return false;
}

/** An answer as the fuzzers see it: status, content type and the body read as text (latin1 for binary). */
export interface SeenResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Bodies longer than this are checked on their first part only (the MapLibre bundle is 1.5 MB). */
const MAX_CHECKED_BODY = 256 * 1024;

/**
 * A body as `responseProblems` reads it: JSON decompressed (brotli or gzip, as the fuzzed
 * Accept-Encoding took: compression.ts) and read as UTF-8 like other text; binary bodies (tiles,
 * gzip assets) as latin1.
 */
export function bodyText(bytes: Buffer, contentType: string, contentEncoding: string | null | undefined): { bytes: Buffer; text: string } {
  // a HEAD answer names the coding of the GET's body but has none
  const decodable = bytes.length > 0 && /json/.test(contentType) && (contentEncoding === 'br' || contentEncoding === 'gzip');
  const decoded = decodable ? (contentEncoding === 'br' ? brotliDecompressSync(bytes) : gunzipSync(bytes)) : bytes;
  const textual = /json|text|javascript|css|html/.test(contentType) && (contentEncoding == null || decodable);
  return { bytes: decoded, text: decoded.toString(textual ? 'utf8' : 'latin1') };
}

/** Reads a Response for `responseProblems`; binary bodies (tiles, gzip) are read as latin1. */
export async function seeResponse(res: Response): Promise<SeenResponse> {
  const contentType = res.headers.get('content-type') ?? '';
  const { bytes, text } = bodyText(Buffer.from(await res.arrayBuffer()), contentType, res.headers.get('content-encoding'));
  if (bytes.length > MAX_CHECKED_BODY && !/json/.test(contentType)) return { status: res.status, contentType, body: bytes.subarray(0, MAX_CHECKED_BODY).toString('latin1') };
  return { status: res.status, contentType, body: text };
}

/** Signs of server internals in an error detail: a stack frame, a source file, the checkout or the temp folder. */
export const LEAK_MARKERS: readonly (string | RegExp)[] = ['/work', 'node_modules', '.ts:', '.js:', /\n\s+at /, /\bat .+:\d+:\d+/, process.cwd(), 'SqliteError', 'SQLITE_'];

/** Signs that a file was served: /etc/passwd lines, this package's package.json. */
export const FILE_MARKERS: readonly RegExp[] = [/root:[^:\n]*:0:0:/, /"allowScripts"\s*:/, /"prepare"\s*:\s*"npm run build"/];

/**
 * What is wrong with an answer: a 5xx; a 4xx that is not problem+json with a non-empty detail
 * free of stack traces and paths (unless the request itself carried them); JSON that does not
 * parse; a body on 204 / 304; a served file. `sent` is every form of the request text
 * (raw and decoded), so echoed input is not mistaken for a leak.
 */
export function responseProblems(res: SeenResponse, sentText: string | (() => string), options: { parserRejections?: boolean; head?: boolean } = {}): string[] {
  const problems: string[] = [];
  const { status, contentType, body } = res;
  // what was sent is only needed when a marker shows up, so it is built then
  let sentCache: string | undefined;
  const sent = (): string => (sentCache ??= typeof sentText === 'string' ? sentText : sentText());
  const inSent = (marker: string | RegExp): boolean => (typeof marker === 'string' ? sent().includes(marker) : marker.test(sent()));
  if (status >= 500) problems.push(`status ${status}: ${body.slice(0, 300)}`);
  for (const marker of FILE_MARKERS) if (marker.test(body) && !inSent(marker)) problems.push(`body looks like a served file (${marker})`);
  if (status === 204 || status === 304 || options.head) {
    if (body !== '') problems.push(`${options.head ? 'HEAD' : `status ${status}`} with a body`);
    return problems;
  }
  // Node's HTTP parser and @hono/node-server answer malformed requests themselves (an empty 400,
  // 414, 431), before the app sees them; a backslash in the path is one such
  if (options.parserRejections && status >= 400 && status < 500 && body === '' && (contentType === '' || contentType.startsWith('text/plain'))) return problems;
  const isJson = /json/.test(contentType);
  let parsed: unknown;
  if (isJson) {
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      problems.push(`${contentType} body is not JSON (${(error as Error).message}): ${body.slice(0, 120)}`);
    }
  }
  if (status >= 400) {
    if (!contentType.startsWith('application/problem+json')) problems.push(`status ${status} answered as ${contentType || 'no content type'}`);
    const problem = isRecord(parsed) ? parsed : {};
    const detail = problem.detail;
    if (typeof detail !== 'string' || detail.trim() === '') problems.push(`status ${status} without a detail`);
    else {
      for (const marker of LEAK_MARKERS) {
        const inDetail = typeof marker === 'string' ? detail.includes(marker) : marker.test(detail);
        if (inDetail && !inSent(marker)) problems.push(`detail leaks ${String(marker)}: ${detail.slice(0, 300)}`);
      }
    }
    if (problem.status !== undefined && problem.status !== status) problems.push(`problem status ${String(problem.status)} ≠ HTTP ${status}`);
  }
  return problems;
}

/** Every reading of a request text a server might echo: raw, and percent-decoded once and twice. */
export function sentForms(...parts: string[]): string {
  const forms: string[] = [];
  for (const part of parts) {
    forms.push(part);
    let decoded = part;
    for (let k = 0; k < 2; k++) {
      try {
        decoded = decodeURIComponent(decoded.replaceAll('+', ' '));
      } catch {
        decoded = decoded.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      }
      forms.push(decoded);
    }
  }
  return forms.join('\n');
}

/** Values no JSON field expects: hostile strings, odd numbers, wrong types, deep nesting. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: numericString },
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e21, {}, [], [null], JSON.parse('{"__proto__":{"polluted":1}}') as unknown, '', ' ') },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }).map((depth) => JSON.parse(deepJson(depth)) as unknown) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

type JsonPath = (string | number)[];

function jsonPaths(value: unknown, path: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(path);
  if (Array.isArray(value)) value.slice(0, 20).forEach((v, i) => jsonPaths(v, [...path, i], out));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) jsonPaths(v, [...path, k], out);
  return out;
}

/** A JSON body derived from a valid example: leaves set to hostile values, members dropped or added, arrays grown, whole body replaced. */
export function mutatedJson(example: unknown): fc.Arbitrary<unknown> {
  const paths = jsonPaths(example);
  const edit = fc.record({
    path: fc.constantFrom(...paths),
    op: fc.constantFrom('set', 'set', 'set', 'delete', 'add', 'grow'),
    value: hostileJsonValue,
    key: fc.oneof(hostileString.filter((s) => s.length < 100), fc.constantFrom('__proto__', 'constructor', 'type', 'id', 'code')),
  });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(example) },
    {
      weight: 8,
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
        let root: unknown = structuredClone(example);
        let grown = false;
        for (const edit of edits) {
          const { path, op, key } = edit;
          // a copy: fc.constantFrom hands out the same {} and [] every time, and an edit that added
          // to one would change it for later runs (and could make it contain itself)
          const value = structuredClone(edit.value);
          if (path.length === 0) {
            if (op === 'set') root = value;
            continue;
          }
          let parent: unknown = root;
          for (const step of path.slice(0, -1)) parent = isRecord(parent) || Array.isArray(parent) ? (parent as Record<string | number, unknown>)[step] : undefined;
          const last = path.at(-1)!;
          if (!isRecord(parent) && !Array.isArray(parent)) continue;
          const container = parent as Record<string | number, unknown>;
          if (op === 'set') Object.defineProperty(container, last, { value, enumerable: true, writable: true, configurable: true });
          else if (op === 'delete') delete container[last];
          else if (op === 'add' && isRecord(parent)) Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
          else if (op === 'grow' && Array.isArray(container[last]) && !grown) {
            const item = (container[last] as unknown[])[0] ?? value;
            // one array per body, to a thousand small items or ten large ones: a body stays within a few MB
            container[last] = Array.from({ length: (JSON.stringify(item)?.length ?? 0) < 1_000 ? 1_000 : 10 }, () => item);
            grown = true;
          }
        }
        return root;
      }),
    },
    { weight: 1, arbitrary: hostileJsonValue },
  );
}
