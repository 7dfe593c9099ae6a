import { readFileSync } from 'node:fs';

/** The parts of an OpenAPI 3.1 document that tests and the app read; the rest stays loosely typed. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', unknown>>>;
  components: Record<string, Record<string, unknown>>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const date = { type: 'string', format: 'date' };

const codeParameter = (description: string, pattern: string, example: string) => ({
  name: 'code',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', pattern },
  example,
});

const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), response(s === 400 ? 'BadRequest' : s === 404 ? 'NotFound' : s === 503 ? 'Unavailable' : 'ServerError')]));

const featureResponse = (schema: string, description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string', const: 'no-cache' } } },
  content: { 'application/geo+json': { schema: ref(schema) } },
});

// a GeoJSON feature of one geometry kind with the given properties
const featureSchema = (idType: string, geometry: Record<string, unknown>, properties: Record<string, unknown>) => ({
  type: 'object',
  required: ['type', 'id', 'geometry', 'properties'],
  properties: {
    type: { const: 'Feature' },
    id: { type: idType },
    geometry,
    properties: { type: 'object', required: Object.keys(properties).filter((k) => !OPTIONAL_PROPERTIES.has(k)), properties },
  },
});

// social-grid-only properties: absent from unit grids
const OPTIONAL_PROPERTIES = new Set(['static_code', 'dynamic_code', 'full_code']);

const geometry = (...types: string[]) => ({
  type: 'object',
  description: `GeoJSON ${types.join(' or ')} in WGS84 (RFC 7946)`,
  required: ['type', 'coordinates'],
  properties: { type: { enum: types }, coordinates: { type: 'array' } },
});

let cached: OpenApiDocument | undefined;

/** The OpenAPI 3.1 description of every endpoint `createApp` registers (built once). */
export function openApiDocument(): OpenApiDocument {
  cached ??= buildDocument();
  return cached;
}

function buildDocument(): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'wangge',
      version: packageVersion(),
      description:
        'Spatial backbone of grid-based city management: administrative areas, unit and social grids, city components and houses. Errors are RFC 9457 problem details.',
    },
    paths: {
      '/health': {
        get: {
          operationId: 'healthGet',
          summary: 'Service status and feature counts',
          responses: {
            '200': {
              description: 'the database is readable',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-cache' } } },
              content: { 'application/json': { schema: ref('Health') } },
            },
            ...problems(503, 500),
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openApiGet',
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
      '/v1/areas/{code}': {
        get: {
          operationId: 'areaGet',
          summary: 'An administrative area (district, street or community) by its division code',
          parameters: [codeParameter('6-digit district, 9-digit street or 12-digit community code', '^[0-9]{6}([0-9]{3}){0,2}$', '110101001')],
          responses: { '200': featureResponse('AreaFeature', 'the area'), ...problems(400, 404, 503, 500) },
        },
      },
      '/v1/grids/{code}': {
        get: {
          operationId: 'gridGet',
          summary: 'A grid version by unit grid code, social grid static code or full static-dynamic code',
          parameters: [
            codeParameter(
              '15-digit unit grid code (or the legacy 14-digit form), 16-digit social grid static code, or a full `static-dynamic` code naming one version, current or closed',
              '^([0-9]{14,16}|[0-9]{16}-[0-9]{6})$',
              '1101010010011001-202601',
            ),
            {
              name: 'at',
              in: 'query',
              required: false,
              description: 'the version valid on this day (default: the current one); not allowed with a full static-dynamic code',
              schema: date,
              example: '2026-06-01',
            },
          ],
          responses: { '200': featureResponse('GridFeature', 'the grid version'), ...problems(400, 404, 503, 500) },
        },
      },
      '/v1/components/{code}': {
        get: {
          operationId: 'componentGet',
          summary: 'A city component (部件) by its 16-digit code',
          parameters: [codeParameter('district (6) + major class (2) + minor class (2) + serial (6)', '^[0-9]{16}$', '1101010101000001')],
          responses: { '200': featureResponse('ComponentFeature', 'the component'), ...problems(400, 404, 503, 500) },
        },
      },
      '/v1/houses/{id}': {
        get: {
          operationId: 'houseGet',
          summary: 'A house (building footprint) by its id',
          parameters: [{ name: 'id', in: 'path', required: true, description: 'positive integer', schema: { type: 'integer', minimum: 1 }, example: 1 }],
          responses: { '200': featureResponse('HouseFeature', 'the house'), ...problems(400, 404, 503, 500) },
        },
      },
    },
    components: {
      schemas: {
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details (application/problem+json)',
          required: ['type', 'title', 'status', 'detail', 'instance', 'code'],
          properties: {
            type: { type: 'string', format: 'uri-reference', const: 'about:blank' },
            title: { type: 'string', description: 'the HTTP status phrase' },
            status: { type: 'integer' },
            detail: { type: 'string', description: 'what is wrong; for a bad code, which part and why' },
            instance: { type: 'string', format: 'uri-reference', description: 'the request path' },
            code: { type: 'string', description: 'stable error code', examples: ['invalid_request', 'not_found', 'internal'] },
            request_id: { type: 'string', description: 'also sent as X-Request-Id; 5xx errors are logged under it' },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'counts'],
          properties: {
            status: { const: 'ok' },
            counts: {
              type: 'object',
              required: ['streets', 'communities', 'unitGrids', 'socialGrids', 'components', 'houses', 'addresses', 'roads'],
              properties: Object.fromEntries(
                ['streets', 'communities', 'unitGrids', 'socialGrids', 'components', 'houses', 'addresses', 'roads'].map((k) => [k, { type: 'integer', minimum: 0 }]),
              ),
            },
          },
        },
        AreaFeature: featureSchema('string', geometry('Polygon', 'MultiPolygon'), {
          code: { type: 'string' },
          level: { enum: ['district', 'street', 'community'] },
          name: { type: 'string' },
          parent_code: nullable('string'),
          parent_name: nullable('string'),
        }),
        GridFeature: featureSchema('string', geometry('Polygon', 'MultiPolygon'), {
          scheme: { enum: ['unit', 'social'] },
          code: { type: 'string', description: 'unit grid: 15-digit code; social grid: 16-digit static code' },
          static_code: { type: 'string', description: 'social grids only' },
          dynamic_code: { type: 'string', description: 'social grids only: year (4) + boundary version (2)' },
          full_code: { type: 'string', description: 'social grids only: static-dynamic, also the feature id' },
          name: { type: 'string' },
          community_code: { type: 'string' },
          community_name: nullable('string'),
          street_code: { type: 'string' },
          street_name: nullable('string'),
          area_m2: { type: 'number' },
          valid_from: date,
          valid_to: nullable('string', { format: 'date', description: 'null while current; exclusive' }),
        }),
        ComponentFeature: featureSchema('string', geometry('Point', 'LineString', 'Polygon'), {
          code: { type: 'string' },
          major: { type: 'string' },
          minor: { type: 'string' },
          class_code: { type: 'string' },
          class_name: { type: 'string' },
          name: { type: 'string' },
          status: { enum: ['完好', '破损', '丢失', '占用', '废弃'] },
          dept_main: { type: 'string', description: '主管部门' },
          dept_owner: nullable('string', { description: '权属单位' }),
          dept_maintain: nullable('string', { description: '养护单位' }),
          initial_date: date,
          change_date: nullable('string', { format: 'date' }),
          data_source: nullable('string'),
          unit_grid_code: nullable('string'),
        }),
        HouseFeature: featureSchema('integer', geometry('Polygon'), {
          id: { type: 'integer' },
          height_m: { type: 'number' },
          floors: { type: 'integer' },
          floors_below: { type: 'integer' },
          use: { type: 'string' },
          year_built: nullable('integer'),
          households: { type: 'integer' },
          address: nullable('string'),
          unit_grid_code: nullable('string'),
          social_static_code: nullable('string'),
        }),
      },
      responses: {
        BadRequest: problemResponse('malformed code or parameter; the detail names the wrong part'),
        NotFound: problemResponse('nothing has this code or id'),
        Unavailable: problemResponse('the database cannot be read'),
        ServerError: problemResponse('unexpected failure, logged under the request id'),
      },
    },
  };
}

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: ref('Problem') } } };
}

function packageVersion(): string {
  // src/http and dist/http are both two levels below the package root
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
