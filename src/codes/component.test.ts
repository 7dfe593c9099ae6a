import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { decodeComponentCode, encodeComponentCode, validateComponentCode } from './component.js';
import { extendComponentClasses, loadComponentClasses } from './component-classes.js';
import { codeError, expectRejected, expectValidateAgrees } from './test-helpers/code-assertions.js';
import { anyInput, badProvince, commonBreakage, districtCode, pad, replaceAt, unknownClassCode } from './test-helpers/arbitraries.js';

const classes = loadComponentClasses();

describe('decodeComponentCode', () => {
  it('decodes the 123rd 上水井盖 of 东城区 (standards.md §6.1)', () => {
    expect(decodeComponentCode('1101010101000123')).toEqual({
      districtCode: '110101',
      major: '01',
      minor: '01',
      classCode: '0101',
      className: '上水井盖',
      serial: 123,
    });
  });

  it('decodes the real records from Suzhou and Zhangjiagang', () => {
    expect(decodeComponentCode('3205080101000001')).toMatchObject({ districtCode: '320508', className: '上水井盖', serial: 1 });
    expect(decodeComponentCode('3205820102048188')).toMatchObject({ districtCode: '320582', className: '污水井盖', serial: 48188 });
  });

  it('names an unknown class and points at extendComponentClasses', () => {
    const err = codeError(() => decodeComponentCode('1101010151000001'));
    expect(err.part).toBe('class');
    expect(err.message).toBe(
      'component code 1101010151000001: class 0151 is not in the component class table (major 01 公用设施; it has minors 01–38); local classes can be added with extendComponentClasses',
    );
    expect(codeError(() => decodeComponentCode('1101010605000001')).message).toContain('it has minors 01–04, 06');
    expect(codeError(() => decodeComponentCode('1101012101000001')).message).toContain('major class 21 is unknown');
  });

  it('accepts a local class once the table is extended', () => {
    const local = extendComponentClasses(classes, { classes: [{ major: '01', minor: '51', name: '充电桩', geometry: 'point' }] });
    expect(decodeComponentCode('1101010151000001', local).className).toBe('充电桩');
    expect(validateComponentCode('1101010151000001', local)).toEqual({ ok: true });
    expect(validateComponentCode('1101010151000001').ok).toBe(false);
  });

  it.each([
    ['110101010100012', 'length', 'must be 16 digits (district 6 + major 2 + minor 2 + serial 6), got 15'],
    ['1101010101000000', 'serial', 'serial "000000" must be 000001–999999'],
    ['1101010001000001', 'major class', 'major class "00" must be 01–99'],
    ['1101010100000001', 'minor class', 'minor class "00" must be 01–99'],
    ['9901010101000001', 'district', 'province "99"'],
    ['110101０101000001', 'characters', 'full-width digit "０"'],
  ])('rejects %j at the %s part', (code, part, message) => {
    const err = codeError(() => decodeComponentCode(code));
    expect(err.scheme).toBe('component');
    expect(err.part).toBe(part);
    expect(err.message).toContain(message);
    expect(validateComponentCode(code)).toEqual({ ok: false, part, reason: err.reason });
  });
});

describe('encodeComponentCode', () => {
  it('encodes 1101010101000123', () => {
    expect(encodeComponentCode({ districtCode: '110101', major: '01', minor: '01', serial: 123 })).toBe('1101010101000123');
  });

  it.each([
    [{ districtCode: '110101', major: '01', minor: '01', serial: 0 }, 'serial'],
    [{ districtCode: '110101', major: '01', minor: '01', serial: 1_000_000 }, 'serial'],
    [{ districtCode: '110101', major: '1', minor: '01', serial: 1 }, 'major class'],
    [{ districtCode: '110101', major: '01', minor: '99', serial: 1 }, 'class'],
    [{ districtCode: '110100', major: '01', minor: '01', serial: 1 }, 'district'],
  ])('rejects %o', (parts, part) => {
    expect(codeError(() => encodeComponentCode(parts)).part).toBe(part);
  });
});

describe('properties', () => {
  const knownClass = fc.constantFrom(...classes.classes);
  const serial = fc.integer({ min: 1, max: 999_999 });
  const valid = fc.tuple(districtCode, knownClass, serial).map(([d, c, s]) => d + c.code + pad(s, 6));
  const outOfRange = fc.oneof(
    fc.tuple(valid, badProvince).map(([code, p]) => replaceAt(code, 0, p)),
    valid.map((code) => replaceAt(code, 2, '00')),
    fc.tuple(valid, unknownClassCode(classes.classes)).map(([code, c]) => replaceAt(code, 6, c)),
    fc.tuple(valid, fc.constantFrom('0001', '0100', '0000')).map(([code, c]) => replaceAt(code, 6, c)),
    valid.map((code) => replaceAt(code, 10, '000000')),
  );
  const broken = fc.oneof(commonBreakage(valid, [16]), outOfRange);

  test.prop([districtCode, knownClass, serial])('encode then decode returns the parts', (district, cls, n) => {
    const code = encodeComponentCode({ districtCode: district, major: cls.major, minor: cls.minor, serial: n });
    expect(decodeComponentCode(code)).toEqual({
      districtCode: district,
      major: cls.major,
      minor: cls.minor,
      classCode: cls.code,
      className: cls.name,
      serial: n,
    });
  });

  test.prop([broken])('malformed codes are rejected with a reason', (code) => {
    expectRejected(validateComponentCode(code));
  });

  test.prop([anyInput(valid, broken)])('validate agrees with decode', (code) => {
    expectValidateAgrees(() => decodeComponentCode(code), () => validateComponentCode(code));
  });
});
