import type { Context, MiddlewareHandler } from 'hono';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { CodeError, showInput } from '../codes/code-error.js';
import { decodeAdminCode, decodeComponentCode, decodeSocialGridCode, parseGridCode } from '../codes/index.js';
import { InvalidRequestError, NotFoundError, TooLargeError } from '../errors.js';
import { bodyCheckThread, OFF_THREAD_BYTES, packPositions } from './body-check-thread.js';
import { openApiDocument, type OpenApiDocument } from './openapi.js';
import { readRequestBytes } from './request-bytes.js';

/**
 * What `validated` leaves on the context for the handler: path and query parameters converted to
 * their schema types with defaults filled in, and the parsed JSON body (defaults filled in too).
 */
export interface ValidInput {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  /** undefined when the operation takes no body */
  body: unknown;
}

declare module 'hono' {
  interface ContextVariableMap {
    valid: ValidInput;
  }
}

/**
 * Middleware that checks a request against the parameters and request body `openapi.ts` documents
 * for `operationId`, so the document is the one schema of every endpoint. Path and query strings
 * become numbers, integers and booleans where the schema says so; an unknown or repeated query
 * parameter, a missing or malformed one and a body off its schema are a 400 naming the parameter or
 * body member and what is wrong (a path segment outside its listed values is a 404, a batch over
 * its size a 413). The values reach the handler through `valid(c)`; `positions` names a body
 * member of [x, y] positions the handler takes packed, as one Float64Array of x, y pairs. An
 * operation marked `x-ignore-unknown-query` lets query parameters it does not take through unread
 * (tile and TileJSON URLs, where clients add `?v=2` to bust caches).
 * @example app.get('/v1/houses/:id', validated('houseGet'), (c) => c.json(store.getHouse(valid<{ path: { id: number } }>(c).path.id)))
 */
export function validated(operationId: string, { positions, bodyReadOnce = false }: { positions?: string; bodyReadOnce?: boolean } = {}): MiddlewareHandler {
  const check = checkers().get(operationId);
  if (check === undefined) throw new Error(`validated('${operationId}'): openapi.ts documents no operation with this operationId`);
  const middleware: MiddlewareHandler = async function validate(c, next) {
    const path = check.path.read(c.req.param() as Record<string, string>);
    const query = check.query.read(c.req.queries(), check.ignoreUnknownQuery);
    const body = check.body === undefined ? undefined : await readBody(c, operationId, check.body, positions, bodyReadOnce);
    c.set('valid', { path, query, body });
    await next();
  };
  MIDDLEWARE_OPERATIONS.set(middleware, operationId);
  return middleware;
}

/**
 * The checked body, its member `positions` packed (body-check-thread.ts); a large one is parsed and
 * checked in a worker thread, so it does not hold the event loop. With `readOnce` (the handler
 * reads only `valid(c).body`) the bytes are read as they arrive and moved to the worker, not
 * copied; otherwise Hono keeps them for the handler to read the body again.
 */
async function readBody(c: Context, operationId: string, check: BodyCheck, positions: string | undefined, readOnce: boolean): Promise<unknown> {
  if (!bodyCheckThread.available) return packPositions(check.read(await c.req.text()), positions);
  const bytes = readOnce ? await readRequestBytes(c.req.raw) : await c.req.arrayBuffer();
  const inline = (): unknown => packPositions(check.read(new TextDecoder().decode(bytes)), positions);
  return bytes.byteLength > OFF_THREAD_BYTES ? bodyCheckThread.check(operationId, bytes, positions, inline, readOnce) : inline();
}

/** The body checked against the schema of `operationId`, as `validated` checks it (the body check worker calls this). */
export function checkRequestBody(operationId: string, text: string): unknown {
  const body = checkers().get(operationId)?.body;
  if (body === undefined) throw new Error(`openapi.ts documents no request body for ${operationId}`);
  return body.read(text);
}

/**
 * The validated input of this request, shaped as the caller says its schema guarantees.
 * @example const { query } = valid<{ query: { q: string; limit: number } }>(c);
 */
export function valid<T extends { path?: object; query?: object; body?: unknown } = ValidInput>(c: Context): ValidInput & T {
  const input = c.get('valid') as ValidInput | undefined;
  if (input === undefined) throw new Error(`${c.req.method} ${c.req.routePath} reads valid input but has no validated() middleware`);
  return input as ValidInput & T;
}

/** The operationId a handler checks requests against, when it is a `validated` middleware. */
export function validatedOperation(handler: unknown): string | undefined {
  return typeof handler === 'function' ? MIDDLEWARE_OPERATIONS.get(handler) : undefined;
}

const MIDDLEWARE_OPERATIONS = new WeakMap<object, string>();

/**
 * Parses an optional ISO calendar date strictly; `undefined` when absent. `name` is what a 400
 * blames. The schema format `date` is this check.
 */
export function parseDate(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return text;
    throw new InvalidRequestError(`${name} ${showInput(text)} is not a calendar date (month 01–12, day within the month)`);
  }
  throw new InvalidRequestError(`${name} must be a date YYYY-MM-DD, got ${showInput(text)}`);
}

type Schema = Record<string, unknown>;
type Where = 'path' | 'query' | 'body';

/**
 * Schema formats wangge checks itself: each throws InvalidRequestError with the precise message
 * (which part of a code is wrong), which a 400 then carries. `label` names the value.
 */
const DOMAIN_FORMATS: Readonly<Record<string, (text: string, label: string) => void>> = {
  date: (text, label) => void parseDate(text, label),
  'division-code': (text) => void decodeAdminCode(text),
  'grid-code': (text) => void parseGridCode(text),
  'social-grid-code': (text) => void decodeSocialGridCode(text),
  // the class is checked by the handler against the app's class table, which may add local classes
  'component-code': (text) => {
    try {
      decodeComponentCode(text);
    } catch (error) {
      if (!(error instanceof CodeError && error.part === 'class')) throw error;
    }
  },
};

/** The domain message for a value its format refuses, or undefined when the format accepts it. */
function domainProblem(format: string, text: string, label: string): string | undefined {
  const check = DOMAIN_FORMATS[format];
  if (check === undefined) return undefined;
  try {
    check(text, label);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.message;
    throw error;
  }
}

const DOCUMENT_ID = 'wangge:openapi';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  /** wangge's extension: query parameters the operation does not take are ignored, not refused */
  'x-ignore-unknown-query'?: boolean;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}

interface Checker {
  path: ParameterGroup;
  query: ParameterGroup;
  ignoreUnknownQuery: boolean;
  body: BodyCheck | undefined;
}

let compiled: Map<string, Checker> | undefined;

/** A checker per operationId, compiled from the document on first use (when the app is built). */
function checkers(): Map<string, Checker> {
  compiled ??= compileDocument(openApiDocument());
  return compiled;
}

function compileDocument(doc: OpenApiDocument): Map<string, Checker> {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, useDefaults: true, verbose: true });
  // CommonJS: the plugin is the module and its own `default`, which is what TypeScript sees
  ajvFormats.default(ajv);
  for (const name of Object.keys(DOMAIN_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: (text: string) => domainProblem(name, text, name) === undefined });
  }
  // the document's own members and OpenAPI's `example` are annotations, not validation keywords
  for (const keyword of new Set([...Object.keys(doc), 'example'])) ajv.addKeyword({ keyword });
  // refs in the document (#/components/schemas/…) resolve against it, so Ajv holds all of it
  ajv.addSchema(doc as object, DOCUMENT_ID);

  const checks = new Map<string, Checker>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation === undefined) continue;
      if (checks.has(operation.operationId)) throw new Error(`openapi.ts: operationId ${operation.operationId} is used twice`);
      const pointer = `#/paths/${pointerSegment(path)}/${method}`;
      const parameters = (operation.parameters ?? []).map((p, i) => ({ ...p, pointer: `${pointer}/parameters/${i}/schema` }));
      const endpoint = `${method.toUpperCase()} ${path}`;
      checks.set(operation.operationId, {
        path: new ParameterGroup(ajv, 'path', path, endpoint, parameters),
        query: new ParameterGroup(ajv, 'query', path, endpoint, parameters),
        ignoreUnknownQuery: operation['x-ignore-unknown-query'] === true,
        body: compileBody(ajv, operation, `${pointer}/requestBody/content/application~1json/schema`),
      });
    }
  }
  return checks;
}

// a JSON pointer segment inside a URI fragment (path templates hold '/', '{' and '}')
function pointerSegment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function compileBody(ajv: Ajv2020, operation: Operation, pointer: string): BodyCheck | undefined {
  const body = operation.requestBody;
  if (body?.content?.['application/json']?.schema === undefined) return undefined;
  return new BodyCheck(ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` }), body.required === true);
}

interface ParameterInfo {
  name: string;
  schema: Schema;
  /** how messages name it: `lat` (query), `house id` (path) */
  label: string;
}

/** The path or the query parameters of one operation, checked as one object. */
class ParameterGroup {
  private readonly params = new Map<string, ParameterInfo>();
  private readonly validate: ValidateFunction;

  constructor(
    ajv: Ajv2020,
    private readonly where: 'path' | 'query',
    pathTemplate: string,
    private readonly endpoint: string,
    parameters: (Parameter & { pointer: string })[],
  ) {
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const p of parameters) {
      if (p.in !== where) continue;
      const schema = p.schema ?? {};
      this.params.set(p.name, { name: p.name, schema, label: where === 'path' ? pathLabel(pathTemplate, p.name) : p.name });
      // a default beside the $ref, where Ajv's useDefaults looks for it
      properties[p.name] = { $ref: `${DOCUMENT_ID}${p.pointer}`, ...(schema.default === undefined ? {} : { default: schema.default }) };
      if (p.required === true) required.push(p.name);
    }
    this.validate = ajv.compile({ type: 'object', properties, required, additionalProperties: false });
  }

  /** Converts and checks raw values (each query parameter may come several times); throws with what is wrong. */
  read(raw: Record<string, string | string[]>, ignoreUnknown = false): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [name, given] of Object.entries(raw)) {
      const param = this.params.get(name);
      if (param === undefined && ignoreUnknown) continue;
      if (param === undefined) {
        const known = [...this.params.keys()];
        const takes = known.length ? `takes ${known.join(', ')}` : `takes no ${this.where} parameters`;
        throw new InvalidRequestError(`unknown ${this.where} parameter ${showValue(name)}: ${this.endpoint} ${takes}`);
      }
      const texts = Array.isArray(given) ? given : [given];
      if (typeOf(param.schema) === 'array') {
        values[name] = texts.map((text) => coerce(text, (param.schema.items as Schema | undefined) ?? {}));
      } else if (texts.length > 1) {
        throw new InvalidRequestError(`${param.label} is given ${texts.length} times; give it once`);
      } else {
        values[name] = coerce(texts[0]!, param.schema);
      }
    }
    if (!this.validate(values)) throw problemOf(this.validate.errors?.[0], this.where, (path, missing) => this.label(path, missing));
    return values;
  }

  private label(instancePath: string, child?: string): string {
    const [name, ...rest] = [...pointerParts(instancePath), ...(child === undefined ? [] : [child])];
    if (name === undefined) return `the ${this.where} parameters`;
    return (this.params.get(name)?.label ?? name) + rest.map((part) => `[${part}]`).join('');
  }
}

/** A JSON request body: parsed, then checked against its schema. */
class BodyCheck {
  constructor(
    private readonly validate: ValidateFunction,
    private readonly required: boolean,
  ) {}

  read(text: string): unknown {
    if (text.trim() === '') {
      if (this.required) throw new InvalidRequestError('the body is empty; this endpoint takes a JSON body (see /openapi.json)');
      return undefined;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new InvalidRequestError(`the body is not valid JSON: ${(error as Error).message}`);
    }
    if (!this.validate(body)) throw problemOf(this.validate.errors?.[0], 'body', bodyLabel);
    return body;
  }
}

// `body points[3][0]`, `body properties.major`; the root is `the body`
function bodyLabel(instancePath: string, child?: string): string {
  const parts = [...pointerParts(instancePath), ...(child === undefined ? [] : [child])];
  if (parts.length === 0) return 'the body';
  return 'body ' + parts.map((part, k) => (/^\d+$/.test(part) ? `[${part}]` : k === 0 ? part : `.${part}`)).join('');
}

function pointerParts(instancePath: string): string[] {
  return instancePath === '' ? [] : instancePath.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// a path parameter is named after the collection it keys: /v1/houses/{id} → `house id`, /tiles/{source}/{z} → `tile z`
function pathLabel(template: string, name: string): string {
  const segments = template.split('/');
  const at = segments.indexOf(`{${name}}`);
  const collection = segments.slice(0, Math.max(at, 0)).reverse().find((s) => s !== '' && !s.startsWith('{'));
  const noun = collection === undefined ? '' : `${collection.replace(/sses$/, 'ss').replace(/s$/, '')} `;
  return noun + name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// a flag given bare (`?address`) is on
const BOOLEANS: Readonly<Record<string, boolean>> = { '1': true, true: true, '': true, '0': false, false: false };

/** A path or query string as its schema's type; left a string when it is not one, for the schema to refuse. */
function coerce(text: string, schema: Schema): unknown {
  switch (typeOf(schema)) {
    case 'integer':
      return INTEGER.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case 'number': {
      const value = Number(text);
      return NUMBER.test(text.trim()) && Number.isFinite(value) ? value : text;
    }
    case 'boolean':
      return Object.hasOwn(BOOLEANS, text) ? BOOLEANS[text] : text;
    default:
      return text;
  }
}

/** The schema's type, the non-null one of a nullable type. */
function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type as string[]).find((t) => t !== 'null');
  return undefined;
}

type Labeller = (instancePath: string, child?: string) => string;

const SCALAR_KEYWORDS = new Set([
  'type', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'pattern', 'format',
]);

/** The error a request gets for the first schema error: what is wrong and with which parameter or body member. */
function problemOf(error: ErrorObject | undefined, where: Where, labelOf: Labeller): Error {
  if (error === undefined) return new InvalidRequestError(`the ${where} does not match its schema`);
  const label = labelOf(error.instancePath);
  const schema = (error.parentSchema ?? {}) as Schema;
  const data: unknown = error.data;
  switch (error.keyword) {
    case 'required':
      return new InvalidRequestError(`${labelOf(error.instancePath, String(error.params.missingProperty))} is required`);
    case 'additionalProperties': {
      const allowed = Object.keys((schema.properties as Schema | undefined) ?? {});
      const may = allowed.length ? `may have ${allowed.join(', ')}` : 'may have no members';
      return new InvalidRequestError(`${labelOf(error.instancePath, String(error.params.additionalProperty))} is not allowed: ${label} ${may}`);
    }
    case 'maxItems':
    case 'minItems': {
      const limit = Number(error.params.limit);
      const count = Array.isArray(data) ? data.length : 0;
      // an array right in the body is a batch: more than it takes is too large (413), not malformed
      if (error.keyword === 'maxItems' && where === 'body' && pointerParts(error.instancePath).length === 1) {
        return new TooLargeError(`${label} has ${count.toLocaleString('en')} items; at most ${limit.toLocaleString('en')} per request — split the batch`);
      }
      const bound = error.keyword === 'maxItems' ? 'at most' : 'at least';
      return new InvalidRequestError(`${label} must have ${bound} ${limit} item${limit === 1 ? '' : 's'}, got ${count}`);
    }
    case 'anyOf':
    case 'oneOf':
      return new InvalidRequestError(`${label} matches none of the forms it may take (see /openapi.json)`);
  }
  if (!SCALAR_KEYWORDS.has(error.keyword)) return new InvalidRequestError(`${label} ${error.message ?? 'does not match its schema'}`);
  if (typeof data === 'string' && typeof schema.format === 'string') {
    const problem = domainProblem(schema.format, data, label);
    // a code in the path is the whole segment: its message names it; elsewhere the label leads
    if (problem !== undefined) return new InvalidRequestError(schema.format === 'date' || where === 'path' ? problem : `${label}: ${problem}`);
  }
  if (where === 'path' && Array.isArray(schema.enum)) {
    // a path segment outside a closed list names nothing
    return new NotFoundError(`no ${label} ${showValue(data)}; the ${label}s are ${schema.enum.join(', ')}`);
  }
  return new InvalidRequestError(`${label} must be ${describe(schema, where)}, got ${showValue(data)}`);
}

/** What a scalar schema accepts, in words: `a whole number 1–20`, `a non-empty string of at most 200 characters`. */
function describe(schema: Schema, where: Where): string {
  const nullable = Array.isArray(schema.type) && (schema.type as string[]).includes('null');
  const text = describeValue(schema, where);
  return nullable ? `${text} or null` : text;
}

function describeValue(schema: Schema, where: Where): string {
  if (Array.isArray(schema.enum)) return alternatives(schema.enum.map((v) => showValue(v)));
  if (schema.const !== undefined) return showValue(schema.const);
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  // the largest safe integer only says "any id"
  const max = typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
  switch (typeOf(schema)) {
    case 'integer':
      if (min !== undefined && max !== undefined) return min >= 0 ? `a whole number ${min}–${max}` : `an integer from ${min} to ${max}`;
      if (min === 1) return 'a positive integer';
      if (min === 0) return 'a whole number';
      if (min !== undefined) return `an integer of at least ${min}`;
      return max === undefined ? 'an integer' : `an integer of at most ${max}`;
    case 'number':
      if (min !== undefined && max !== undefined) return `a number from ${min} to ${max}`;
      if (min !== undefined) return `a number of at least ${min}`;
      return max === undefined ? 'a number' : `a number of at most ${max}`;
    case 'boolean':
      return where === 'body' ? 'true or false' : '1 or 0 (true or false)';
    case 'string':
      return describeString(schema);
    case 'array':
      return 'an array';
    case 'object':
      return 'an object';
    default:
      return 'as /openapi.json describes';
  }
}

function describeString(schema: Schema): string {
  if (schema.format === 'date') return 'a date YYYY-MM-DD';
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const parts = [min === 1 ? 'a non-empty string' : 'a string'];
  if (max !== undefined) parts.push(min > 1 ? `of ${min}–${max} characters` : `of at most ${max} characters`);
  else if (min > 1) parts.push(`of at least ${min} characters`);
  if (typeof schema.pattern === 'string') parts.push(`matching ${schema.pattern}`);
  if (typeof schema.format === 'string') parts.push(`in ${schema.format} format`);
  return parts.join(' ');
}

function alternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`;
}

/** A value as a message shows it: strings quoted and cut, arrays and objects by their size. */
function showValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value === undefined) return 'nothing';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
