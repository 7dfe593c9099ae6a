import { readFileSync } from 'node:fs';
import { MATCH_EDITS } from '../geocode/geocode-result.js';
import { attributesOf, type Column, type LayerTable } from '../layers/columns.js';
import { ADDRESSES, ADMIN_LEVELS, AREAS, COMPONENT_STATUSES, COMPONENTS, HOUSES, LAYERS, LIFE_STATUSES } from '../model.js';
import { BATCH_LIMITS } from './batch-limits.js';
import { GEOCODE_ROW_COLUMNS, REVERSE_ROW_COLUMNS } from './batch-formats.js';

/** The parts of an OpenAPI 3.1 document that tests and the app read; the rest stays loosely typed. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  servers: { url: string; description: string }[];
  paths: Record<string, Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch', unknown>>>;
  components: Record<string, Record<string, unknown>>;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const date = { type: 'string', format: 'date' };

// `format` names the code check wangge applies (src/codes, docs/codes.md); a failure is a 400 naming the wrong part
const codeParameter = (description: string, pattern: string, format: string, example: string) => ({
  name: 'code',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', pattern, format },
  example,
});

const idParameter = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `${what} id, a positive integer`,
  schema: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  example: 1,
});

const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), response(PROBLEM_RESPONSES[s] ?? 'ServerError')]));

const PROBLEM_RESPONSES: Partial<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'TooLarge',
  429: 'RateLimited',
  503: 'Unavailable',
};

/** What every write can answer besides its success: the problems of auth, scope, rate and content. */
const WRITE_PROBLEMS = [400, 401, 403, 404, 409, 413, 429, 503, 500] as const;
/** Batch requests may carry a key (`Authorization: Bearer <key>`), which allows larger batches (batch-limits.ts). */
const BATCH_DESCRIPTION =
  'Without an API key (Authorization: Bearer <key>) a batch is ten times smaller than with one; an unknown key is a 401. The work runs in time slices, so other requests are answered meanwhile; an answer that would pass the server\'s limit (--max-response-mb, default 64 MiB) is a 413, projected from its first answers before the rest is done.';

/** The NDJSON and CSV answers of a batch and their `fields` parameter (batch-formats.ts). */
const FLAT_DESCRIPTION =
  ' With Accept: application/x-ndjson (one JSON object per line) or text/csv (a header line, then one row per item; empty fields where the JSON answer has null) the answer is flat rows of codes, streamed the same way, and `fields` keeps only the columns named.';
const fieldsParameter = (columns: readonly string[], more = '') =>
  query(
    'fields',
    `NDJSON and CSV answers only: the columns wanted, comma-separated, from ${columns.join(', ')}${more}; they come in that order. An unknown name, or fields with a JSON answer, is a 400 listing the allowed ones.`,
    { type: 'string', minLength: 1 },
    false,
    'unit_grid,social_static,social_dynamic',
  );
const flatContent = (what: string) => ({
  'application/x-ndjson': { schema: { type: 'string', description: `one JSON object per ${what}, members as the fields` } },
  'text/csv': { schema: { type: 'string', description: `a header line of the fields, then one row per ${what}` } },
});

/** `10,000 without an API key, 100,000 with one` */
function batchSizes(member: keyof typeof BATCH_LIMITS): string {
  const { withoutKey, withKey } = BATCH_LIMITS[member];
  return `${withoutKey.toLocaleString('en')} without an API key, ${withKey.toLocaleString('en')} with one`;
}

/** Writes carry `Authorization: Bearer <key>`. */
const SECURED = { security: [{ bearerAuth: [] }] };

const query = (name: string, description: string, schema: Record<string, unknown>, required = false, example?: unknown) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
  ...(example === undefined ? {} : { example }),
});
const jsonContent = (schema: Record<string, unknown>) => ({ 'application/json': { schema } });
const CRS_DESCRIPTION = 'coordinate system of the input: wgs84 (default), cgcs2000, gcj02, bd09, EPSG:4326, EPSG:4490, EPSG:3857, EPSG:4513–4554 (CGCS2000 Gauss-Krüger)';

const featureResponse = (schema: string, description: string) => ({
  description,
  headers: { ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string', const: 'no-cache' } } },
  content: { 'application/geo+json': { schema: ref(schema) } },
});

/** A required JSON request body (a component schema by name, or inline) with an example that passes it. */
const jsonBody = (schema: string | Record<string, unknown>, example: unknown) => ({
  required: true,
  content: { 'application/json': { schema: typeof schema === 'string' ? ref(schema) : schema, example } },
});

// what a write answers: the feature as now stored, never cached
const writtenFeature = (schema: string, description: string) => ({
  description,
  headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
  content: { 'application/geo+json': { schema: ref(schema) } },
});
const createdFeature = (schema: string, description: string, location: string) => {
  const written = writtenFeature(schema, description);
  return { ...written, headers: { ...written.headers, Location: { description: location, schema: { type: 'string' } } } };
};

const COMPONENT_CODE = codeParameter('district (6) + major class (2) + minor class (2) + serial (6)', '^[0-9]{16}$', 'component-code', '1101010101000001');
const RETIRE_DATE = {
  name: 'date',
  in: 'query',
  required: false,
  description: 'the day it was retired (default: today)',
  schema: { type: 'string', format: 'date' },
  example: '2026-06-01',
};

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
  return withEdgeAnswers({
    openapi: '3.1.0',
    info: {
      title: 'wangge',
      version: packageVersion(),
      description:
        'Spatial backbone of grid-based city management: administrative areas, unit and social grids, city components and houses. Errors are RFC 9457 problem details.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // relative: the document is served by the server it describes, at whatever address that has
    servers: [{ url: '/', description: 'the server this document is read from' }],
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
      '/health/ready': {
        get: {
          operationId: 'healthReadyGet',
          summary: 'Readiness for a load balancer',
          description: 'A replica of a PostGIS database (serve --store) that cannot reach it answers 503 with Retry-After: it cannot take writes and its copy no longer follows (it still answers reads). Any other server is always ready once it listens.',
          responses: {
            '200': {
              description: 'ready',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-cache' } } },
              content: { 'application/json': { schema: { type: 'object', required: ['ready'], properties: { ready: { const: true } } } } },
            },
            ...problems(503, 500),
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metricsGet',
          summary: 'Request, tile and write counters for Prometheus',
          responses: {
            '200': {
              description: 'Prometheus text exposition format 0.0.4',
              headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
              content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
            },
            ...problems(500),
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
          parameters: [codeParameter('6-digit district, 9-digit street or 12-digit community code', '^[0-9]{6}([0-9]{3}){0,2}$', 'division-code', '110101001')],
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
              'grid-code',
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
          parameters: [COMPONENT_CODE],
          responses: { '200': featureResponse('ComponentFeature', 'the component'), ...problems(400, 404, 503, 500) },
        },
        patch: {
          operationId: 'componentPatch',
          summary: 'Change a component: its properties (not code, major or minor) and/or its geometry; change_date becomes today',
          ...SECURED,
          parameters: [COMPONENT_CODE],
          requestBody: jsonBody('ComponentPatch', { properties: { status: '破损' } }),
          responses: { '200': writtenFeature('ComponentFeature', 'the component as changed'), ...problems(...WRITE_PROBLEMS) },
        },
        delete: {
          operationId: 'componentRetire',
          summary: 'Retire a component: status 废弃 and change_date the day given (default today); nothing is deleted',
          ...SECURED,
          parameters: [COMPONENT_CODE, RETIRE_DATE],
          responses: { '200': writtenFeature('ComponentFeature', 'the retired component'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/components': {
        post: {
          operationId: 'componentCreate',
          summary: 'Add a component; its code is the next serial of its class in its district, its unit grid is found by point-in-polygon',
          ...SECURED,
          requestBody: jsonBody('ComponentCreate', {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [116.4135, 39.9305] },
            properties: { major: '01', minor: '01', dept_main: '东城区水务局' },
          }),
          responses: { '201': createdFeature('ComponentFeature', 'the new component', '/v1/components/{code}'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/reverse': {
        get: {
          operationId: 'reverseGet',
          summary: 'Point → district, street, community, unit grid and social grid (static + dynamic code)',
          description:
            'Exact point-in-polygon; a point on an edge shared by two grids belongs to the one east of it (north for an east–west edge): each polygon owns its west and south edges. Outside every area the members are null.',
          parameters: [
            query('lng', 'longitude (or easting for projected crs)', { type: 'number' }, true, 116.4135),
            query('lat', 'latitude (or northing for projected crs)', { type: 'number' }, true, 39.9305),
            query('crs', CRS_DESCRIPTION, { type: 'string', default: 'wgs84' }),
            query('at', 'answer with the grid versions valid on this day', date),
            query('address', '1 (or true): add the nearest door plate within 50 m', { type: 'boolean', default: false }),
            query('components', 'add the city components (部件) within this many metres, nearest first (at most 100)', { type: 'integer', minimum: 1, maximum: 200 }),
          ],
          responses: { '200': { description: 'what contains the point', content: jsonContent(ref('ReverseResult')) }, ...problems(400, 500) },
        },
        post: {
          operationId: 'reversePost',
          summary: `Many points at once (up to ${batchSizes('points')}), answered in input order`,
          description: BATCH_DESCRIPTION + FLAT_DESCRIPTION,
          parameters: [
            fieldsParameter(
              [...REVERSE_ROW_COLUMNS.point, ...REVERSE_ROW_COLUMNS.input, ...REVERSE_ROW_COLUMNS.codes, ...REVERSE_ROW_COLUMNS.address],
              ' (input_x and input_y only with a crs other than wgs84: the point as sent; nearest_address* only with address=true); lng and lat are WGS84, the codes are those of the JSON answer',
            ),
          ],
          requestBody: jsonBody(
            {
              type: 'object',
              required: ['points'],
              additionalProperties: false,
              properties: {
                points: {
                  type: 'array',
                  description: `more than ${batchSizes('points')} is a 413`,
                  maxItems: BATCH_LIMITS.points.withKey,
                  items: { type: 'array', description: '[lng, lat] in the crs', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2 },
                },
                crs: { type: 'string', description: CRS_DESCRIPTION, default: 'wgs84' },
                at: date,
                address: { type: 'boolean', description: 'add the nearest door plate within 50 m', default: false },
              },
            },
            { points: [[116.4135, 39.9305], [116.4, 39.92]] },
          ),
          responses: {
            '200': {
              description: 'one result per point, in order',
              content: { ...jsonContent({ type: 'object', required: ['results'], properties: { results: { type: 'array', items: ref('ReverseResult') } } }), ...flatContent('point') },
            },
            ...problems(400, 401, 413, 500),
          },
        },
      },
      '/v1/geocode': {
        get: {
          operationId: 'geocodeGet',
          summary: 'Chinese address → ranked places with their codes',
          description:
            'Normalises the address (full-width, Chinese numerals, traditional characters, 北京市 prefixes, 号院/号楼/栋/幢 forms), reads the road as written or by a known spelling or misspelling (each relaxation lowers the score and is listed in matched.edits), matches a door plate or a named place, else falls back to the road (number interpolated), the community, the street. An unknown road is never read as a shorter road inside it; an address naming a place outside the loaded area gets no result and a reason.',
          parameters: [
            query('q', 'the address', { type: 'string', minLength: 1, maxLength: 200 }, true, '北京市东城区多福巷12号'),
            query('limit', 'most candidates to return (1–20)', { type: 'integer', minimum: 1, maximum: 20, default: 5 }),
          ],
          responses: {
            '200': {
              description: 'candidates, best first (possibly none)',
              content: jsonContent({
                type: 'object',
                required: ['query', 'results', 'reason'],
                properties: {
                  query: { type: 'string' },
                  results: { type: 'array', items: ref('GeocodeResult') },
                  reason: nullable('string', { description: 'why there is no result: the address names a place outside the loaded area (西城区, 上海市), or nothing in it is known; null when there are results' }),
                },
              }),
            },
            ...problems(400, 500),
          },
        },
        post: {
          operationId: 'geocodePost',
          summary: `Many addresses at once (up to ${batchSizes('addresses')}): the best candidate of each, or null, in input order`,
          description: BATCH_DESCRIPTION + FLAT_DESCRIPTION,
          parameters: [fieldsParameter(GEOCODE_ROW_COLUMNS, ' (query: the address as sent; address: the one found; edits joined with |)')],
          requestBody: jsonBody(
            {
              type: 'object',
              required: ['addresses'],
              additionalProperties: false,
              properties: {
                addresses: { type: 'array', description: `more than ${batchSizes('addresses')} is a 413`, maxItems: BATCH_LIMITS.addresses.withKey, items: { type: 'string', minLength: 1, maxLength: 200 } },
              },
            },
            { addresses: ['北京市东城区多福巷12号'] },
          ),
          responses: {
            '200': {
              description: 'one best result (or null) per address, in order',
              content: {
                ...jsonContent({
                  type: 'object',
                  required: ['results', 'reasons'],
                  properties: {
                    results: { type: 'array', items: { oneOf: [ref('GeocodeResult'), { type: 'null' }] } },
                    reasons: { type: 'array', description: 'per address: why its result is null, else null', items: nullable('string') },
                  },
                }),
                ...flatContent('address'),
              },
            },
            ...problems(400, 401, 413, 500),
          },
        },
      },
      '/v1/autocomplete': {
        get: {
          operationId: 'autocompleteGet',
          summary: 'Suggestions as the user types: streets, communities, roads, places, grids and door plates',
          description:
            'Matches the start of names (多福), toneless pinyin (dongsibei), pinyin initials (dsbdj → 东四北大街), pinyin typed syllable by syllable in part (dongsbdj), the leading digits of area and grid codes (110101001001), and, once the query reaches a number after a whole road name (or its pinyin or initials), that road’s door plates (多福巷12 → 多福巷12号, 多福巷120号, …); a piece from inside a name is the last resort. Ranked exact before prefix before pinyin before infix, then street, community, road, place, grid, door plate, then shorter text. A leading 北京市 or district name is ignored.',
          parameters: [
            query('q', 'what has been typed so far', { type: 'string', minLength: 1, maxLength: 100 }, true, 'dsbdj'),
            query('limit', 'most suggestions to return (1–20)', { type: 'integer', minimum: 1, maximum: 20, default: 10 }),
          ],
          responses: {
            '200': {
              description: 'suggestions, best first (possibly none)',
              content: jsonContent({
                type: 'object',
                required: ['query', 'suggestions'],
                properties: { query: { type: 'string' }, suggestions: { type: 'array', items: ref('Suggestion') } },
              }),
            },
            ...problems(400, 500),
          },
        },
      },
      '/v1/houses/{id}': {
        get: {
          operationId: 'houseGet',
          summary: 'A house (building footprint) by its id',
          parameters: [idParameter('house')],
          responses: { '200': featureResponse('HouseFeature', 'the house'), ...problems(400, 404, 503, 500) },
        },
        patch: {
          operationId: 'housePatch',
          summary: 'Change a house: its properties and/or its footprint; its grids are assigned again',
          ...SECURED,
          parameters: [idParameter('house')],
          requestBody: jsonBody('HousePatch', { properties: { floors: 7, height_m: 21 } }),
          responses: { '200': writtenFeature('HouseFeature', 'the house as changed'), ...problems(...WRITE_PROBLEMS) },
        },
        delete: {
          operationId: 'houseRetire',
          summary: 'Retire a house: status 废弃 and retired_on the day given (default today); nothing is deleted',
          ...SECURED,
          parameters: [idParameter('house'), RETIRE_DATE],
          responses: { '200': writtenFeature('HouseFeature', 'the retired house'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/houses': {
        post: {
          operationId: 'houseCreate',
          summary: 'Add a house (building footprint); its id, unit grid and social grid are assigned',
          ...SECURED,
          requestBody: jsonBody('HouseCreate', {
            type: 'Feature',
            geometry: { type: 'Polygon', coordinates: [[[116.4135, 39.9305], [116.4137, 39.9305], [116.4137, 39.9307], [116.4135, 39.9307], [116.4135, 39.9305]]] },
            properties: { floors: 2, use: '住宅' },
          }),
          responses: { '201': createdFeature('HouseFeature', 'the new house', '/v1/houses/{id}'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/addresses/{id}': {
        get: {
          operationId: 'addressGet',
          summary: 'A door plate (门楼牌) by its id',
          parameters: [idParameter('address')],
          responses: { '200': featureResponse('AddressFeature', 'the door plate'), ...problems(400, 404, 503, 500) },
        },
        patch: {
          operationId: 'addressPatch',
          summary: 'Change a door plate: its properties and/or its point',
          ...SECURED,
          parameters: [idParameter('address')],
          requestBody: jsonBody('AddressPatch', { properties: { number: 14 } }),
          responses: { '200': writtenFeature('AddressFeature', 'the door plate as changed'), ...problems(...WRITE_PROBLEMS) },
        },
        delete: {
          operationId: 'addressRetire',
          summary: 'Retire a door plate: status 废弃 and retired_on the day given (default today); nothing is deleted',
          ...SECURED,
          parameters: [idParameter('address'), RETIRE_DATE],
          responses: { '200': writtenFeature('AddressFeature', 'the retired door plate'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/addresses': {
        post: {
          operationId: 'addressCreate',
          summary: 'Add a door plate; its id is assigned',
          ...SECURED,
          requestBody: jsonBody('AddressCreate', {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [116.4135, 39.9305] },
            properties: { road: '多福巷', number: 12 },
          }),
          responses: { '201': createdFeature('AddressFeature', 'the new door plate', '/v1/addresses/{id}'), ...problems(...WRITE_PROBLEMS) },
        },
      },
      '/v1/grids/{staticCode}/versions': {
        post: {
          operationId: 'gridVersionCreate',
          summary: 'Redraw a social grid: a new version (new dynamic code) from valid_from, its neighbours redrawn with it, features reassigned',
          description:
            'The old version closes the day before valid_from. Neighbours given are redrawn in the same change so the grids still tile the community; ' +
            'a 409 names the overlap or gap the new boundaries would leave.',
          ...SECURED,
          parameters: [
            {
              name: 'staticCode',
              in: 'path',
              required: true,
              description: '16-digit social grid static code',
              schema: { type: 'string', pattern: '^[0-9]{16}$', format: 'social-grid-code' },
              example: '1101010010011001',
            },
          ],
          requestBody: jsonBody('GridVersionCreate', {
            geometry: { type: 'Polygon', coordinates: [[[116.41, 39.93], [116.42, 39.93], [116.42, 39.94], [116.41, 39.94], [116.41, 39.93]]] },
            valid_from: '2026-07-01',
          }),
          responses: {
            '201': {
              description: 'the new version, its neighbours\' new versions and how many features changed grid',
              headers: { Location: { description: 'the new version: /v1/grids/{static}-{dynamic}', schema: { type: 'string' } } },
              content: jsonContent(ref('GridVersionCreated')),
            },
            ...problems(...WRITE_PROBLEMS),
          },
        },
      },
      '/v1/changes': {
        get: {
          operationId: 'changesList',
          summary: 'The change log, oldest first: every create, update, retire and grid version, with who made it and the rows before and after',
          description:
            'With an API key (required under --reads-need-key, optional otherwise) only the changes inside the key\'s scope: those whose feature\'s representative point lay in the scope\'s area before or lies there after. Who made a change (`actor`) is shown to district keys only; everyone else reads null. A page may end before `limit` changes with a `next` to go on from.',
          parameters: [
            query('since', 'changes after this sequence number (the `next` of the previous page)', { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
            query('limit', 'most changes to return (1–1000)', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          ],
          responses: { '200': { description: 'a page of changes', content: jsonContent(ref('ChangePage')) }, ...problems(400, 401, 404, 503, 500) },
        },
      },
      '/tiles/{source}/{z}/{x}/{y}': {
        get: {
          operationId: 'tileGet',
          'x-ignore-unknown-query': true,
          summary: 'A Mapbox Vector Tile (MVT 2.1, extent 4096, buffer 64) of a source or a composite of sources',
          description:
            'Layers and their attributes are listed in the TileJSON (`vector_layers`). Sent gzip-compressed (`Content-Encoding: gzip`) when the request accepts it. ' +
            'Revalidate with If-None-Match (304). A tile in range without data is 204. Beyond maxzoom clients over-zoom. ' +
            'HEAD answers the headers of the GET, Content-Length included. Query parameters are ignored (`?v=2` busts caches). ' +
            'Cache-Control is `public, max-age=60` for database sources and 3600 for archives unless `serve --cache-control tiles=…` sets it.',
          parameters: [
            {
              name: 'source',
              in: 'path',
              required: true,
              description:
                'tile source: grids, components, houses or wangge (all layers) from the database; an archive given with `serve --archive FILE` by its file name without extension; ' +
                'with `serve --mbtiles`, the name of the file instead of the database sources. Names joined with commas (`grids,houses`) are a composite: the layers of each, a layer two share once (404 lists the sources; see /catalog)',
              schema: { type: 'string' },
              example: 'wangge',
            },
            {
              name: 'z',
              in: 'path',
              required: true,
              description: "zoom, 0–maxzoom of the source (18 for the database's sources, see the TileJSON)",
              schema: { type: 'integer', minimum: 0, maximum: 30 },
              example: 16,
            },
            { name: 'x', in: 'path', required: true, description: 'column, 0–2^z−1', schema: { type: 'integer', minimum: 0 }, example: 53960 },
            { name: 'y', in: 'path', required: true, description: 'row from the north, 0–2^z−1 (XYZ)', schema: { type: 'integer', minimum: 0 }, example: 24827 },
          ],
          responses: {
            '200': {
              description: 'the tile',
              headers: { ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } }, 'Content-Encoding': { schema: { const: 'gzip' } } },
              content: { 'application/vnd.mapbox-vector-tile': { schema: { type: 'string', format: 'binary' } } },
            },
            '204': { description: 'the tile has no data' },
            '304': { description: 'the tile has not changed since the ETag sent in If-None-Match' },
            ...problems(400, 404, 500),
          },
        },
      },
      '/tiles/{tilejson}': {
        get: {
          operationId: 'tileJsonGet',
          'x-ignore-unknown-query': true,
          summary: 'TileJSON 3.0.0 of a source or composite: absolute tile URL (honouring X-Forwarded-Proto / X-Forwarded-Host under `serve --trust-proxy`), bounds, centre, zooms, vector_layers',
          description: 'HEAD answers the headers of the GET, Content-Length included. Query parameters are ignored. Cache-Control `no-cache` unless `serve --cache-control tilejson=…` sets it.',
          parameters: [
            { name: 'tilejson', in: 'path', required: true, description: 'the source name (or comma-joined names) followed by .json', schema: { type: 'string', pattern: '^[^/]+\\.json$' }, example: 'wangge.json' },
          ],
          responses: { '200': { description: 'the TileJSON', content: jsonContent(ref('TileJson')) }, ...problems(404, 500) },
        },
      },
      '/catalog': {
        get: {
          operationId: 'catalogGet',
          summary: 'Every tile source: layers, zooms, attribution, content type; archives with their format and file name',
          description: 'As Martin\'s /catalog. Any comma-joined list of these names is a composite source too. Cache-Control `no-cache` unless `serve --cache-control catalog=…` sets it.',
          responses: { '200': { description: 'the sources by name', content: jsonContent(ref('Catalog')) }, ...problems(400, 500) },
        },
      },
      '/styles/default.json': {
        get: {
          operationId: 'styleGet',
          summary: "A MapLibre style drawing every layer from wangge's own tiles (no external resources)",
          responses: { '200': { description: 'MapLibre style specification v8', content: jsonContent({ type: 'object' }) }, ...problems(500) },
        },
      },
      '/': {
        get: {
          operationId: 'mapPageGet',
          summary: 'The map page: MapLibre GL JS at a 45° pitch, click for grid codes, search an address',
          responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, ...problems(500) },
        },
      },
      '/assets/maplibre-gl/{file}': {
        get: {
          operationId: 'maplibreAssetGet',
          summary: 'MapLibre GL JS files the map page loads, served from the installed package',
          parameters: [
            {
              name: 'file',
              in: 'path',
              required: true,
              description: 'one of the listed files; any other name is a 404',
              schema: { enum: ['maplibre-gl.mjs', 'maplibre-gl-shared.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css'] },
              example: 'maplibre-gl.mjs',
            },
            query('v', 'the maplibre-gl version the page asks for: when it is the served one, the file is cached as immutable', { type: 'string', maxLength: 40 }, false, '6.17.0'),
          ],
          responses: { '200': { description: 'the file (JavaScript module or CSS)' }, '304': { description: 'unchanged' }, ...problems(404, 500) },
        },
      },
    },
    components: {
      schemas: {
        Catalog: {
          type: 'object',
          required: ['tiles'],
          properties: {
            tiles: {
              type: 'object',
              description: 'source name → what it serves',
              additionalProperties: {
                type: 'object',
                required: ['name', 'content_type', 'content_encoding', 'minzoom', 'maxzoom', 'bounds', 'layers', 'tilejson'],
                properties: {
                  name: { type: 'string', description: 'the name in its metadata' },
                  description: { type: 'string' },
                  attribution: { type: 'string' },
                  content_type: { const: 'application/vnd.mapbox-vector-tile' },
                  content_encoding: { const: 'gzip', description: 'how tiles are sent to clients that accept it' },
                  minzoom: { type: 'integer' },
                  maxzoom: { type: 'integer' },
                  bounds: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
                  layers: {
                    type: 'array',
                    items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, minzoom: { type: 'integer' }, maxzoom: { type: 'integer' } } },
                  },
                  tilejson: { type: 'string', format: 'uri', description: 'the TileJSON URL' },
                  archive: {
                    type: 'object',
                    description: 'only for archives served with `serve --archive`',
                    required: ['format', 'file'],
                    properties: { format: { enum: ['mbtiles', 'pmtiles'] }, file: { type: 'string', description: 'file name, without its folder' } },
                  },
                },
              },
            },
          },
        },
        TileJson: {
          type: 'object',
          description: 'TileJSON 3.0.0',
          required: ['tilejson', 'tiles', 'vector_layers', 'minzoom', 'maxzoom', 'bounds', 'center'],
          properties: {
            tilejson: { const: '3.0.0' },
            name: { type: 'string' },
            description: { type: 'string' },
            version: { type: 'string' },
            attribution: { type: 'string' },
            scheme: { const: 'xyz' },
            tiles: { type: 'array', items: { type: 'string', format: 'uri-template' } },
            minzoom: { type: 'integer' },
            maxzoom: { type: 'integer' },
            bounds: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
            center: { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 },
            vector_layers: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'fields'],
                properties: {
                  id: { type: 'string' },
                  description: { type: 'string' },
                  minzoom: { type: 'integer' },
                  maxzoom: { type: 'integer' },
                  fields: { type: 'object', additionalProperties: { type: 'string' } },
                },
              },
            },
          },
        },
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
            status: { enum: ['ok', 'degraded'], description: 'degraded: a PostGIS replica that cannot reach its database; it answers reads from its copy' },
            reason: { type: 'string', description: 'why degraded' },
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
          level: { enum: ADMIN_LEVELS },
          ...attributeSchemas(AREAS),
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
          status: { enum: COMPONENT_STATUSES },
          ...attributeSchemas(COMPONENTS),
          initial_date: date,
          change_date: nullable('string', { format: 'date' }),
          unit_grid_code: nullable('string'),
        }),
        NamedCode: nullable('object', { required: ['code', 'name'], properties: { code: { type: 'string' }, name: { type: 'string' } } }),
        ReverseResult: {
          type: 'object',
          required: ['lng', 'lat', 'district', 'street', 'community', 'unitGrid', 'socialGrid'],
          properties: {
            lng: { type: 'number', description: 'WGS84' },
            lat: { type: 'number', description: 'WGS84' },
            input: { type: 'array', description: 'the point as sent, when a crs other than WGS84 was given' },
            district: ref('NamedCode'),
            street: ref('NamedCode'),
            community: ref('NamedCode'),
            unitGrid: nullable('object', { required: ['code'], properties: { code: { type: 'string' } } }),
            socialGrid: nullable('object', {
              required: ['staticCode', 'dynamicCode', 'name'],
              properties: { staticCode: { type: 'string' }, dynamicCode: { type: 'string' }, name: { type: 'string' } },
            }),
            nearestAddress: nullable('object', {
              description: 'with address=1: the nearest door plate within 50 m',
              properties: { label: { type: 'string' }, houseId: nullable('integer'), distanceM: { type: 'number' } },
            }),
            components: {
              type: 'array',
              description: 'with components=R: components in service within R metres (retired ones are not listed), nearest first',
              items: {
                type: 'object',
                required: ['code', 'class', 'status', 'distanceM'],
                properties: { code: { type: 'string' }, class: { type: 'string' }, status: { type: 'string' }, distanceM: { type: 'number' } },
              },
            },
          },
        },
        GeocodeResult: {
          type: 'object',
          required: ['address', 'lng', 'lat', 'score', 'level', 'houseId', 'district', 'street', 'community', 'unitGrid', 'socialGrid', 'matched'],
          properties: {
            address: { type: 'string', description: 'canonical address of the place found' },
            lng: { type: 'number' },
            lat: { type: 'number' },
            score: { type: 'number', minimum: 0, maximum: 1 },
            level: { enum: ['door', 'poi', 'road', 'community', 'street', 'district'] },
            houseId: nullable('integer'),
            district: ref('NamedCode'),
            street: ref('NamedCode'),
            community: ref('NamedCode'),
            unitGrid: nullable('object'),
            socialGrid: nullable('object'),
            matched: {
              type: 'object',
              description: 'what the answer rests on',
              required: ['road', 'number', 'poi', 'alias', 'edits'],
              properties: {
                road: nullable('string', { description: 'the stored road name the query was read as' }),
                number: nullable('string', { description: 'the door plate matched or placed: 12号, 甲12号, 3号院2号楼' }),
                poi: nullable('string', { description: 'the place name matched' }),
                alias: nullable('string', { description: 'a former or other name read as today’s (崇文区)' }),
                edits: {
                  type: 'array',
                  description: 'relaxations applied, each lowering the score (README: forward geocoding scores)',
                  items: { enum: MATCH_EDITS },
                },
              },
            },
          },
        },
        Suggestion: {
          type: 'object',
          required: ['text', 'kind', 'lng', 'lat', 'street', 'community', 'exact', 'match'],
          properties: {
            text: { type: 'string', description: 'the name, or the door plate (多福巷12号)' },
            kind: { enum: ['street', 'community', 'road', 'poi', 'grid', 'door'] },
            lng: { type: 'number', description: 'WGS84: the middle of a road, a point inside an area or grid, the place or plate' },
            lat: { type: 'number' },
            code: { type: 'string', description: 'streets (9 digits), communities (12), unit grids (15), social grids (16-digit static code)' },
            scheme: { enum: ['unit', 'social'], description: 'grids' },
            dynamicCode: { type: 'string', description: 'social grids: the current boundary version' },
            id: { type: 'integer', description: 'roads, places and door plates: the record id' },
            houseId: nullable('integer', { description: 'door plates: the house behind the plate' }),
            category: { type: 'string', description: 'places' },
            street: nullable('string', { description: 'the 街道 the point lies in (null for a street)' }),
            community: nullable('string', { description: 'the 社区 the point lies in (null for streets and communities)' }),
            exact: { type: 'boolean', description: 'the whole query was the name, pinyin, initials or code' },
            match: { enum: ['name', 'alias', 'pinyin', 'initials', 'code', 'infix'], description: 'what the query matched' },
          },
        },
        HouseFeature: featureSchema('integer', geometry('Polygon'), {
          id: { type: 'integer' },
          ...attributeSchemas(HOUSES),
          unit_grid_code: nullable('string'),
          social_static_code: nullable('string'),
          status: { enum: LIFE_STATUSES },
          retired_on: nullable('string', { format: 'date', description: 'the day it was retired (status 废弃)' }),
        }),
        AddressFeature: featureSchema('integer', geometry('Point'), {
          id: { type: 'integer' },
          label: { type: 'string', description: 'the door plate: 多福巷12号, 安定门外大街3号院2号楼' },
          ...attributeSchemas(ADDRESSES),
          status: { enum: LIFE_STATUSES },
          retired_on: nullable('string', { format: 'date', description: 'the day it was retired (status 废弃)' }),
        }),
        ...writeSchemas(),
      },
      responses: {
        BadRequest: problemResponse('malformed code, parameter or body; the detail names the wrong part (an unknown query parameter is one)'),
        Unauthorized: problemResponse('no valid API key: send `Authorization: Bearer <key>`', {
          'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer realm="wangge"' } },
        }),
        Forbidden: problemResponse("the API key's scope does not cover where the feature lies"),
        NotFound: problemResponse('nothing has this code or id, or a path segment is none of its listed values'),
        Conflict: problemResponse('the change contradicts what is stored: already retired, or new grid boundaries that overlap or leave a gap'),
        TooLarge: problemResponse('the body, or the batch in it, is larger than the endpoint accepts'),
        RateLimited: problemResponse('too many requests from this key or address', {
          'Retry-After': { description: 'seconds to wait', schema: { type: 'integer', minimum: 1 } },
        }),
        Unavailable: problemResponse(
          'the database cannot be read; or, for a write, the disk is full or failing (code disk_full, io_error) or another writer held the database too long (code busy) — nothing was written, try again after Retry-After',
          { 'Retry-After': { description: 'seconds to wait (sent with codes busy, disk_full and io_error)', schema: { type: 'integer', minimum: 1 } } },
        ),
        ServerError: problemResponse('unexpected failure, logged under the request id'),
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'a wangge API key (wg_…), made with `wangge keys create`' },
      },
    },
  });
}

// paths whose reads take an API key, and need one under --reads-need-key (app.ts)
const KEYED_READS = /^\/(v1\/|tiles\/|catalog$|metrics$)/;
// paths answered with an ETag and a 304 to a matching If-None-Match (app.ts)
const REVALIDATED = /^\/v1\/(areas|grids|components|houses)\//;

/**
 * What the middleware in front of every route adds to each operation (app.ts): `security` — a
 * write's key as declared, an optional key on reads (required under --reads-need-key), none
 * elsewhere; 429 from the rate limit on every operation; 401 where a key can be asked for; 304
 * where answers carry an ETag; 400 for an unknown query parameter (validation.ts) on every one.
 */
function withEdgeAnswers(document: OpenApiDocument): OpenApiDocument {
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const keyed = KEYED_READS.test(path);
      operation.security ??= keyed ? [{}, { bearerAuth: [] }] : [{}];
      const added = [400, ...(keyed ? [401] : []), 429].filter((status) => operation.responses[String(status)] === undefined);
      if (method === 'get' && REVALIDATED.test(path) && operation.responses['304'] === undefined) {
        operation.responses['304'] = { description: 'unchanged since the ETag sent in If-None-Match' };
      }
      Object.assign(operation.responses, problems(...added));
    }
  }
  return document;
}

function problemResponse(description: string, headers?: Record<string, unknown>) {
  return { description, ...(headers ? { headers } : {}), content: { 'application/problem+json': { schema: ref('Problem') } } };
}

// request geometries are checked as far as a schema can (type, WGS84 ranges, enough positions);
// rings closing and polygon validity are the writer's checks
const geometryInput = (...types: string[]) => ({
  type: 'object',
  description: `GeoJSON ${types.join(' or ')} in WGS84 (RFC 7946)`,
  required: ['type', 'coordinates'],
  properties: { type: { enum: types }, coordinates: { type: 'array' } },
  allOf: types.map((t) => ({ if: { properties: { type: { const: t } } }, then: ref(`${t}Geometry`) })),
});

// a Feature to create: its geometry and its properties, nothing else
const featureInput = (geometry: Record<string, unknown>, properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  required: ['type', 'geometry', 'properties'],
  additionalProperties: false,
  properties: {
    type: { const: 'Feature' },
    geometry,
    properties: { type: 'object', required, additionalProperties: false, properties },
  },
});

// a change: only what changes, some properties, the geometry or both (a whole Feature is fine too)
const patchInput = (geometry: Record<string, unknown>, properties: Record<string, unknown>) => ({
  type: 'object',
  description: 'only what changes: some properties, the geometry, or both',
  additionalProperties: false,
  properties: {
    type: { const: 'Feature' },
    geometry,
    properties: { type: 'object', additionalProperties: false, properties },
  },
});

const JSON_TYPES: Readonly<Record<Column['type'], string>> = { text: 'string', integer: 'integer', real: 'number', boolean: 'boolean', date: 'string', names: 'array', geometry: 'object' };

/**
 * A layer's attributes (src/layers/<layer>.ts) as JSON Schema properties: as API features carry
 * them, or as a write takes them (`write`: with their bounds and longest text; `create`: with
 * their constant defaults too, except for the properties a create requires).
 */
function attributeSchemas(table: LayerTable, use: 'read' | 'write' | 'create' = 'read', required: readonly string[] = []): Record<string, Record<string, unknown>> {
  const schemas: Record<string, Record<string, unknown>> = {};
  for (const column of attributesOf(table)) {
    const rules = column.attribute;
    const type = JSON_TYPES[column.type];
    const schema: Record<string, unknown> = column.values
      ? { enum: column.nullable ? [...column.values, null] : column.values }
      : { type: column.nullable ? [type, 'null'] : type, ...(column.type === 'date' ? { format: 'date' } : {}), ...(column.type === 'names' ? { items: { type: 'string' } } : {}) };
    const described = [column.description, use !== 'read' && rules.defaultText && `default: ${rules.defaultText}`].filter(Boolean).join('; ');
    if (described !== '') schema.description = described;
    if (use !== 'read') {
      if (rules.min !== undefined) schema.minimum = rules.min;
      if (rules.max !== undefined) schema.maximum = rules.max;
      if (column.type === 'text' && !column.nullable && column.values === undefined) schema.minLength = 1;
      if (rules.maxLength !== undefined) schema.maxLength = rules.maxLength;
    }
    if (use === 'create' && rules.default !== undefined && typeof rules.default !== 'function' && !required.includes(column.name)) schema.default = rules.default;
    schemas[column.name] = schema;
  }
  return schemas;
}

/** Request bodies of the write API and what its answers hold (docs/write-api.md). */
function writeSchemas(): Record<string, unknown> {
  const component = {
    name: { type: 'string', maxLength: 100, description: 'default: the class name' },
    status: { enum: COMPONENT_STATUSES.filter((s) => s !== '废弃'), description: '废弃 is set by DELETE, which records the day' },
    ...attributeSchemas(COMPONENTS, 'write'),
  };
  const house = attributeSchemas(HOUSES, 'write');
  const address = attributeSchemas(ADDRESSES, 'write');
  const componentGeometry = geometryInput('Point', 'LineString', 'Polygon');
  const areaGeometry = geometryInput('Polygon', 'MultiPolygon');
  const staticCode = { type: 'string', pattern: '^[0-9]{16}$', format: 'social-grid-code', description: '16-digit social grid static code' };
  return {
    Position: {
      type: 'array',
      description: '[longitude, latitude] in WGS84 (an altitude may follow)',
      prefixItems: [
        { type: 'number', minimum: -180, maximum: 180 },
        { type: 'number', minimum: -90, maximum: 90 },
      ],
      items: { type: 'number' },
      minItems: 2,
      maxItems: 3,
    },
    LinearRing: { type: 'array', description: 'closed: the last position repeats the first', minItems: 4, items: ref('Position') },
    PointGeometry: { type: 'object', properties: { type: { const: 'Point' }, coordinates: ref('Position') } },
    LineStringGeometry: { type: 'object', properties: { type: { const: 'LineString' }, coordinates: { type: 'array', minItems: 2, items: ref('Position') } } },
    PolygonGeometry: { type: 'object', properties: { type: { const: 'Polygon' }, coordinates: { type: 'array', minItems: 1, items: ref('LinearRing') } } },
    MultiPolygonGeometry: {
      type: 'object',
      properties: { type: { const: 'MultiPolygon' }, coordinates: { type: 'array', minItems: 1, items: { type: 'array', minItems: 1, items: ref('LinearRing') } } },
    },
    ComponentCreate: featureInput(
      componentGeometry,
      {
        major: { type: 'string', pattern: '^[0-9]{2}$', description: 'major class (大类), 2 digits' },
        minor: { type: 'string', pattern: '^[0-9]{2}$', description: 'minor class (小类), 2 digits' },
        ...component,
        status: { ...component.status, default: '完好' },
        initial_date: { ...date, description: 'default: today' },
        district_code: {
          type: 'string',
          pattern: '^[0-9]{6}$',
          format: 'division-code',
          description: 'the district its code is numbered in; it comes from the unit grid the component lies in, and any other value is a 400',
        },
      },
      ['major', 'minor', 'dept_main'],
    ),
    ComponentPatch: patchInput(componentGeometry, component),
    HouseCreate: featureInput(geometryInput('Polygon'), attributeSchemas(HOUSES, 'create', ['floors', 'use']), ['floors', 'use']),
    HousePatch: patchInput(geometryInput('Polygon'), house),
    AddressCreate: featureInput(geometryInput('Point'), attributeSchemas(ADDRESSES, 'create', ['road', 'number']), ['road', 'number']),
    AddressPatch: patchInput(geometryInput('Point'), address),
    GridVersionCreate: {
      type: 'object',
      required: ['geometry'],
      additionalProperties: false,
      properties: {
        geometry: areaGeometry,
        valid_from: { ...date, description: 'the first day of the new version (default: today)' },
        name: { type: 'string', minLength: 1, maxLength: 100 },
        neighbours: {
          type: 'array',
          description: 'grids redrawn in the same change, so the community stays tiled',
          items: { type: 'object', required: ['static_code', 'geometry'], additionalProperties: false, properties: { static_code: staticCode, geometry: areaGeometry } },
        },
      },
    },
    GridVersionCreated: {
      type: 'object',
      required: ['grid', 'neighbours', 'reassigned'],
      properties: {
        grid: ref('GridFeature'),
        neighbours: { type: 'array', items: ref('GridFeature') },
        reassigned: {
          type: 'object',
          description: 'how many features now lie in another grid',
          required: ['houses', 'components', 'addresses'],
          properties: Object.fromEntries(['houses', 'components', 'addresses'].map((k) => [k, { type: 'integer', minimum: 0 }])),
        },
      },
    },
    Change: {
      type: 'object',
      required: ['seq', 'at', 'actor', 'op', 'layer', 'key', 'before', 'after'],
      properties: {
        seq: { type: 'integer', minimum: 1 },
        at: { type: 'string', format: 'date-time' },
        actor: nullable('string', { description: "the API key's name, or import; null unless the reader holds a district key" }),
        op: { enum: ['create', 'update', 'retire', 'version', 'upsert'], description: 'upsert: logged before ops were recorded' },
        layer: { enum: LAYERS },
        key: { type: 'string', description: 'code (areas, components), id (houses, addresses, roads, pois, aliases), scheme:code (grids)' },
        before: nullable('object', { description: 'the stored row before; null for a create' }),
        after: nullable('object', { description: 'the stored row after' }),
      },
    },
    ChangePage: {
      type: 'object',
      required: ['changes', 'next'],
      properties: {
        changes: { type: 'array', items: ref('Change') },
        next: nullable('integer', { description: 'pass as since for the next page; null when this page is the last' }),
      },
    },
  };
}

function packageVersion(): string {
  // src/http and dist/http are both two levels below the package root
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
