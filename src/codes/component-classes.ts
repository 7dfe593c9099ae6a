import { readFileSync } from 'node:fs';
import { failFor } from './code-error.js';
import type { Fail } from './code-error.js';

/** How a component is stored on the map (standards.md §7.3). */
export type ComponentGeometry = 'point' | 'line' | 'polygon';

/** A component major class (大类). */
export interface ComponentMajor {
  code: string;
  name: string;
  local: boolean;
}

/** A component minor class (小类) with its 4-digit class code. */
export interface ComponentClass {
  major: string;
  minor: string;
  /** major + minor, 4 digits */
  code: string;
  /** national name (S18), or the local name for local classes */
  name: string;
  /** Beijing (Chaoyang, S19) name at the same code, where that source lists one */
  beijingName?: string;
  geometry: ComponentGeometry;
  altGeometry?: readonly ComponentGeometry[];
  /** not in the national table: a Beijing addition or a class added with extendComponentClasses */
  local: boolean;
  note?: string;
}

/** The class table: majors and their minors, in code order. Tables are frozen; extend by copying. */
export interface ComponentClassTable {
  readonly source: string;
  readonly majors: readonly ComponentMajor[];
  readonly classes: readonly ComponentClass[];
}

/** A wholly local major class to add; its code must be 21–89. */
export interface LocalComponentMajor {
  code: string;
  name: string;
}

/** A local minor class to add: 51–99 inside a standard major, 01–99 inside a local one. */
export interface LocalComponentClass {
  major: string;
  minor: string;
  name: string;
  geometry: ComponentGeometry;
  altGeometry?: readonly ComponentGeometry[];
  beijingName?: string;
}

/** Local classes and majors for extendComponentClasses. */
export interface ComponentClassExtension {
  majors?: readonly LocalComponentMajor[];
  classes?: readonly LocalComponentClass[];
}

interface ClassFile {
  source: string;
  majors: {
    major: string;
    name: string;
    local?: boolean;
    minors: {
      minor: string;
      name: string;
      beijingName?: string;
      geometry: ComponentGeometry;
      altGeometry?: ComponentGeometry[];
      local?: boolean;
      note?: string;
    }[];
  }[];
}

const geometries: readonly ComponentGeometry[] = ['point', 'line', 'polygon'];
const policy = 'local minors inside a standard major use 51–99; wholly local majors use 21–89; 90–99 are reserved';

let shared: ComponentClassTable | undefined;
const indexes = new WeakMap<ComponentClassTable, Map<string, ComponentClass>>();

/** The shipped class table from data/component-classes.json, read once and frozen. */
export function loadComponentClasses(): ComponentClassTable {
  shared ??= tableFromFile(readFileSync(new URL('../../data/component-classes.json', import.meta.url), 'utf8'));
  return shared;
}

/** The class with this major and minor code, or undefined. */
export function findComponentClass(
  major: string,
  minor: string,
  table: ComponentClassTable = loadComponentClasses(),
): ComponentClass | undefined {
  return indexOf(table).get(major + minor);
}

/** Name of a class (national name; local name for local classes), or undefined when unknown. */
export function componentClassName(
  major: string,
  minor: string,
  table: ComponentClassTable = loadComponentClasses(),
): string | undefined {
  return findComponentClass(major, minor, table)?.name;
}

/** The major class with this code, or undefined. */
export function findComponentMajor(
  major: string,
  table: ComponentClassTable = loadComponentClasses(),
): ComponentMajor | undefined {
  return table.majors.find((m) => m.code === major);
}

/**
 * A new table with local classes added after checking the extension policy; throws CodeError
 * (scheme 'component-class'). The given table is not changed.
 * @example extendComponentClasses(loadComponentClasses(), { classes: [{ major: '01', minor: '51', name: '充电桩', geometry: 'point' }] })
 */
export function extendComponentClasses(table: ComponentClassTable, extra: ComponentClassExtension): ComponentClassTable {
  const majors = [...table.majors];
  for (const major of extra.majors ?? []) {
    const fail: Fail = failFor('component-class', major.code);
    requireTwoDigits(major.code, 'major class', fail);
    const n = Number(major.code);
    if (n >= 90) fail('major class', `major class "${major.code}" is reserved (${policy})`);
    if (n < 21) fail('major class', `major class "${major.code}" is not available for local use (${policy})`);
    if (majors.some((m) => m.code === major.code)) fail('major class', `major class "${major.code}" is already in the table`);
    requireName(major.name, fail);
    majors.push(Object.freeze({ code: major.code, name: major.name, local: true }));
  }

  const classes = [...table.classes];
  const codes = new Set(classes.map((c) => c.code));
  for (const local of extra.classes ?? []) {
    const code = `${String(local.major)}${String(local.minor)}`;
    const fail: Fail = failFor('component-class', code);
    requireTwoDigits(local.major, 'major class', fail);
    requireTwoDigits(local.minor, 'minor class', fail);
    const major = majors.find((m) => m.code === local.major);
    if (!major) {
      fail('major class', `major class "${local.major}" is not in the table; add it under majors first (${policy})`);
    }
    const minor = Number(local.minor);
    if (minor === 0) fail('minor class', `minor class "00" must be 01–99`);
    if (!major.local && minor < 51) {
      fail('minor class', `local minor class "${local.minor}" must be 51–99 inside standard major ${major.code} ${major.name} (01–50 are left to the national table)`);
    }
    if (codes.has(code)) fail('class', `class ${code} is already in the table`);
    requireName(local.name, fail);
    requireGeometry(local.geometry, local.altGeometry, fail);
    codes.add(code);
    classes.push(
      freezeClass({
        major: local.major,
        minor: local.minor,
        code,
        name: local.name,
        ...(local.beijingName ? { beijingName: local.beijingName } : {}),
        geometry: local.geometry,
        ...(local.altGeometry?.length ? { altGeometry: [...local.altGeometry] } : {}),
        local: true,
      }),
    );
  }

  majors.sort((a, b) => a.code.localeCompare(b.code));
  classes.sort((a, b) => a.code.localeCompare(b.code));
  return freezeTable({ source: table.source, majors, classes });
}

/** Parses the class file format; exported for tests that feed edited copies. */
export function tableFromFile(text: string): ComponentClassTable {
  const file = JSON.parse(text) as ClassFile;
  const majors: ComponentMajor[] = [];
  const classes: ComponentClass[] = [];
  for (const major of file.majors) {
    majors.push(Object.freeze({ code: major.major, name: major.name, local: major.local ?? false }));
    for (const minor of major.minors) {
      const code = major.major + minor.minor;
      // a broken data file is our bug, not the caller's, hence a plain Error
      if (!/^[0-9]{4}$/.test(code)) throw new Error(`component-classes.json: class code "${code}" is not 4 digits`);
      if (!geometries.includes(minor.geometry)) throw new Error(`component-classes.json: class ${code} has geometry "${minor.geometry}"`);
      classes.push(
        freezeClass({
          major: major.major,
          minor: minor.minor,
          code,
          name: minor.name,
          ...(minor.beijingName ? { beijingName: minor.beijingName } : {}),
          geometry: minor.geometry,
          ...(minor.altGeometry ? { altGeometry: minor.altGeometry } : {}),
          local: minor.local ?? false,
          ...(minor.note ? { note: minor.note } : {}),
        }),
      );
    }
  }
  if (new Set(classes.map((c) => c.code)).size !== classes.length) throw new Error('component-classes.json: duplicate class code');
  return freezeTable({ source: file.source, majors, classes });
}

function indexOf(table: ComponentClassTable): Map<string, ComponentClass> {
  let index = indexes.get(table);
  if (!index) {
    index = new Map(table.classes.map((c) => [c.code, c]));
    indexes.set(table, index);
  }
  return index;
}

function freezeClass(c: ComponentClass): ComponentClass {
  if (c.altGeometry) Object.freeze(c.altGeometry);
  return Object.freeze(c);
}

function freezeTable(table: { source: string; majors: ComponentMajor[]; classes: ComponentClass[] }): ComponentClassTable {
  Object.freeze(table.majors);
  Object.freeze(table.classes);
  return Object.freeze(table);
}

function requireTwoDigits(value: unknown, part: string, fail: Fail): asserts value is string {
  if (typeof value !== 'string' || !/^[0-9]{2}$/.test(value)) fail(part, `${part} ${JSON.stringify(value)} must be 2 ASCII digits`);
}

function requireName(name: unknown, fail: Fail): void {
  if (typeof name !== 'string' || name.trim() === '') fail('name', 'a local class needs a non-empty name');
}

function requireGeometry(geometry: unknown, alt: readonly unknown[] | undefined, fail: Fail): void {
  for (const g of [geometry, ...(alt ?? [])]) {
    if (!geometries.includes(g as ComponentGeometry)) fail('geometry', `geometry ${JSON.stringify(g)} must be point, line or polygon`);
  }
}
