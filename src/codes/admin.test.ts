import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  adminLevelOf,
  decodeAdminCode,
  encodeCommunityCode,
  encodeStreetCode,
  townshipKindOf,
  validateAdminCode,
} from './admin.js';
import { codeError, expectRejected, expectValidateAgrees } from './test-helpers/code-assertions.js';
import {
  badProvince,
  badTownship,
  commonBreakage,
  communityCode,
  communitySerial,
  districtCode,
  replaceAt,
  streetCode,
  townshipSerial,
} from './test-helpers/arbitraries.js';

interface Divisions {
  district: { code: string; name: string };
  streets: { code: string; name: string; communities: { code: string; name: string }[] }[];
}
const dongcheng = JSON.parse(
  readFileSync(new URL('../../data/divisions-110101.json', import.meta.url), 'utf8'),
) as Divisions;

describe('decodeAdminCode', () => {
  it('decodes the standards.md §2 example chain', () => {
    expect(decodeAdminCode('110101')).toEqual({ level: 'district', districtCode: '110101' });
    expect(decodeAdminCode('110101001')).toEqual({
      level: 'street',
      districtCode: '110101',
      streetCode: '110101001',
      townshipKind: 'subdistrict',
    });
    expect(decodeAdminCode('110101001001')).toEqual({
      level: 'community',
      districtCode: '110101',
      streetCode: '110101001',
      communityCode: '110101001001',
      townshipKind: 'subdistrict',
    });
  });

  it('accepts every Dongcheng street and community code at its level', () => {
    expect(validateAdminCode(dongcheng.district.code, 'district')).toEqual({ ok: true });
    for (const street of dongcheng.streets) {
      expect(validateAdminCode(street.code, 'street'), street.name).toEqual({ ok: true });
      expect(decodeAdminCode(street.code).townshipKind).toBe('subdistrict');
      for (const community of street.communities) {
        expect(validateAdminCode(community.code, 'community'), community.name).toEqual({ ok: true });
      }
    }
  });

  it('reports the township kind from the first digit of the township code', () => {
    expect(townshipKindOf('001')).toBe('subdistrict');
    expect(townshipKindOf('099')).toBe('subdistrict');
    expect(townshipKindOf('100')).toBe('town');
    expect(townshipKindOf('200')).toBe('township');
    expect(townshipKindOf('399')).toBe('township');
    expect(townshipKindOf('400')).toBe('government-enterprise');
    expect(townshipKindOf('599')).toBe('government-enterprise');
    expect(townshipKindOf('000')).toBeNull();
    expect(townshipKindOf('600')).toBeNull();
    expect(decodeAdminCode('110112106').townshipKind).toBe('town');
  });

  it('accepts prefecture cities without counties (东莞 441900)', () => {
    expect(decodeAdminCode('441900003').townshipKind).toBe('subdistrict');
  });

  it.each([
    ['1101', 'length', 'must be 6 digits (district), 9 (street) or 12 (community), got 4 digits'],
    ['11010100', 'length', 'got 8 digits'],
    ['99010100', 'length', 'got 8'],
    ['990101', 'district', 'province "99" is not a GB/T 2260 province code'],
    ['100101', 'district', 'province "10"'],
    ['110001', 'district', 'city part "00" must be 01–99'],
    ['110100', 'district', 'county part "00" must be 01–99 (110100 is a prefecture-level code'],
    ['110101000', 'street', 'township code "000" must be 001–599 (GB/T 10114: 001–099 街道'],
    ['110101600', 'street', 'township code "600" must be 001–599'],
    ['110101001000', 'community', 'community serial "000" must be 001–999'],
    ['11010100100１', 'characters', 'found full-width digit "１" (use ASCII 1) at position 12'],
    [' 110101', 'characters', 'found whitespace " " at position 1'],
    ['', 'length', 'the code is empty'],
  ])('rejects %j at the %s part', (code, part, reason) => {
    const err = codeError(() => decodeAdminCode(code));
    expect(err.part).toBe(part);
    expect(err.scheme).toBe('admin');
    expect(err.message).toContain(reason);
    expect(validateAdminCode(code)).toEqual({ ok: false, part, reason: err.reason });
  });

  it('checks the level when one is asked for', () => {
    expect(validateAdminCode('110101001001', 'street')).toEqual({
      ok: false,
      part: 'length',
      reason: 'a street code has 9 digits, got 12 (a community code)',
    });
    expect(validateAdminCode('110101001', 'street')).toEqual({ ok: true });
  });
});

describe('adminLevelOf', () => {
  it('returns the level of valid codes and null otherwise', () => {
    expect(adminLevelOf('110101')).toBe('district');
    expect(adminLevelOf('110101001')).toBe('street');
    expect(adminLevelOf('110101001001')).toBe('community');
    expect(adminLevelOf('110101001000')).toBeNull();
    expect(adminLevelOf('11010100100')).toBeNull();
  });
});

describe('encodeStreetCode / encodeCommunityCode', () => {
  it('builds 东华门街道 and 多福巷社区', () => {
    expect(encodeStreetCode('110101', 1)).toBe('110101001');
    expect(encodeCommunityCode('110101001', 1)).toBe('110101001001');
  });

  it.each([
    [() => encodeStreetCode('110101', 0), 'street', 'township serial 0 must be an integer 001–599'],
    [() => encodeStreetCode('110101', 600), 'street', 'township serial 600'],
    [() => encodeStreetCode('110101', 1.5), 'street', 'township serial 1.5'],
    [() => encodeStreetCode('110100', 1), 'district', 'county part "00"'],
    [() => encodeStreetCode('1101010', 1), 'length', 'a district code must be 6 digits, got 7'],
    [() => encodeCommunityCode('110101001', 1000), 'community', 'community serial 1000 must be an integer 001–999'],
    [() => encodeCommunityCode('110101700', 1), 'street', 'township code "700"'],
  ])('rejects out-of-range parts (%#)', (encode, part, reason) => {
    const err = codeError(encode);
    expect(err.part).toBe(part);
    expect(err.message).toContain(reason);
  });
});

describe('properties', () => {
  test.prop([districtCode, townshipSerial, communitySerial])(
    'encode then decode returns the parts',
    (district, township, serial) => {
      const street = encodeStreetCode(district, township);
      const community = encodeCommunityCode(street, serial);
      expect(decodeAdminCode(street)).toMatchObject({ level: 'street', districtCode: district, streetCode: street });
      const decoded = decodeAdminCode(community);
      expect(decoded).toMatchObject({ level: 'community', districtCode: district, streetCode: street, communityCode: community });
      expect(decoded.townshipKind).toBe(townshipKindOf(street.slice(6)));
    },
  );

  const valid = fc.oneof(districtCode, streetCode, communityCode);
  const outOfRange = fc.oneof(
    fc.tuple(valid, badProvince).map(([code, p]) => replaceAt(code, 0, p)),
    valid.map((code) => replaceAt(code, 2, '00')),
    fc.tuple(streetCode, badTownship).map(([code, t]) => replaceAt(code, 6, t)),
    fc.tuple(communityCode, badTownship).map(([code, t]) => replaceAt(code, 6, t)),
    communityCode.map((code) => replaceAt(code, 9, '000')),
  );
  const broken = fc.oneof(commonBreakage(valid, [6, 9, 12]), outOfRange);

  test.prop([broken])('malformed codes are rejected with a reason', (code) => {
    expectRejected(validateAdminCode(code));
  });

  test.prop([fc.oneof(valid, broken, fc.stringMatching(/^[0-9]{5,13}$/), fc.string({ maxLength: 20 }))])(
    'validate agrees with decode',
    (code) => {
      expectValidateAgrees(() => decodeAdminCode(code), () => validateAdminCode(code));
      expect(adminLevelOf(code) === null).toBe(!validateAdminCode(code).ok);
    },
  );
});
