import { failFor } from './code-error.js';
import { checkCode } from './code-check.js';
import type { CodeCheck } from './code-check.js';
import { decodeSocialGridCode } from './social-grid.js';
import { decodeUnitGridCode } from './unit-grid.js';

/** A grid code of either scheme, as accepted by `GET /v1/grids/{code}`. */
export type GridCode =
  | { scheme: 'unit'; /** normalised 15-digit code */ code: string; legacy: boolean }
  | { scheme: 'social'; staticCode: string; dynamicCode: string | null };

const accepted =
  'accepted: 15 digits (unit grid), 14 digits (legacy unit grid), 16 digits (social grid static code) or 16-6 digits joined by "-" (static-dynamic)';

/**
 * Tells unit and social grid codes apart by shape and checks every part; throws CodeError.
 * @example parseGridCode('110101001001001') // { scheme: 'unit', code: '110101001001001', legacy: false }
 * @example parseGridCode('1101010010011001-202601') // { scheme: 'social', staticCode: '1101010010011001', dynamicCode: '202601' }
 */
export function parseGridCode(code: string): GridCode {
  if (typeof code === 'string') {
    if (code.includes('-') || code.length === 16) {
      const { staticCode, dynamicCode } = decodeSocialGridCode(code);
      return { scheme: 'social', staticCode, dynamicCode };
    }
    if (code.length === 14 || code.length === 15) {
      const { code: normalised, legacy } = decodeUnitGridCode(code);
      return { scheme: 'unit', code: normalised, legacy };
    }
  }
  const length = typeof code === 'string' ? `${[...code].length} characters` : `a ${typeof code}`;
  return failFor('grid', code)('length', `not a grid code: got ${length}; ${accepted}`);
}

/** Checks a grid code of either scheme; never throws. */
export function validateGridCode(code: string): CodeCheck {
  return checkCode(() => parseGridCode(code));
}
