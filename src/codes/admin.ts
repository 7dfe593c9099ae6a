import { failFor } from './code-error.js';
import type { Fail } from './code-error.js';
import { checkCode } from './code-check.js';
import type { CodeCheck } from './code-check.js';
import { joinParts, padNumber, requireDigits, requireInteger, requireLength, requireSerial } from './digits.js';

/** Administrative levels below the province that our codes are built on (standards.md §2). */
export type AdminLevel = 'district' | 'street' | 'community';

/** Kind of a street-level unit, from the first digit of its GB/T 10114 township code. */
export type TownshipKind = 'subdistrict' | 'town' | 'township' | 'government-enterprise';

/** Chinese names of the township kinds, as printed in division tables. */
export const townshipKindNames: Readonly<Record<TownshipKind, string>> = {
  subdistrict: '街道',
  town: '镇',
  township: '乡',
  'government-enterprise': '政企合一单位',
};

/** A decoded division code; the longer codes carry every shorter prefix. */
export interface AdminCode {
  level: AdminLevel;
  districtCode: string;
  streetCode?: string;
  communityCode?: string;
  townshipKind?: TownshipKind;
}

const levelLengths: Record<AdminLevel, number> = { district: 6, street: 9, community: 12 };

// GB/T 2260 province codes; 71 台湾, 81 香港, 82 澳门 are assigned though no data is published under them
const provinceCodes = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82',
]);

// prefecture cities with no county level: their streets hang directly under the xx00 code
// (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200), so xx00 is their "district" code
const citiesWithoutCounties = new Set(['441900', '442000', '460400', '620200']);

const townshipRanges = '001–099 街道, 100–199 镇, 200–399 乡, 400–599 政企合一单位';

/** Decodes a 6-digit district, 9-digit street or 12-digit community code; throws CodeError. */
export function decodeAdminCode(code: string): AdminCode {
  const fail: Fail = failFor('admin', code);
  requireDigits(code, fail);
  requireLength(code, [6, 9, 12], fail, '6 digits (district), 9 (street) or 12 (community)');
  checkDistrictPart(code.slice(0, 6), fail);
  if (code.length === 6) return { level: 'district', districtCode: code };
  const townshipKind = checkStreetPart(code.slice(0, 9), fail);
  if (code.length === 9) return { level: 'street', districtCode: code.slice(0, 6), streetCode: code, townshipKind };
  checkCommunityPart(code, fail);
  return {
    level: 'community',
    districtCode: code.slice(0, 6),
    streetCode: code.slice(0, 9),
    communityCode: code,
    townshipKind,
  };
}

/** Checks a division code, optionally requiring a level; never throws. */
export function validateAdminCode(code: string, level?: AdminLevel): CodeCheck {
  return checkCode(() => {
    const decoded = decodeAdminCode(code);
    if (level && decoded.level !== level) {
      failFor('admin', code)('length', `a ${level} code has ${levelLengths[level]} digits, got ${code.length} (a ${decoded.level} code)`);
    }
  });
}

/** Level of a valid division code, or null when the code is not one; never throws. */
export function adminLevelOf(code: string): AdminLevel | null {
  try {
    return decodeAdminCode(code).level;
  } catch {
    return null;
  }
}

/** Street code from a district code and a township serial 1–599 (kind follows the range, see townshipKindOf). */
export function encodeStreetCode(districtCode: string, serial: number): string {
  const fail: Fail = failFor('admin', joinParts(districtCode, serial, 3));
  requireAdminCode(districtCode, 'district', fail);
  requireInteger(serial, { min: 1, max: 599, width: 3 }, fail, 'street', 'township serial', `GB/T 10114 township codes: ${townshipRanges}`);
  return districtCode + padNumber(serial, 3);
}

/** Community code from a street code and a serial 1–999. */
export function encodeCommunityCode(streetCode: string, serial: number): string {
  const fail: Fail = failFor('admin', joinParts(streetCode, serial, 3));
  requireAdminCode(streetCode, 'street', fail);
  requireInteger(serial, { min: 1, max: 999, width: 3 }, fail, 'community', 'community serial', 'communities are numbered from 001 within their street');
  return streetCode + padNumber(serial, 3);
}

/** Kind of a 3-digit township code 001–599, or null outside the GB/T 10114 ranges. */
export function townshipKindOf(townshipCode: string): TownshipKind | null {
  if (!/^[0-9]{3}$/.test(townshipCode)) return null;
  const n = Number(townshipCode);
  if (n >= 1 && n <= 99) return 'subdistrict';
  if (n >= 100 && n <= 199) return 'town';
  if (n >= 200 && n <= 399) return 'township';
  if (n >= 400 && n <= 599) return 'government-enterprise';
  return null;
}

/** Checks the 6 digits of a GB/T 2260 county-level code; shared by every scheme that starts with one. */
export function checkDistrictPart(district: string, fail: Fail): void {
  const province = district.slice(0, 2);
  const city = district.slice(2, 4);
  const county = district.slice(4, 6);
  if (!provinceCodes.has(province)) {
    fail('district', `district "${district}": province "${province}" is not a GB/T 2260 province code (11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82)`);
  }
  if (city === '00') {
    fail('district', `district "${district}": city part "00" must be 01–99 (${province}0000 is the province itself)`);
  }
  if (county === '00' && !citiesWithoutCounties.has(district)) {
    fail('district', `district "${district}": county part "00" must be 01–99 (${district} is a prefecture-level code, not a county or district)`);
  }
}

/** Checks the first 9 digits (district + township code) and returns the township kind. */
export function checkStreetPart(street: string, fail: Fail): TownshipKind {
  checkDistrictPart(street.slice(0, 6), fail);
  const township = street.slice(6, 9);
  const kind = townshipKindOf(township);
  if (!kind) fail('street', `street "${street}": township code "${township}" must be 001–599 (GB/T 10114: ${townshipRanges})`);
  return kind;
}

/** Checks a 12-digit community code (street + 3-digit serial 001–999) and returns the township kind. */
export function checkCommunityPart(community: string, fail: Fail): TownshipKind {
  const kind = checkStreetPart(community.slice(0, 9), fail);
  requireSerial(community.slice(9, 12), fail, 'community', 'community serial', 'communities are numbered from 001 within their street');
  return kind;
}

/** Throws unless `code` is a valid division code of exactly `level`; encoders of longer codes use it on their prefix. */
export function requireAdminCode(code: string, level: AdminLevel, fail: Fail): void {
  requireDigits(code, fail, `the ${level} code`);
  const length = levelLengths[level];
  if (code.length !== length) fail('length', `a ${level} code must be ${length} digits, got ${code.length}`);
  if (level === 'district') checkDistrictPart(code, fail);
  else if (level === 'street') checkStreetPart(code, fail);
  else checkCommunityPart(code, fail);
}
