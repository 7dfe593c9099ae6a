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
  Object.fromEntries(statuses.map((s) => [String(s), response(PROBLEM_RESPONSES[s] ?? 'ServerError')]));

const PROBLEM_RESPONSES: Partial<Record<number, string>> = { 400: 'BadRequest', 404: 'NotFound', 413: 'TooLarge', 503: 'Unavailable' };

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
            query('address', '1: add the nearest door plate within 50 m', { enum: ['0', '1'] }),
          ],
          responses: { '200': { description: 'what contains the point', content: jsonContent(ref('ReverseResult')) }, ...problems(400, 500) },
        },
        post: {
          operationId: 'reversePost',
          summary: 'Many points at once (up to 100,000), answered in input order',
          requestBody: {
            required: true,
            content: jsonContent({
              type: 'object',
              required: ['points'],
              properties: {
                points: { type: 'array', maxItems: 100000, items: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], minItems: 2 } },
                crs: { type: 'string', description: CRS_DESCRIPTION },
                at: date,
                address: { type: 'boolean', description: 'add the nearest door plate within 50 m' },
              },
            }),
          },
          responses: {
            '200': {
              description: 'one result per point, in order',
              content: jsonContent({ type: 'object', required: ['results'], properties: { results: { type: 'array', items: ref('ReverseResult') } } }),
            },
            ...problems(400, 413, 500),
          },
        },
      },
      '/v1/geocode': {
        get: {
          operationId: 'geocodeGet',
          summary: 'Chinese address → ranked places with their codes',
          description:
            'Normalises the address (full-width, Chinese numerals, 北京市 prefixes, 号院/号楼/栋/幢 forms, variants), matches a door plate exactly, else falls back to the road (number interpolated), the community, the street. An unknown road never gives a door-level result.',
          parameters: [
            query('q', 'the address', { type: 'string', minLength: 1, maxLength: 200 }, true, '北京市东城区多福巷12号'),
            query('limit', 'most candidates to return (1–20)', { type: 'integer', minimum: 1, maximum: 20, default: 5 }),
          ],
          responses: {
            '200': {
              description: 'candidates, best first (possibly none)',
              content: jsonContent({
                type: 'object',
                required: ['query', 'results'],
                properties: { query: { type: 'string' }, results: { type: 'array', items: ref('GeocodeResult') } },
              }),
            },
            ...problems(400, 500),
          },
        },
        post: {
          operationId: 'geocodePost',
          summary: 'Many addresses at once (up to 10,000): the best candidate of each, or null, in input order',
          requestBody: {
            required: true,
            content: jsonContent({
              type: 'object',
              required: ['addresses'],
              properties: { addresses: { type: 'array', maxItems: 10000, items: { type: 'string' } } },
            }),
          },
          responses: {
            '200': {
              description: 'one best result (or null) per address, in order',
              content: jsonContent({
                type: 'object',
                required: ['results'],
                properties: { results: { type: 'array', items: { oneOf: [ref('GeocodeResult'), { type: 'null' }] } } },
              }),
            },
            ...problems(400, 413, 500),
          },
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
      '/tiles/{source}/{z}/{x}/{y}': {
        get: {
          operationId: 'tileGet',
          summary: 'A Mapbox Vector Tile (MVT 2.1, extent 4096, buffer 64) of a source',
          description:
            'Layers and their attributes are listed in the TileJSON (`vector_layers`). Sent gzip-compressed (`Content-Encoding: gzip`) when the request accepts it. ' +
            'Revalidate with If-None-Match (304). A tile in range without data is 204. Beyond maxzoom clients over-zoom.',
          parameters: [
            { name: 'source', in: 'path', required: true, description: 'tile source', schema: { enum: ['grids', 'components', 'houses', 'wangge'] }, example: 'wangge' },
            { name: 'z', in: 'path', required: true, description: 'zoom, 0–maxzoom of the source (18)', schema: { type: 'integer', minimum: 0, maximum: 18 }, example: 16 },
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
          summary: 'TileJSON 3.0.0 of a source: absolute tile URL (honouring X-Forwarded-Proto / X-Forwarded-Host), bounds, centre, zooms, vector_layers',
          parameters: [
            { name: 'tilejson', in: 'path', required: true, description: 'the source name followed by .json', schema: { type: 'string', pattern: '^[^/]+\\.json$' }, example: 'wangge.json' },
          ],
          responses: { '200': { description: 'the TileJSON', content: jsonContent(ref('TileJson')) }, ...problems(404, 500) },
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
              description: 'one of the listed files',
              schema: { enum: ['maplibre-gl.mjs', 'maplibre-gl-shared.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css'] },
              example: 'maplibre-gl.mjs',
            },
          ],
          responses: { '200': { description: 'the file (JavaScript module or CSS)' }, '304': { description: 'unchanged' }, ...problems(404, 500) },
        },
      },
    },
    components: {
      schemas: {
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
          },
        },
        GeocodeResult: {
          type: 'object',
          required: ['address', 'lng', 'lat', 'score', 'level', 'houseId', 'district', 'street', 'community', 'unitGrid', 'socialGrid'],
          properties: {
            address: { type: 'string', description: 'canonical address of the place found' },
            lng: { type: 'number' },
            lat: { type: 'number' },
            score: { type: 'number', minimum: 0, maximum: 1 },
            level: { enum: ['door', 'road', 'community', 'street', 'district'] },
            houseId: nullable('integer'),
            district: ref('NamedCode'),
            street: ref('NamedCode'),
            community: ref('NamedCode'),
            unitGrid: nullable('object'),
            socialGrid: nullable('object'),
          },
        },
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
        TooLarge: problemResponse('the batch is larger than the endpoint accepts'),
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
