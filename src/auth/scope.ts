import { decodeAdminCode, decodeSocialGridCode } from '../codes/index.js';
import { ForbiddenError, InvalidRequestError } from '../errors.js';

/** What an API key may change (四级管理): an admin area or one social grid. */
export type ScopeLevel = 'district' | 'street' | 'community' | 'social_grid';

/** Where a feature lies, by the grids it is assigned to; either is null when none holds it. */
export interface Place {
  unitGridCode: string | null;
  socialStaticCode: string | null;
  /**
   * for a line or polygon, the part of it beyond the scope's area and the rounding tolerance
   * ("412 m² around 116.41020, 39.93110"); the writer measures it against the key's scope
   */
  outside?: string | null;
}

/** The parts of a key a refusal names. */
export interface ScopedKey {
  name: string;
  scope: string;
  /** the scope's area or grid name, null when it is no longer stored */
  scopeName: string | null;
}

/**
 * The level of a scope code, from its shape; throws InvalidRequestError (a CodeError naming the
 * wrong part) when it is no district, street, community or social grid static code.
 * @example scopeLevel('110101001') // 'street'
 */
export function scopeLevel(scope: string): ScopeLevel {
  // a static code alone: a key covers a grid across all its boundary versions
  if (scope.length === 16) {
    decodeSocialGridCode(scope);
    return 'social_grid';
  }
  if (scope.length === 6 || scope.length === 9 || scope.length === 12) return decodeAdminCode(scope).level;
  throw new InvalidRequestError(
    `scope "${scope}" must be a district (6 digits), street (9), community (12) or social grid static code (16), got ${[...scope].length} characters`,
  );
}

/**
 * Whether a key with this scope may change a feature at `place`. A feature counts by its assigned
 * grid: admin scopes go by the unit grid code (which starts with its community's code), or the
 * social static code when no unit grid is assigned; a social grid scope goes by the social static
 * code. A place in no grid is covered by no scope, and neither is a line or polygon with a part
 * `outside` the scope's area: a feature crossing a scope's edge belongs to the key of a scope
 * holding all of it.
 * @example scopeCovers('110101001', { unitGridCode: '110101001002003', socialStaticCode: null }) // true
 */
export function scopeCovers(scope: string, place: Place): boolean {
  const level = scopeLevel(scope);
  const grid = decidingGrid(level, place);
  if (grid === null || (place.outside ?? null) !== null) return false;
  return level === 'social_grid' ? grid.code === scope : grid.code.startsWith(scope);
}

/**
 * Why a key may not do `what` (e.g. `change component 110101…`), for a place its scope does not
 * cover: the detail of the 403.
 * @example scopeRefusal(key, place, 'change component 1101010101000123')
 * // 'key "东华门街道分中心" (scope 110101001 东华门街道) may not change component 1101010101000123: it lies in unit grid 110101002003004, outside the scope'
 */
export function scopeRefusal(key: ScopedKey, place: Place, what: string): string {
  const scope = key.scopeName === null ? key.scope : `${key.scope} ${key.scopeName}`;
  return `key "${key.name}" (scope ${scope}) may not ${what}: ${outsideReason(key.scope, place)}`;
}

/** Throws ForbiddenError with the refusal unless the key's scope covers `place`; `what` is what the key was about to do. */
export function requireScope(key: ScopedKey, place: Place, what: string): void {
  if (!scopeCovers(key.scope, place)) throw new ForbiddenError(scopeRefusal(key, place, what));
}

function outsideReason(scope: string, place: Place): string {
  const grid = decidingGrid(scopeLevel(scope), place);
  if (grid !== null && !scopeCovers(scope, { ...place, outside: null })) return `it lies in ${grid.kind} ${grid.code}, outside the scope`;
  if (grid !== null) return `${place.outside} of it lies outside the scope; a feature crossing the scope's edge is written with a key whose scope holds all of it`;
  if (place.unitGridCode === null && place.socialStaticCode === null) return 'it lies in no grid, so no scope covers it';
  return 'it lies in no social grid';
}

/** The one grid a scope of this level judges a place by. */
function decidingGrid(level: ScopeLevel, place: Place): { kind: 'unit grid' | 'social grid'; code: string } | null {
  const social = place.socialStaticCode === null ? null : ({ kind: 'social grid', code: place.socialStaticCode } as const);
  if (level === 'social_grid') return social;
  return place.unitGridCode === null ? social : { kind: 'unit grid', code: place.unitGridCode };
}
