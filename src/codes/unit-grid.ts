import { checkCommunityPart, requireAdminCode } from './admin.js';
import { failFor } from './code-error.js';
import type { Fail } from './code-error.js';
import { checkCode } from './code-check.js';
import type { CodeCheck } from './code-check.js';
import { joinParts, padNumber, requireDigits, requireInteger, requireLength, requireSerial } from './digits.js';

/** Parts of a unit grid code, always normalised to the 15-digit form. */
export interface UnitGridCode {
  /** the 15-digit code, also for legacy input */
  code: string;
  districtCode: string;
  streetCode: string;
  communityCode: string;
  /** 1–999 within the community */
  serial: number;
  /** true when the input was the 14-digit form with a 2-digit serial */
  legacy: boolean;
}

const serialWhy = 'grids are numbered from 001 within their community';

/**
 * 15-digit unit grid code: community code (12) + serial (3).
 * @example encodeUnitGridCode({ communityCode: '110101001001', serial: 1 }) // '110101001001001'
 */
export function encodeUnitGridCode(parts: { communityCode: string; serial: number }): string {
  const fail: Fail = failFor('unit-grid', joinParts(parts.communityCode, parts.serial, 3));
  requireAdminCode(parts.communityCode, 'community', fail);
  requireInteger(parts.serial, { min: 1, max: 999, width: 3 }, fail, 'serial', 'serial', serialWhy);
  return parts.communityCode + padNumber(parts.serial, 3);
}

/**
 * Decodes a 15-digit unit grid code, or a legacy 14-digit one (street 9 + community 3 + serial 2,
 * seen in older CJ/T 213 implementations); throws CodeError.
 */
export function decodeUnitGridCode(code: string): UnitGridCode {
  const fail: Fail = failFor('unit-grid', code);
  requireDigits(code, fail);
  requireLength(code, [15, 14], fail, '15 digits (or 14 in the legacy form with a 2-digit serial)');
  const legacy = code.length === 14;
  checkCommunityPart(code.slice(0, 12), fail);
  const serialText = code.slice(12);
  const serial = requireSerial(serialText, fail, 'serial', 'serial', serialWhy);
  const communityCode = code.slice(0, 12);
  return {
    code: communityCode + padNumber(serial, 3),
    districtCode: code.slice(0, 6),
    streetCode: code.slice(0, 9),
    communityCode,
    serial,
    legacy,
  };
}

/** Checks a unit grid code (15 or legacy 14 digits); never throws. */
export function validateUnitGridCode(code: string): CodeCheck {
  return checkCode(() => decodeUnitGridCode(code));
}
