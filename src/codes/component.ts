import { checkDistrictPart, requireAdminCode } from './admin.js';
import { failFor } from './code-error.js';
import type { Fail } from './code-error.js';
import { checkCode } from './code-check.js';
import type { CodeCheck } from './code-check.js';
import { findComponentClass, findComponentMajor, loadComponentClasses } from './component-classes.js';
import type { ComponentClassTable } from './component-classes.js';
import { joinParts, padNumber, requireDigits, requireInteger, requireLength, requireSerial } from './digits.js';

/** Parts of a 16-digit component code (standards.md §6.1). */
export interface ComponentCode {
  districtCode: string;
  major: string;
  minor: string;
  /** major + minor, 4 digits */
  classCode: string;
  className: string;
  /** 1–999999 within the district and class */
  serial: number;
}

const serialWhy = 'components are numbered from 000001 within their district and class';
const extendHint = 'local classes can be added with extendComponentClasses';

/**
 * 16-digit component code: district (6) + major (2) + minor (2) + serial (6); the class must be in the table.
 * @example encodeComponentCode({ districtCode: '110101', major: '01', minor: '01', serial: 123 }) // '1101010101000123'
 */
export function encodeComponentCode(
  parts: { districtCode: string; major: string; minor: string; serial: number },
  classes: ComponentClassTable = loadComponentClasses(),
): string {
  const prefix = `${String(parts.districtCode)}${String(parts.major)}${String(parts.minor)}`;
  const fail: Fail = failFor('component', joinParts(prefix, parts.serial, 6));
  requireAdminCode(parts.districtCode, 'district', fail);
  requireClassDigits(parts.major, 'major class', fail);
  requireClassDigits(parts.minor, 'minor class', fail);
  requireInteger(parts.serial, { min: 1, max: 999_999, width: 6 }, fail, 'serial', 'serial', serialWhy);
  requireKnownClass(parts.major, parts.minor, classes, fail);
  return prefix + padNumber(parts.serial, 6);
}

/** Decodes a 16-digit component code against a class table (the shipped one by default); throws CodeError. */
export function decodeComponentCode(code: string, classes: ComponentClassTable = loadComponentClasses()): ComponentCode {
  const fail: Fail = failFor('component', code);
  requireDigits(code, fail);
  requireLength(code, [16], fail, '16 digits (district 6 + major 2 + minor 2 + serial 6)');
  const districtCode = code.slice(0, 6);
  checkDistrictPart(districtCode, fail);
  const major = code.slice(6, 8);
  const minor = code.slice(8, 10);
  requireClassDigits(major, 'major class', fail);
  requireClassDigits(minor, 'minor class', fail);
  const serial = requireSerial(code.slice(10), fail, 'serial', 'serial', serialWhy);
  const className = requireKnownClass(major, minor, classes, fail);
  return { districtCode, major, minor, classCode: major + minor, className, serial };
}

/** Checks a component code against a class table (the shipped one by default); never throws. */
export function validateComponentCode(code: string, classes?: ComponentClassTable): CodeCheck {
  return checkCode(() => decodeComponentCode(code, classes));
}

function requireClassDigits(value: unknown, part: string, fail: Fail): void {
  if (typeof value !== 'string' || !/^[0-9]{2}$/.test(value)) {
    fail(part, `${part} ${JSON.stringify(value)} must be 2 ASCII digits`);
  }
  if (value === '00') fail(part, `${part} "00" must be 01–99 (class codes start at 01)`);
}

function requireKnownClass(major: string, minor: string, classes: ComponentClassTable, fail: Fail): string {
  const found = findComponentClass(major, minor, classes);
  if (found) return found.name;
  const knownMajor = findComponentMajor(major, classes);
  if (!knownMajor) {
    const majors = classes.majors.map((m) => m.code).join(', ');
    return fail('class', `class ${major}${minor} is not in the component class table: major class ${major} is unknown (known: ${majors}); ${extendHint}`);
  }
  const minors = classes.classes.filter((c) => c.major === major).map((c) => c.minor);
  const range = minors.length ? `; it has minors ${describeRuns(minors)}` : '';
  return fail('class', `class ${major}${minor} is not in the component class table (major ${major} ${knownMajor.name}${range}); ${extendHint}`);
}

// '01','02','03','05' -> '01–03, 05': keeps the hint short for majors with 38 minors
function describeRuns(codes: readonly string[]): string {
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= codes.length; i++) {
    if (i < codes.length && Number(codes[i]) === Number(codes[i - 1]) + 1) continue;
    runs.push(i - 1 === start ? codes[start]! : `${codes[start]!}–${codes[i - 1]!}`);
    start = i;
  }
  return runs.join(', ');
}
