import { checkCommunityPart, requireAdminCode } from './admin.js';
import { failFor } from './code-error.js';
import type { Fail } from './code-error.js';
import { checkCode } from './code-check.js';
import type { CodeCheck } from './code-check.js';
import { joinParts, padNumber, requireDigits, requireInteger, requireSerial } from './digits.js';

/** Grid type digit of a static code (standards.md §5.2). */
export type SocialGridType = '1' | '2' | '3' | '9';

/** Chinese names of the grid types. */
export const socialGridTypeNames: Readonly<Record<SocialGridType, string>> = {
  '1': '社会服务管理网格',
  '2': '城市管理单元网格',
  '3': '专业网格',
  '9': '其他网格',
};

/** Parts of a social grid code; `dynamicCode`, `year` and `version` are absent for a bare static code. */
export interface SocialGridCode {
  staticCode: string;
  dynamicCode: string | null;
  communityCode: string;
  streetCode: string;
  districtCode: string;
  gridType: SocialGridType;
  gridTypeName: string;
  /** 1–999 within the community and grid type */
  serial: number;
  year?: number;
  version?: number;
}

/** Parts of a 6-digit dynamic code (boundary version). */
export interface DynamicCode {
  year: number;
  version: number;
}

const years = { min: 2000, max: 2099, width: 4 };
const versions = { min: 1, max: 99, width: 2 };
const yearWhy = 'the year a boundary version took effect; grid management began in 2004, so a year outside this century is a typing error';
const versionWhy = 'boundary versions are numbered from 01 within their year';
const serialWhy = 'grids are numbered from 001 within their community';
const gridTypeWhy = '1 社会服务管理网格, 2 城市管理单元网格, 3 专业网格, 9 other';

/**
 * 16-digit static code: community (12) + grid type (1) + serial (3). Identity of a grid; never reused.
 * @example encodeSocialStaticCode({ communityCode: '110101001001', gridType: '1', serial: 1 }) // '1101010010011001'
 */
export function encodeSocialStaticCode(parts: { communityCode: string; gridType: SocialGridType; serial: number }): string {
  const fail: Fail = failFor('social-grid', joinParts(String(parts.communityCode) + String(parts.gridType), parts.serial, 3));
  requireAdminCode(parts.communityCode, 'community', fail);
  if (!isGridType(parts.gridType)) fail('grid type', `grid type "${String(parts.gridType)}" must be 1, 2, 3 or 9 (${gridTypeWhy})`);
  requireInteger(parts.serial, { min: 1, max: 999, width: 3 }, fail, 'serial', 'serial', serialWhy);
  return parts.communityCode + parts.gridType + padNumber(parts.serial, 3);
}

/**
 * 6-digit dynamic code: year the boundary version took effect (4) + version within that year (2).
 * @example encodeDynamicCode({ year: 2026, version: 1 }) // '202601'
 */
export function encodeDynamicCode(parts: DynamicCode): string {
  const fail: Fail = failFor('social-grid', joinParts(parts.year, parts.version, 2));
  requireInteger(parts.year, years, fail, 'dynamic code year', 'dynamic code year', yearWhy);
  requireInteger(parts.version, versions, fail, 'dynamic code version', 'dynamic code version', versionWhy);
  return String(parts.year) + padNumber(parts.version, 2);
}

/** Decodes a 6-digit dynamic code; throws CodeError. */
export function decodeDynamicCode(code: string): DynamicCode {
  return checkDynamicPart(code, failFor('social-grid', code));
}

/**
 * Full code `静态码-动态码` after checking both halves.
 * @example formatSocialGridCode('1101010010011001', '202601') // '1101010010011001-202601'
 */
export function formatSocialGridCode(staticCode: string, dynamicCode: string): string {
  const full = `${staticCode}-${dynamicCode}`;
  decodeSocialGridCode(full);
  return full;
}

/** Decodes a static code alone or `static-dynamic`; throws CodeError. */
export function decodeSocialGridCode(code: string): SocialGridCode {
  const fail: Fail = failFor('social-grid', code);
  if (typeof code !== 'string') return fail('characters', `the code must be a string, got ${typeof code}`);
  const dash = code.indexOf('-');
  const staticCode = dash === -1 ? code : code.slice(0, dash);
  const dynamicCode = dash === -1 ? null : code.slice(dash + 1);

  requireDigits(staticCode, fail, 'the static code');
  if (staticCode.length === 22 && dash === -1) {
    fail('length', 'must be a 16-digit static code, optionally followed by "-" and a 6-digit dynamic code; got 22 digits without the dash');
  }
  if (staticCode.length !== 16) fail('length', `the static code must be 16 digits, got ${staticCode.length}`);
  checkCommunityPart(staticCode.slice(0, 12), fail);
  const gridType = staticCode.charAt(12);
  if (!isGridType(gridType)) fail('grid type', `grid type "${gridType}" must be 1, 2, 3 or 9 (${gridTypeWhy})`);
  const serial = requireSerial(staticCode.slice(13), fail, 'serial', 'serial', serialWhy);

  const decoded: SocialGridCode = {
    staticCode,
    dynamicCode,
    communityCode: staticCode.slice(0, 12),
    streetCode: staticCode.slice(0, 9),
    districtCode: staticCode.slice(0, 6),
    gridType,
    gridTypeName: socialGridTypeNames[gridType],
    serial,
  };
  if (dynamicCode === null) return decoded;
  const { year, version } = checkDynamicPart(dynamicCode, fail);
  return { ...decoded, year, version };
}

/** Checks a static code or `static-dynamic`; never throws. */
export function validateSocialGridCode(code: string): CodeCheck {
  return checkCode(() => decodeSocialGridCode(code));
}

/**
 * Dynamic code of the next boundary version of a grid: same year bumps the version, a later year
 * starts at 01. Redrawing a boundary changes only this code; the static code stays.
 * @example nextDynamicCode('202601', 2026) // '202602'
 * @example nextDynamicCode('202603', 2027) // '202701'
 */
export function nextDynamicCode(previous: string, effectiveYear: number): string {
  const fail: Fail = failFor('social-grid', previous);
  const { year, version } = checkDynamicPart(previous, fail);
  requireInteger(effectiveYear, years, fail, 'dynamic code year', 'effective year', yearWhy);
  if (effectiveYear < year) {
    fail('dynamic code year', `effective year ${effectiveYear} is before ${year}, the year of the previous version (versions only move forward)`);
  }
  if (effectiveYear > year) return `${effectiveYear}01`;
  if (version === versions.max) {
    fail('dynamic code version', `version 99 is the last one ${year} can hold; a 100th boundary version in one year cannot be coded`);
  }
  return String(year) + padNumber(version + 1, 2);
}

function checkDynamicPart(dynamicCode: string, fail: Fail): DynamicCode {
  requireDigits(dynamicCode, fail, 'the dynamic code');
  if (dynamicCode.length !== 6) fail('length', `the dynamic code must be 6 digits (year 4 + version 2), got ${dynamicCode.length}`);
  const yearText = dynamicCode.slice(0, 4);
  const versionText = dynamicCode.slice(4);
  const year = Number(yearText);
  if (year < years.min || year > years.max) fail('dynamic code year', `dynamic code year "${yearText}" must be 2000–2099 (${yearWhy})`);
  const version = requireSerial(versionText, fail, 'dynamic code version', 'dynamic code version', versionWhy);
  return { year, version };
}

function isGridType(value: unknown): value is SocialGridType {
  return value === '1' || value === '2' || value === '3' || value === '9';
}
