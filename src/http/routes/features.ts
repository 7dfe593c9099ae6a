import type { Context } from 'hono';
import { Hono } from 'hono';
import type { Feature, Geometry } from 'geojson';
import { decodeComponentCode, parseGridCode } from '../../codes/index.js';
import type { ComponentClassTable } from '../../codes/index.js';
import { showInput } from '../../codes/code-error.js';
import { InvalidRequestError, NotFoundError } from '../../errors.js';
import { attributeProperties } from '../../layers/columns.js';
import { ADDRESSES, AREAS, COMPONENTS, formatDoorPlate, HOUSES, type Address, type AdminArea, type Component, type Grid, type House } from '../../model.js';
import type { Store } from '../../store/store.js';
import { valid, validated } from '../validation.js';

/** Media type of every feature response (RFC 7946). */
export const GEOJSON_CONTENT_TYPE = 'application/geo+json';

/** What the feature endpoints read from the store; a fake with these methods serves tests. */
export type FeatureSource = Pick<Store, 'getArea' | 'getGrid' | 'getSocialGridVersion' | 'gridHistory' | 'getComponent' | 'getHouse' | 'getAddress'>;

export interface FeatureRoutesOptions {
  store: FeatureSource;
  /** the class table component codes are checked against (the shipped one by default) */
  componentClasses?: ComponentClassTable;
}

/** `GET /v1/{areas,grids,components,houses,addresses}/{key}`: one GeoJSON feature each. */
export function featureRoutes({ store, componentClasses }: FeatureRoutesOptions): Hono {
  const app = new Hono();

  app.get('/v1/areas/:code', validated('areaGet'), function areaGet(c) {
    // the schema's division-code format has checked every part of the code
    const code = c.req.param('code');
    const area = store.getArea(code);
    if (!area) throw new NotFoundError(`no administrative area with code ${code}`);
    return geoJson(c, areaFeature(area, store));
  });

  app.get('/v1/grids/:code', validated('gridGet'), function gridGet(c) {
    const { at } = valid<{ query: { at?: string } }>(c).query;
    const grid = findGrid(store, c.req.param('code'), at);
    return geoJson(c, gridFeature(grid, store));
  });

  app.get('/v1/components/:code', validated('componentGet'), function componentGet(c) {
    const code = c.req.param('code');
    const { className, classCode } = decodeComponentCode(code, componentClasses);
    const component = store.getComponent(code);
    if (!component) throw new NotFoundError(`no component with code ${code} (class ${classCode} ${className})`);
    return geoJson(c, componentFeature(component, className));
  });

  app.get('/v1/houses/:id', validated('houseGet'), function houseGet(c) {
    const { id } = valid<{ path: { id: number } }>(c).path;
    const house = store.getHouse(id);
    if (!house) throw new NotFoundError(`no house with id ${id}`);
    return geoJson(c, houseFeature(house));
  });

  app.get('/v1/addresses/:id', validated('addressGet'), function addressGet(c) {
    const { id } = valid<{ path: { id: number } }>(c).path;
    const address = store.getAddress(id);
    if (!address) throw new NotFoundError(`no address with id ${id}`);
    return geoJson(c, addressFeature(address));
  });

  return app;
}

function geoJson(c: Context, feature: Feature): Response {
  // features change when data is imported: caches revalidate (the app adds an ETag)
  return c.body(JSON.stringify(feature), 200, { 'Content-Type': GEOJSON_CONTENT_TYPE, 'Cache-Control': 'no-cache' });
}

/**
 * The grid version a code names: a full static-dynamic code names one version (current or
 * closed); any other code gives the version valid on `at`, or the current one.
 */
function findGrid(store: FeatureSource, raw: string, at: string | undefined): Grid {
  const parsed = parseGridCode(raw);
  if (parsed.scheme === 'social' && parsed.dynamicCode !== null) {
    if (at !== undefined) {
      throw new InvalidRequestError(
        `at cannot be combined with the full code ${raw}, which names one version already; ask for /v1/grids/${parsed.staticCode}?at=${at} instead`,
      );
    }
    const grid = store.getSocialGridVersion(parsed.staticCode, parsed.dynamicCode);
    if (grid) return grid;
    const versions = store.gridHistory('social', parsed.staticCode);
    const known = versions.length ? `its versions are ${versions.map((v) => v.dynamicCode).join(', ')}` : 'no such social grid exists';
    throw new NotFoundError(`social grid ${parsed.staticCode} has no version ${parsed.dynamicCode}; ${known}`);
  }
  const code = parsed.scheme === 'unit' ? parsed.code : parsed.staticCode;
  const grid = store.getGrid(parsed.scheme, code, at);
  if (grid) return grid;
  const label = parsed.scheme === 'unit' ? 'unit grid' : 'social grid';
  const read = parsed.scheme === 'unit' && parsed.legacy ? ` (legacy code ${raw} read as ${code})` : '';
  const history = store.gridHistory(parsed.scheme, code);
  if (history.length === 0) throw new NotFoundError(`no ${label} with code ${code}${read}`);
  const spans = history.map((v) => `${v.validFrom} to ${v.validTo ?? 'now'}`).join(', ');
  if (at !== undefined) throw new NotFoundError(`${label} ${code}${read} has no version valid on ${at}; its versions cover ${spans}`);
  throw new NotFoundError(`${label} ${code}${read} has no current version (its versions cover ${spans}); ask with ?at=YYYY-MM-DD`);
}

function areaFeature(area: AdminArea, store: FeatureSource): Feature {
  const parent = area.parentCode === null ? null : store.getArea(area.parentCode);
  return feature(area.code, area.geometry, {
    code: area.code,
    level: area.level,
    ...attributeProperties(AREAS, area),
    parent_code: area.parentCode,
    parent_name: parent?.name ?? null,
  });
}

export function gridFeature(grid: Grid, store: FeatureSource): Feature {
  const community = store.getArea(grid.communityCode);
  // grids imported without their areas still name the street their code implies
  const streetCode = community?.parentCode ?? grid.communityCode.slice(0, 9);
  const street = store.getArea(streetCode);
  const fullCode = grid.dynamicCode === null ? null : `${grid.code}-${grid.dynamicCode}`;
  return feature(fullCode ?? grid.code, grid.geometry, {
    scheme: grid.scheme,
    code: grid.code,
    ...(grid.scheme === 'social' ? { static_code: grid.code, dynamic_code: grid.dynamicCode, full_code: fullCode } : {}),
    name: grid.name,
    community_code: grid.communityCode,
    community_name: community?.name ?? null,
    street_code: streetCode,
    street_name: street?.name ?? null,
    area_m2: grid.areaM2,
    valid_from: grid.validFrom,
    valid_to: grid.validTo,
  });
}

export function componentFeature(component: Component, className: string): Feature {
  return feature(component.code, component.geometry, {
    code: component.code,
    major: component.major,
    minor: component.minor,
    class_code: component.major + component.minor,
    class_name: className,
    name: component.name,
    status: component.status,
    ...attributeProperties(COMPONENTS, component),
    initial_date: component.initialDate,
    change_date: component.changeDate,
    unit_grid_code: component.unitGridCode,
  });
}

export function houseFeature(house: House): Feature {
  return feature(house.id, house.geometry, {
    id: house.id,
    ...attributeProperties(HOUSES, house),
    unit_grid_code: house.unitGridCode,
    social_static_code: house.socialStaticCode,
    status: house.status,
    retired_on: house.retiredOn,
  });
}

export function addressFeature(address: Address): Feature {
  return feature(address.id, address.geometry, {
    id: address.id,
    label: formatDoorPlate(address),
    ...attributeProperties(ADDRESSES, address),
    status: address.status,
    retired_on: address.retiredOn,
  });
}

function feature(id: string | number, geometry: Geometry, properties: Record<string, unknown>): Feature {
  return { type: 'Feature', id, geometry, properties };
}

/** Parses an optional ISO calendar date parameter strictly (moved beside the schema's `date` format). */
export { parseDate } from '../validation.js';

/** A house id: a positive integer in decimal, no sign or leading zeros. */
export function parseHouseId(text: string): number {
  return parseId(text, 'house');
}

/** A numeric id (houses, addresses): a positive integer in decimal, no sign or leading zeros. */
export function parseId(text: string, what: string): number {
  const id = Number(text);
  if (/^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(id)) return id;
  throw new InvalidRequestError(`${what} id must be a positive integer (1, 2, …), got ${showInput(text)}`);
}
