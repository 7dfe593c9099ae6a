import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { CodeError } from '../codes/index.js';
import { communityCode, gridType, pad } from '../codes/test-helpers/arbitraries.js';
import { ForbiddenError, InvalidRequestError } from '../errors.js';
import { requireScope, scopeCovers, scopeLevel, scopeRefusal, type Place } from './scope.js';

// half the codes come from a few neighbouring communities, so scopes and places often share a prefix
const nearbyCommunity = fc
  .tuple(fc.constantFrom('110101', '110102'), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))
  .map(([district, street, community]) => district + pad(street, 3) + pad(community, 3));
const community = fc.oneof(nearbyCommunity, communityCode);
const serial = fc.oneof(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 999 })).map((n) => pad(n, 3));
const unitGridCode = fc.tuple(community, serial).map(([c, s]) => c + s);
const socialStaticCode = fc.tuple(community, gridType, serial).map(([c, type, s]) => c + type + s);
/** the district, street and community codes a unit grid or static code starts with */
const adminScopesOf = (code: string): string[] => [code.slice(0, 6), code.slice(0, 9), code.slice(0, 12)];
const place = fc.record({ unitGridCode: fc.option(unitGridCode), socialStaticCode: fc.option(socialStaticCode) });
const anyScope = fc.oneof(
  unitGridCode.chain((code) => fc.constantFrom(...adminScopesOf(code))),
  socialStaticCode,
);

const dongchengKey = { name: '东华门街道分中心', scope: '110101001', scopeName: '东华门街道' };

describe('scopeLevel', () => {
  it('tells the four levels apart by length', () => {
    expect(scopeLevel('110101')).toBe('district');
    expect(scopeLevel('110101001')).toBe('street');
    expect(scopeLevel('110101001001')).toBe('community');
    expect(scopeLevel('1101010010011001')).toBe('social_grid');
  });

  it.each([
    ['110101001001001', 'got 15 characters'],
    ['1101010010011001-202601', 'got 23 characters'],
    ['', 'got 0 characters'],
    ['110101000', 'township code "000"'],
    ['1101010010014001', 'grid type "4"'],
  ])('refuses %j, saying why', (scope, reason) => {
    expect(() => scopeLevel(scope)).toThrow(InvalidRequestError);
    expect(() => scopeLevel(scope)).toThrow(reason);
  });

  test.prop([unitGridCode])('a unit grid code is never a scope (a key covers an area or a social grid)', (code) => {
    expect(() => scopeLevel(code)).toThrow(InvalidRequestError);
  });

  test.prop([socialStaticCode])('every valid static code is a social grid scope; codes are checked part by part', (code) => {
    expect(scopeLevel(code)).toBe('social_grid');
    expect(() => scopeLevel(code.slice(0, 12) + '0' + code.slice(13))).toThrow(CodeError);
  });
});

describe('scopeCovers', () => {
  it('covers a place by its unit grid code for an admin scope, whatever its social grid', () => {
    const place = { unitGridCode: '110101001002003', socialStaticCode: '1101010020011001' };
    expect(scopeCovers('110101', place)).toBe(true);
    expect(scopeCovers('110101001', place)).toBe(true);
    expect(scopeCovers('110101001002', place)).toBe(true);
    expect(scopeCovers('110101002', place)).toBe(false);
    expect(scopeCovers('110101002001', place)).toBe(false);
    expect(scopeCovers('1101010020011001', place)).toBe(true);
    expect(scopeCovers('1101010010021001', place)).toBe(false);
  });

  it('judges a place with only a social grid (a grid being redrawn) by its static code', () => {
    const grid = { unitGridCode: null, socialStaticCode: '1101010010011001' };
    expect(scopeCovers('110101001001', grid)).toBe(true);
    expect(scopeCovers('110101002', grid)).toBe(false);
  });

  test.prop([unitGridCode, fc.option(socialStaticCode)])('every admin scope a unit grid code starts with covers it', (unit, social) => {
    for (const scope of adminScopesOf(unit)) expect(scopeCovers(scope, { unitGridCode: unit, socialStaticCode: social })).toBe(true);
  });

  test.prop([anyScope, place])('an admin scope covers exactly the places whose deciding grid code starts with it', (scope, p) => {
    fc.pre(scope.length < 16);
    const deciding = p.unitGridCode ?? p.socialStaticCode;
    expect(scopeCovers(scope, p)).toBe(deciding !== null && deciding.startsWith(scope));
  });

  test.prop([socialStaticCode, place])('a social grid scope covers exactly the places in that grid', (scope, p) => {
    expect(scopeCovers(scope, p)).toBe(p.socialStaticCode === scope);
    expect(scopeCovers(scope, { ...p, socialStaticCode: scope })).toBe(true);
  });

  test.prop([anyScope])('a place in no grid is covered by no scope', (scope) => {
    expect(scopeCovers(scope, { unitGridCode: null, socialStaticCode: null })).toBe(false);
  });

  test.prop([unitGridCode, place])('what a scope covers, the scopes above it cover too', (code, p) => {
    const [district, street, community] = adminScopesOf(code) as [string, string, string];
    if (scopeCovers(community, p)) expect(scopeCovers(street, p)).toBe(true);
    if (scopeCovers(street, p)) expect(scopeCovers(district, p)).toBe(true);
  });
});

describe('scopeRefusal', () => {
  it('names the key, its scope, the feature and the grid it lies in', () => {
    const place = { unitGridCode: '110101002003004', socialStaticCode: '1101010020031002' };
    expect(scopeRefusal(dongchengKey, place, 'change component 1101010101000123')).toBe(
      'key "东华门街道分中心" (scope 110101001 东华门街道) may not change component 1101010101000123: it lies in unit grid 110101002003004, outside the scope',
    );
  });

  it('says when the feature lies in no grid, or in no social grid for a grid-scoped key', () => {
    const nowhere = { unitGridCode: null, socialStaticCode: null };
    expect(scopeRefusal(dongchengKey, nowhere, 'change house 7')).toBe(
      'key "东华门街道分中心" (scope 110101001 东华门街道) may not change house 7: it lies in no grid, so no scope covers it',
    );
    const gridKey = { name: '网格员张三', scope: '1101010010011001', scopeName: null };
    expect(scopeRefusal(gridKey, { unitGridCode: '110101001001001', socialStaticCode: null }, 'change house 7')).toBe(
      'key "网格员张三" (scope 1101010010011001) may not change house 7: it lies in no social grid',
    );
  });

  it('says how much of a line or polygon lies beyond the scope, and who may write it', () => {
    const place = { unitGridCode: '110101001002003', socialStaticCode: null, outside: '412 m² around 116.41020, 39.93110' };
    expect(scopeCovers('110101001', place)).toBe(false);
    expect(scopeCovers('110101001', { ...place, outside: null })).toBe(true);
    expect(scopeRefusal(dongchengKey, place, 'create this house')).toBe(
      'key "东华门街道分中心" (scope 110101001 东华门街道) may not create this house: 412 m² around 116.41020, 39.93110 of it lies outside the scope; a feature crossing the scope\'s edge is written with a key whose scope holds all of it',
    );
    // a feature in another street is refused for where it lies, whatever sticks out
    expect(scopeRefusal(dongchengKey, { ...place, unitGridCode: '110101002003004' }, 'create this house')).toMatch(/it lies in unit grid 110101002003004, outside the scope$/);
  });

  test.prop([anyScope, place])('refuses with ForbiddenError exactly when the scope does not cover the place', (scope, p: Place) => {
    const key = { name: 'k', scope, scopeName: null };
    if (scopeCovers(scope, p)) {
      expect(() => requireScope(key, p, 'it')).not.toThrow();
    } else {
      expect(() => requireScope(key, p, 'it')).toThrow(new ForbiddenError(scopeRefusal(key, p, 'it')));
      const deciding = scope.length === 16 ? p.socialStaticCode : (p.unitGridCode ?? p.socialStaticCode);
      if (deciding !== null) expect(scopeRefusal(key, p, 'it')).toContain(`${deciding}, outside the scope`);
    }
  });
});
