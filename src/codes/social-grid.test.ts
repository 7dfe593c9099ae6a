import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  decodeDynamicCode,
  decodeSocialGridCode,
  encodeDynamicCode,
  encodeSocialStaticCode,
  formatSocialGridCode,
  nextDynamicCode,
  validateSocialGridCode,
} from './social-grid.js';
import type { SocialGridType } from './social-grid.js';
import { codeError, expectRejected, expectValidateAgrees } from './test-helpers/code-assertions.js';
import {
  anyInput,
  badProvince,
  badTownship,
  commonBreakage,
  communityCode,
  dynamicParts,
  gridType,
  pad,
  replaceAt,
} from './test-helpers/arbitraries.js';

describe('decodeSocialGridCode', () => {
  it('decodes the first social-service grid of 多福巷社区 in its 2026 version', () => {
    expect(decodeSocialGridCode('1101010010011001-202601')).toEqual({
      staticCode: '1101010010011001',
      dynamicCode: '202601',
      communityCode: '110101001001',
      streetCode: '110101001',
      districtCode: '110101',
      gridType: '1',
      gridTypeName: '社会服务管理网格',
      serial: 1,
      year: 2026,
      version: 1,
    });
  });

  it('decodes a static code alone, without year or version', () => {
    const decoded = decodeSocialGridCode('1101010010013012');
    expect(decoded).toMatchObject({ dynamicCode: null, gridType: '3', gridTypeName: '专业网格', serial: 12 });
    expect(decoded).not.toHaveProperty('year');
    expect(decoded).not.toHaveProperty('version');
  });

  it.each([
    ['1101010010014001', 'grid type', 'grid type "4" must be 1, 2, 3 or 9'],
    ['1101010010010001', 'grid type', 'grid type "0"'],
    ['1101010010011000', 'serial', 'serial "000" must be 001–999'],
    ['1101010010001001', 'community', 'community serial "000"'],
    ['1101016000011001', 'street', 'township code "600"'],
    ['110101001001100', 'length', 'the static code must be 16 digits, got 15'],
    ['1101010010011001202601', 'length', 'got 22 digits without the dash'],
    ['1101010010011001-', 'length', 'the dynamic code is empty'],
    ['1101010010011001-2026', 'length', 'the dynamic code must be 6 digits (year 4 + version 2), got 4'],
    ['1101010010011001-199912', 'dynamic code year', 'social grid code 1101010010011001-199912: dynamic code year "1999" must be 2000–2099 (the year a boundary version took effect'],
    ['1101010010011001-210001', 'dynamic code year', 'dynamic code year "2100"'],
    ['1101010010011001-202600', 'dynamic code version', 'dynamic code version "00" must be 01–99'],
    ['1101010010011001-2026-01', 'characters', 'the dynamic code must contain only ASCII digits 0–9; found "-" at position 5'],
    ['1101010010011001—202601', 'characters', 'found "—" at position 17'],
    ['-202601', 'length', 'the static code is empty'],
  ])('rejects %j at the %s part', (code, part, message) => {
    const err = codeError(() => decodeSocialGridCode(code));
    expect(err.scheme).toBe('social-grid');
    expect(err.part).toBe(part);
    expect(err.message).toContain(message);
    expect(validateSocialGridCode(code)).toEqual({ ok: false, part, reason: err.reason });
  });
});

describe('encoders', () => {
  it('encode and format the standards.md §5.2 example', () => {
    const staticCode = encodeSocialStaticCode({ communityCode: '110101001001', gridType: '1', serial: 1 });
    const dynamicCode = encodeDynamicCode({ year: 2026, version: 1 });
    expect(staticCode).toBe('1101010010011001');
    expect(dynamicCode).toBe('202601');
    expect(formatSocialGridCode(staticCode, dynamicCode)).toBe('1101010010011001-202601');
    expect(decodeDynamicCode('201201')).toEqual({ year: 2012, version: 1 });
  });

  it.each([
    [() => encodeSocialStaticCode({ communityCode: '110101001001', gridType: '4' as SocialGridType, serial: 1 }), 'grid type'],
    [() => encodeSocialStaticCode({ communityCode: '110101001001', gridType: '1', serial: 1000 }), 'serial'],
    [() => encodeSocialStaticCode({ communityCode: '110101001', gridType: '1', serial: 1 }), 'length'],
    [() => encodeDynamicCode({ year: 1999, version: 1 }), 'dynamic code year'],
    [() => encodeDynamicCode({ year: 2026, version: 0 }), 'dynamic code version'],
    [() => encodeDynamicCode({ year: 2026, version: 100 }), 'dynamic code version'],
    [() => formatSocialGridCode('1101010010011001', '2026'), 'length'],
    [() => formatSocialGridCode('1101010010014001', '202601'), 'grid type'],
  ])('reject out-of-range parts (%#)', (encode, part) => {
    expect(codeError(encode).part).toBe(part);
  });
});

describe('nextDynamicCode', () => {
  it('bumps the version within a year and restarts at 01 in a later year', () => {
    expect(nextDynamicCode('202601', 2026)).toBe('202602');
    expect(nextDynamicCode('202609', 2026)).toBe('202610');
    expect(nextDynamicCode('202603', 2027)).toBe('202701');
  });

  it('refuses to go back in time', () => {
    const err = codeError(() => nextDynamicCode('202605', 2025));
    expect(err.part).toBe('dynamic code year');
    expect(err.message).toContain('effective year 2025 is before 2026');
  });

  it('refuses a 100th version in one year', () => {
    const err = codeError(() => nextDynamicCode('202699', 2026));
    expect(err.part).toBe('dynamic code version');
    expect(err.message).toContain('version 99 is the last one 2026 can hold');
    expect(nextDynamicCode('202699', 2027)).toBe('202701');
  });

  it('checks the previous code and the effective year', () => {
    expect(codeError(() => nextDynamicCode('2026', 2026)).part).toBe('length');
    expect(codeError(() => nextDynamicCode('202601', 2100)).part).toBe('dynamic code year');
  });

  test.prop([dynamicParts, fc.integer({ min: 0, max: 99 })])(
    'the next code decodes and sorts after the previous one',
    ({ year, version }, yearsLater) => {
      const previous = encodeDynamicCode({ year, version });
      const effectiveYear = year + yearsLater;
      fc.pre(effectiveYear <= 2099 && (yearsLater > 0 || version < 99));
      const next = nextDynamicCode(previous, effectiveYear);
      expect(next > previous).toBe(true);
      expect(decodeDynamicCode(next)).toEqual(yearsLater > 0 ? { year: effectiveYear, version: 1 } : { year, version: version + 1 });
    },
  );
});

describe('properties', () => {
  const serial = fc.integer({ min: 1, max: 999 });
  const staticParts = fc.record({ communityCode, gridType, serial });
  const staticCode = fc.tuple(communityCode, gridType, serial).map(([c, t, s]) => c + t + pad(s, 3));
  const dynamicCode = dynamicParts.map(({ year, version }) => String(year) + pad(version, 2));
  const fullCode = fc.tuple(staticCode, dynamicCode).map(([s, d]) => `${s}-${d}`);
  const valid = fc.oneof(staticCode, fullCode);
  const outOfRange = fc.oneof(
    fc.tuple(valid, badProvince).map(([code, p]) => replaceAt(code, 0, p)),
    fc.tuple(valid, badTownship).map(([code, t]) => replaceAt(code, 6, t)),
    valid.map((code) => replaceAt(code, 9, '000')),
    fc.tuple(valid, fc.constantFrom('0', '4', '5', '6', '7', '8')).map(([code, t]) => replaceAt(code, 12, t)),
    valid.map((code) => replaceAt(code, 13, '000')),
    fc.tuple(fullCode, fc.integer({ min: 0, max: 9999 }).filter((y) => y < 2000 || y > 2099)).map(([code, y]) => replaceAt(code, 17, pad(y, 4))),
    fullCode.map((code) => replaceAt(code, 21, '00')),
    staticCode.map((code) => `${code}-`),
    fc.tuple(staticCode, dynamicCode).map(([s, d]) => s + d),
  );
  const broken = fc.oneof(commonBreakage(valid, [16, 23]), outOfRange);

  test.prop([staticParts, dynamicParts])('encode then decode returns the parts', (parts, version) => {
    const code = formatSocialGridCode(encodeSocialStaticCode(parts), encodeDynamicCode(version));
    expect(decodeSocialGridCode(code)).toMatchObject({ ...parts, ...version, communityCode: parts.communityCode });
    expect(decodeSocialGridCode(code.slice(0, 16))).toMatchObject({ ...parts, dynamicCode: null });
  });

  test.prop([staticCode, dynamicCode, fc.integer({ min: 1, max: 5 })])(
    'a new boundary version keeps the static code',
    (staticPart, dynamicPart, laterYears) => {
      const { year } = decodeDynamicCode(dynamicPart);
      fc.pre(year + laterYears <= 2099);
      const next = formatSocialGridCode(staticPart, nextDynamicCode(dynamicPart, year + laterYears));
      expect(decodeSocialGridCode(next).staticCode).toBe(staticPart);
    },
  );

  test.prop([broken])('malformed codes are rejected with a reason', (code) => {
    expectRejected(validateSocialGridCode(code));
  });

  test.prop([anyInput(valid, broken)])('validate agrees with decode', (code) => {
    expectValidateAgrees(() => decodeSocialGridCode(code), () => validateSocialGridCode(code));
  });
});
