import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { decodeUnitGridCode, encodeUnitGridCode, validateUnitGridCode } from './unit-grid.js';
import { codeError, expectRejected, expectValidateAgrees } from './test-helpers/code-assertions.js';
import { anyInput, badProvince, badTownship, commonBreakage, communityCode, pad, replaceAt, streetCode } from './test-helpers/arbitraries.js';

describe('decodeUnitGridCode', () => {
  it('decodes the first unit grid of 多福巷社区 (standards.md §3.2)', () => {
    expect(decodeUnitGridCode('110101001001001')).toEqual({
      code: '110101001001001',
      districtCode: '110101',
      streetCode: '110101001',
      communityCode: '110101001001',
      serial: 1,
      legacy: false,
    });
  });

  it('accepts the legacy 14-digit form and normalises it to 15 digits', () => {
    expect(decodeUnitGridCode('11010100100107')).toEqual({
      code: '110101001001007',
      districtCode: '110101',
      streetCode: '110101001',
      communityCode: '110101001001',
      serial: 7,
      legacy: true,
    });
  });

  it('decodes the Zhangjiagang value seen in the wild (320582110152102)', () => {
    expect(decodeUnitGridCode('320582110152102')).toMatchObject({ streetCode: '320582110', serial: 102 });
  });

  it.each([
    ['110101001001000', 'serial', 'unit grid code 110101001001000: serial "000" must be 001–999 (grids are numbered from 001'],
    ['11010100100100', 'serial', 'serial "00" must be 01–99'],
    ['1101010010010011', 'length', 'must be 15 digits (or 14 in the legacy form with a 2-digit serial), got 16 digits'],
    ['1101010010010', 'length', 'got 13 digits'],
    ['110101001000001', 'community', 'community serial "000" must be 001–999'],
    ['110101600001001', 'street', 'township code "600" must be 001–599'],
    ['110100001001001', 'district', 'county part "00"'],
    ['11010100100100１', 'characters', 'found full-width digit "１"'],
    ['110101001001001 ', 'characters', 'found whitespace " " at position 16'],
    ['', 'length', 'unit grid code "": the code is empty'],
  ])('rejects %j at the %s part', (code, part, message) => {
    const err = codeError(() => decodeUnitGridCode(code));
    expect(err.scheme).toBe('unit-grid');
    expect(err.part).toBe(part);
    expect(err.message).toContain(message);
    expect(validateUnitGridCode(code)).toEqual({ ok: false, part, reason: err.reason });
  });

  it('quotes long input cut to 40 characters', () => {
    const err = codeError(() => decodeUnitGridCode('1'.repeat(60)));
    expect(err.message).toBe(`unit grid code "${'1'.repeat(40)}"… (60 characters): must be 15 digits (or 14 in the legacy form with a 2-digit serial), got 60 digits`);
  });
});

describe('encodeUnitGridCode', () => {
  it('encodes 110101001001001', () => {
    expect(encodeUnitGridCode({ communityCode: '110101001001', serial: 1 })).toBe('110101001001001');
  });

  it.each([
    [{ communityCode: '110101001001', serial: 0 }, 'serial', 'unit grid code 110101001001000: serial 0 must be an integer 001–999'],
    [{ communityCode: '110101001001', serial: 1000 }, 'serial', 'serial 1000'],
    [{ communityCode: '110101001001', serial: 2.5 }, 'serial', 'serial 2.5'],
    [{ communityCode: '11010100100', serial: 1 }, 'length', 'a community code must be 12 digits, got 11'],
    [{ communityCode: '110101001000', serial: 1 }, 'community', 'community serial "000"'],
  ])('rejects %o', (parts, part, message) => {
    const err = codeError(() => encodeUnitGridCode(parts));
    expect(err.part).toBe(part);
    expect(err.message).toContain(message);
  });
});

describe('properties', () => {
  const serial = fc.integer({ min: 1, max: 999 });
  const valid15 = fc.tuple(communityCode, serial).map(([c, s]) => c + pad(s, 3));
  const valid14 = fc.tuple(communityCode, fc.integer({ min: 1, max: 99 })).map(([c, s]) => c + pad(s, 2));
  const valid = fc.oneof(valid15, valid14);
  const outOfRange = fc.oneof(
    fc.tuple(valid, badProvince).map(([code, p]) => replaceAt(code, 0, p)),
    valid.map((code) => replaceAt(code, 2, '00')),
    fc.tuple(valid, badTownship).map(([code, t]) => replaceAt(code, 6, t)),
    valid.map((code) => replaceAt(code, 9, '000')),
    valid15.map((code) => replaceAt(code, 12, '000')),
    valid14.map((code) => replaceAt(code, 12, '00')),
  );
  const broken = fc.oneof(commonBreakage(valid, [14, 15]), outOfRange);

  test.prop([communityCode, serial])('encode then decode returns the parts', (community, n) => {
    const code = encodeUnitGridCode({ communityCode: community, serial: n });
    expect(decodeUnitGridCode(code)).toEqual({
      code,
      districtCode: community.slice(0, 6),
      streetCode: community.slice(0, 9),
      communityCode: community,
      serial: n,
      legacy: false,
    });
  });

  test.prop([valid14])('a legacy code normalises to a 15-digit code with the same parts', (legacy) => {
    const decoded = decodeUnitGridCode(legacy);
    expect(decoded.legacy).toBe(true);
    expect(decodeUnitGridCode(decoded.code)).toEqual({ ...decoded, legacy: false });
    expect(encodeUnitGridCode(decoded)).toBe(decoded.code);
  });

  test.prop([broken])('malformed codes are rejected with a reason', (code) => {
    expectRejected(validateUnitGridCode(code));
  });

  test.prop([anyInput(valid, broken)])('validate agrees with decode', (code) => {
    expectValidateAgrees(() => decodeUnitGridCode(code), () => validateUnitGridCode(code));
  });

  test.prop([streetCode])('a street code alone is not a unit grid code', (street) => {
    expectRejected(validateUnitGridCode(street));
  });
});
