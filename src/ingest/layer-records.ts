import type { Feature, Geometry, Point, Position } from 'geojson';
import { decodeAdminCode } from '../codes/admin.js';
import { decodeComponentCode, encodeComponentCode } from '../codes/component.js';
import { findComponentClass } from '../codes/component-classes.js';
import { decodeDynamicCode, decodeSocialGridCode } from '../codes/social-grid.js';
import { decodeUnitGridCode } from '../codes/unit-grid.js';
import { geometryAreaM2 } from '../geo/area.js';
import { interiorPoint } from '../geo/interior-point.js';
import { validateGeometry } from '../geo/validate.js';
import { attributesOf, inColumnOrder, memberOf, type AttributeRules, type Column, type LayerTable } from '../layers/columns.js';
import {
  ADDRESSES,
  ADMIN_LEVELS,
  ALIASES,
  AREAS,
  COMPONENT_STATUSES,
  COMPONENTS,
  HOUSES,
  LAYER_TABLES,
  LIFE_STATUSES,
  POIS,
  ROADS,
  type Address,
  type AdminArea,
  type Alias,
  type AliasLevel,
  type AreaGeometry,
  type Component,
  type ComponentStatus,
  type Grid,
  type House,
  type IdLayer,
  type Layer,
  type Poi,
  type Road,
} from '../model.js';

/** What turning features into records needs from the store: grids to locate, free ids and serials. */
export interface RecordContext {
  /** the current unit grid and social grid (static code) containing a point */
  gridsAt(lng: number, lat: number): { unitGridCode: string | null; socialStaticCode: string | null };
  /** the next component serial for a district and class (the caller keeps it increasing within an import) */
  nextComponentSerial(districtCode: string, major: string, minor: string): number;
  nextId(layer: IdLayer): number;
  /** the date new grid versions take effect when the input does not say */
  today: string;
}

interface LayerRecords {
  areas: AdminArea;
  grids: Grid;
  components: Component;
  houses: House;
  addresses: Address;
  roads: Road;
  pois: Poi;
  aliases: Alias;
}

export type LayerRecordOf<L extends Layer> = LayerRecords[L];

/** Collects every problem of a feature so one message can list them all. */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
}

/**
 * Turns an input feature into a record of a layer, filling what the input lacks (codes by
 * point-in-polygon, ids, serials, names) and throwing one Error that lists every problem.
 * Property names are those `recordToFeature` writes (snake_case); camelCase is accepted too.
 */
export function featureToRecord<L extends Layer>(layer: L, feature: Feature<Geometry | null>, context: RecordContext): LayerRecordOf<L> {
  const problems = new Problems();
  const props = new Props(feature.properties ?? {}, problems);
  const expected = EXPECTED_GEOMETRY[layer];
  const geometryProblems =
    expected !== null
      ? validateGeometry(feature.geometry, { expect: [...expected] })
      : feature.geometry === null || feature.geometry === undefined
        ? []
        : [`${layer} have no geometry; give null (GeoJSON) or leave out the wkt and lng/lat columns (CSV)`];
  for (const p of geometryProblems) problems.add(`geometry: ${p}`);
  const record = geometryProblems.length > 0 ? null : BUILDERS[layer](props, feature.geometry as never, context, problems);
  if (problems.list.length > 0 || record === null) throw new Error(problems.list.join('; '));
  return inColumnOrder(LAYER_TABLES[layer], record) as LayerRecordOf<L>;
}

/**
 * A layer's attributes (src/layers/<layer>.ts) read from the properties and checked by their
 * rules, defaults filled in (computed ones last, from the others). A missing required one is a
 * problem and its member null: the feature is refused.
 */
function readAttributes(props: Props, layer: LayerTable): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const computed: [string, (record: Readonly<Record<string, unknown>>) => unknown][] = [];
  for (const column of attributesOf(layer)) {
    const member = memberOf(column.name);
    const fallback = column.attribute.default;
    values[member] = props.attribute(column);
    if (values[member] !== null || fallback === undefined) continue;
    if (typeof fallback === 'function') computed.push([member, fallback]);
    else values[member] = fallback;
  }
  for (const [member, compute] of computed) values[member] = compute(values);
  return values;
}

/** The geometry types each layer takes; null for a layer of attributes only. */
const EXPECTED_GEOMETRY = {
  areas: ['Polygon', 'MultiPolygon'],
  grids: ['Polygon', 'MultiPolygon'],
  components: ['Point', 'LineString', 'Polygon'],
  houses: ['Polygon'],
  addresses: ['Point'],
  roads: ['LineString'],
  pois: ['Point', 'Polygon', 'MultiPolygon'],
  aliases: null,
} as const satisfies Record<Layer, readonly Geometry['type'][] | null>;

/** False for a layer whose records have no geometry (aliases): its files carry attributes only. */
export function layerHasGeometry(layer: Layer): boolean {
  return EXPECTED_GEOMETRY[layer] !== null;
}

type Builder<R> = (props: Props, geometry: never, context: RecordContext, problems: Problems) => R | null;

const BUILDERS: { [L in Layer]: Builder<LayerRecordOf<L>> } = {
  areas: (props, geometry: AreaGeometry, _context, problems) => {
    // AMap / DataV outlines call the division code `adcode`
    const code = props.text('code') ?? props.text('adcode', true);
    if (code === null) return null;
    let decoded;
    try {
      decoded = decodeAdminCode(code);
    } catch (error) {
      problems.add((error as Error).message);
      return null;
    }
    const level = props.oneOf('level', ADMIN_LEVELS) ?? decoded.level;
    if (level !== decoded.level) problems.add(`level "${level}" does not match code ${code}, which is a ${decoded.level} code`);
    const parent = level === 'district' ? null : level === 'street' ? decoded.districtCode : decoded.streetCode!;
    return { code, level, ...readAttributes(props, AREAS), parentCode: props.text('parent_code') ?? parent, geometry } as AdminArea;
  },

  grids: (props, geometry: AreaGeometry, context, problems) => {
    const rawCode = props.text('code', true);
    if (rawCode === null) return null;
    const scheme = props.oneOf('scheme', ['unit', 'social'] as const) ?? (rawCode.replace(/-.*/, '').length === 16 ? 'social' : 'unit');
    const validFrom = props.date('valid_from') ?? context.today;
    const validTo = props.date('valid_to');
    if (validTo !== null && validTo <= validFrom) problems.add(`valid_to ${validTo} must be after valid_from ${validFrom}`);
    const base = { geometry, areaM2: Math.round(geometryAreaM2(geometry) * 100) / 100, validFrom, validTo };
    try {
      if (scheme === 'unit') {
        const unit = decodeUnitGridCode(rawCode);
        return { ...base, scheme, code: unit.code, dynamicCode: null, communityCode: unit.communityCode, name: props.text('name') ?? `${unit.code}单元网格` };
      }
      const social = decodeSocialGridCode(rawCode);
      const dynamicCode = props.text('dynamic_code') ?? social.dynamicCode;
      if (dynamicCode === null) {
        problems.add('dynamic_code is required for a social grid (6 digits: year + boundary version, e.g. 202601)');
        return null;
      }
      decodeDynamicCode(dynamicCode);
      if (social.dynamicCode !== null && social.dynamicCode !== dynamicCode) {
        problems.add(`code says dynamic code ${social.dynamicCode} but dynamic_code is ${dynamicCode}`);
      }
      return { ...base, scheme, code: social.staticCode, dynamicCode, communityCode: social.communityCode, name: props.text('name') ?? `${social.staticCode}网格` };
    } catch (error) {
      problems.add((error as Error).message);
      return null;
    }
  },

  components: (props, geometry: Component['geometry'], context, problems) => {
    const [lng, lat] = representativePoint(geometry);
    const located = context.gridsAt(lng!, lat!);
    const unitGridCode = props.unitGridCode() ?? located.unitGridCode;
    let code = props.text('code');
    let major = props.text('major');
    let minor = props.text('minor');
    try {
      if (code !== null) {
        const decoded = decodeComponentCode(code);
        if ((major !== null && major !== decoded.major) || (minor !== null && minor !== decoded.minor)) {
          problems.add(`major/minor ${major}/${minor} do not match code ${code} (class ${decoded.classCode})`);
        }
        major = decoded.major;
        minor = decoded.minor;
      } else {
        if (major === null || minor === null) {
          problems.add('needs a code, or major and minor class codes so one can be assigned');
          return null;
        }
        const districtCode = props.text('district_code') ?? unitGridCode?.slice(0, 6) ?? null;
        if (districtCode === null) {
          problems.add('lies in no unit grid, so no district code is known to build its code from; give district_code');
          return null;
        }
        code = encodeComponentCode({ districtCode, major, minor, serial: context.nextComponentSerial(districtCode, major, minor) });
      }
    } catch (error) {
      problems.add((error as Error).message);
      return null;
    }
    const status = (props.oneOf('status', COMPONENT_STATUSES) ?? '完好') as ComponentStatus;
    const initialDate = props.date('initial_date') ?? context.today;
    const changeDate = props.date('change_date');
    if (changeDate !== null && changeDate < initialDate) problems.add(`change_date ${changeDate} is before initial_date ${initialDate}`);
    return {
      code,
      major,
      minor,
      name: props.text('name') ?? findComponentClass(major, minor)?.name ?? `${major}${minor}`,
      status,
      ...readAttributes(props, COMPONENTS),
      initialDate,
      changeDate,
      geometry,
      unitGridCode,
    } as Component;
  },

  houses: (props, geometry: House['geometry'], context) => {
    const [lng, lat] = representativePoint(geometry);
    const located = context.gridsAt(lng!, lat!);
    return {
      id: props.integer('id', { min: 1 }) ?? context.nextId('houses'),
      geometry,
      ...readAttributes(props, HOUSES),
      unitGridCode: props.unitGridCode() ?? located.unitGridCode,
      socialStaticCode: props.socialStaticCode() ?? located.socialStaticCode,
      status: props.oneOf('status', LIFE_STATUSES) ?? '在用',
      retiredOn: props.date('retired_on'),
    } as House;
  },

  addresses: (props, geometry: Point, context) =>
    ({
      id: props.integer('id', { min: 1 }) ?? context.nextId('addresses'),
      ...readAttributes(props, ADDRESSES),
      geometry,
      status: props.oneOf('status', LIFE_STATUSES) ?? '在用',
      retiredOn: props.date('retired_on'),
    }) as Address,

  roads: (props, geometry: Road['geometry'], context) => ({
    id: props.integer('id', { min: 1 }) ?? context.nextId('roads'),
    ...(readAttributes(props, ROADS) as Pick<Road, 'name' | 'kind'>),
    geometry,
  }),

  pois: (props, geometry: Poi['geometry'], context, problems) => {
    const name = props.text('name', true) ?? '';
    // OSM-style and many gazetteer exports call the kind of place `type`
    const category = props.text('category') || props.text('type') || null;
    if (category === null) problems.add('category is required (or type): what kind of place, e.g. 学校, 医院, 公园, 小区');
    const [lng, lat] = representativePoint(geometry);
    const located = context.gridsAt(lng!, lat!);
    return {
      id: props.integer('id', { min: 1 }) ?? context.nextId('pois'),
      name,
      aliases: props.names('aliases').filter((alias) => alias !== name),
      category: category ?? '',
      geometry,
      ...readAttributes(props, POIS),
      unitGridCode: props.unitGridCode() ?? located.unitGridCode,
      socialStaticCode: props.socialStaticCode() ?? located.socialStaticCode,
    } as Poi;
  },

  aliases: (props, _geometry: null, context, problems) => {
    const attributes = readAttributes(props, ALIASES) as Pick<Alias, 'alias' | 'level' | 'canonical' | 'note'>;
    const { level } = attributes;
    const code = props.text('code');
    if (code !== null && level !== null) {
      const problem = aliasCodeProblem(code, level);
      if (problem !== null) problems.add(problem);
    }
    const validFrom = props.date('valid_from');
    const validTo = props.date('valid_to');
    if (validFrom !== null && validTo !== null && validTo <= validFrom) problems.add(`valid_to ${validTo} must be after valid_from ${validFrom}`);
    return { id: props.integer('id', { min: 1 }) ?? context.nextId('aliases'), ...attributes, code, validFrom, validTo };
  },
};

/** What is wrong with an alias's code for its level, or null: a division code of that level, none for a road. */
function aliasCodeProblem(code: string, level: AliasLevel): string | null {
  if (level === 'road') return `code ${code}: a road alias has no code (roads have none); leave it empty`;
  try {
    const decoded = decodeAdminCode(code);
    return decoded.level === level ? null : `code ${code} is a ${decoded.level} code, but level is ${level}`;
  } catch (error) {
    return `code: ${(error as Error).message}`;
  }
}

/** The key that identifies a record: its code (areas, components) or id (the rest); null for grids, whose versions share a code. */
export function recordKey(layer: Layer, record: LayerRecordOf<Layer>): string | number | null {
  if (layer === 'grids') return null;
  return layer === 'areas' || layer === 'components' ? (record as AdminArea | Component).code : (record as { id: number }).id;
}

/** The properties `featureToRecord` reads, as export writes them; geometry null for a layer without one. */
export function recordToFeature(layer: Layer, record: LayerRecordOf<Layer>): Feature<Geometry | null> {
  const { geometry, ...rest } = record as unknown as { geometry?: Geometry } & Record<string, unknown>;
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) properties[snakeCase(key)] = value;
  const id = recordKey(layer, record);
  return { type: 'Feature', ...(id === null ? {} : { id }), properties, geometry: geometry ?? null };
}

/** A point for grid assignment: the point itself, the middle of a line, a point inside a polygon. */
export function representativePoint(geometry: Point | Component['geometry'] | Poi['geometry']): Position {
  if (geometry.type === 'Point') return geometry.coordinates;
  if (geometry.type === 'LineString') {
    const c = geometry.coordinates;
    const a = c[Math.floor((c.length - 1) / 2)]!;
    const b = c[Math.floor((c.length - 1) / 2) + 1] ?? a;
    return [(a[0]! + b[0]!) / 2, (a[1]! + b[1]!) / 2];
  }
  return interiorPoint(geometry);
}

const snakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelCase = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Typed reads of feature properties; CSV gives strings, GeoJSON gives numbers, both are accepted. */
class Props {
  constructor(
    private readonly values: Record<string, unknown>,
    private readonly problems: Problems,
  ) {}

  private raw(name: string): unknown {
    const value = this.values[name] ?? this.values[camelCase(name)];
    return value === '' ? null : (value ?? null);
  }

  /** Trimmed text; a required one may not be blank either. */
  text(name: string, required = false): string | null {
    const value = this.raw(name);
    if (value === null) {
      if (required) this.problems.add(`${name} is required`);
      return null;
    }
    if (typeof value === 'object') {
      this.problems.add(`${name} must be text, got ${JSON.stringify(value)}`);
      return null;
    }
    const text = String(value).trim();
    if (required && text === '') {
      this.problems.add(`${name} is required (got blank text)`);
      return null;
    }
    return text;
  }

  /** A list of names: a JSON array of text, or one text separated by | 、 , ， ; or ；. Blanks and repeats are dropped. */
  names(name: string): string[] {
    const value = this.raw(name);
    if (value === null) return [];
    const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[|、,，;；]/) : null;
    if (parts === null || parts.some((p) => typeof p !== 'string')) {
      this.problems.add(`${name} must be a list of text, or text separated by | 、 , or ；, got ${JSON.stringify(value)}`);
      return [];
    }
    return [...new Set((parts as string[]).map((p) => p.trim()).filter((p) => p !== ''))];
  }

  number(name: string, range: { min?: number; max?: number; required?: boolean } = {}): number | null {
    const value = this.raw(name);
    if (value === null) {
      if (range.required) this.problems.add(`${name} is required`);
      return null;
    }
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) {
      this.problems.add(`${name} "${String(value)}" is not a number`);
      return null;
    }
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      this.problems.add(`${name} ${n} is outside ${range.min ?? '-∞'}–${range.max ?? '∞'}`);
      return null;
    }
    return n;
  }

  integer(name: string, range: { min?: number; max?: number; required?: boolean } = {}): number | null {
    const n = this.number(name, range);
    if (n !== null && !Number.isInteger(n)) {
      this.problems.add(`${name} ${n} must be a whole number`);
      return null;
    }
    return n;
  }

  boolean(name: string): boolean | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (value === true || value === 1 || value === '1' || value === 'true') return true;
    if (value === false || value === 0 || value === '0' || value === 'false') return false;
    this.problems.add(`${name} "${String(value)}" must be true or false`);
    return null;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], required = false): T | null {
    const value = this.text(name);
    if (value === null) {
      if (required) this.problems.add(`${name} is required: one of ${allowed.join(', ')}`);
      return null;
    }
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.add(`${name} "${value}" must be one of ${allowed.join(', ')}`);
      return null;
    }
    return value as T;
  }

  /** An attribute by its column's type and rules (src/layers/columns.ts); null when absent. */
  attribute(column: Column & { attribute: AttributeRules }): unknown {
    const { name, type, values } = column;
    const { required = false, min, max } = column.attribute;
    if (values !== undefined) return this.oneOf(name, values, required);
    const value =
      type === 'text' ? this.text(name, required)
      : type === 'integer' ? this.integer(name, { min, max, required })
      : type === 'real' ? this.number(name, { min, max, required })
      : type === 'boolean' ? this.boolean(name)
      : type === 'date' ? this.date(name)
      : type === 'names' ? this.names(name)
      : null;
    if (value === null && required && (type === 'boolean' || type === 'date')) this.problems.add(`${name} is required`);
    return value;
  }

  /** `unit_grid_code`, checked and normalised to 15 digits (a legacy 14-digit code is accepted). */
  unitGridCode(): string | null {
    const value = this.text('unit_grid_code');
    if (value === null) return null;
    try {
      return decodeUnitGridCode(value).code;
    } catch (error) {
      this.problems.add(`unit_grid_code: ${(error as Error).message}`);
      return null;
    }
  }

  /** `social_static_code`, checked. */
  socialStaticCode(): string | null {
    const value = this.text('social_static_code');
    if (value === null) return null;
    try {
      const decoded = decodeSocialGridCode(value);
      if (decoded.dynamicCode !== null) throw new Error(`give the 16-digit static code only, got ${value}`);
      return decoded.staticCode;
    } catch (error) {
      this.problems.add(`social_static_code: ${(error as Error).message}`);
      return null;
    }
  }

  date(name: string): string | null {
    const value = this.text(name);
    if (value === null) return null;
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
    const iso = compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : value;
    if (!isIsoDate(iso)) {
      this.problems.add(`${name} "${value}" is not a date (YYYY-MM-DD or YYYYMMDD)`);
      return null;
    }
    return iso;
  }
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

