import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { parseGridCode, validateGridCode } from './grid-code.js';
import { validateSocialGridCode } from './social-grid.js';
import { validateUnitGridCode } from './unit-grid.js';
import { codeError, expectValidateAgrees } from './test-helpers/code-assertions.js';
import { anyInput, communityCode, dynamicParts, gridType, pad } from './test-helpers/arbitraries.js';

describe('parseGridCode', () => {
  it('reads unit grid codes, normalising legacy ones', () => {
    expect(parseGridCode('110101001001001')).toEqual({ scheme: 'unit', code: '110101001001001', legacy: false });
    expect(parseGridCode('11010100100101')).toEqual({ scheme: 'unit', code: '110101001001001', legacy: true });
  });

  it('reads social grid codes with or without the dynamic code', () => {
    expect(parseGridCode('1101010010011001-202601')).toEqual({
      scheme: 'social',
      staticCode: '1101010010011001',
      dynamicCode: '202601',
    });
    expect(parseGridCode('1101010010011001')).toEqual({ scheme: 'social', staticCode: '1101010010011001', dynamicCode: null });
  });

  it('passes on the scheme error for a code of the right shape', () => {
    const err = codeError(() => parseGridCode('110101001001000'));
    expect(err.scheme).toBe('unit-grid');
    expect(err.part).toBe('serial');
    expect(codeError(() => parseGridCode('1101010010011001-199901')).part).toBe('dynamic code year');
  });

  it.each(['', '1101', '11010100100100100', '1101010010011001202601'])('lists the accepted lengths for %j', (code) => {
    const err = codeError(() => parseGridCode(code));
    expect(err.scheme).toBe('grid');
    expect(err.part).toBe('length');
    expect(err.message).toContain(`got ${code.length} characters; accepted: 15 digits (unit grid), 14 digits (legacy unit grid), 16 digits`);
  });
});

describe('properties', () => {
  const unit = fc.tuple(communityCode, fc.integer({ min: 1, max: 999 })).map(([c, s]) => c + pad(s, 3));
  const social = fc
    .tuple(communityCode, gridType, fc.integer({ min: 1, max: 999 }), fc.option(dynamicParts))
    .map(([c, t, s, d]) => c + t + pad(s, 3) + (d ? `-${d.year}${pad(d.version, 2)}` : ''));

  test.prop([unit])('unit codes parse as unit', (code) => {
    expect(parseGridCode(code)).toEqual({ scheme: 'unit', code, legacy: false });
  });

  test.prop([social])('social codes parse as social', (code) => {
    expect(parseGridCode(code)).toMatchObject({ scheme: 'social', staticCode: code.slice(0, 16) });
  });

  test.prop([anyInput(fc.oneof(unit, social), fc.string({ maxLength: 25 }))])(
    'a code is a grid code exactly when one scheme accepts it',
    (code) => {
      expectValidateAgrees(() => parseGridCode(code), () => validateGridCode(code));
      expect(validateGridCode(code).ok).toBe(validateUnitGridCode(code).ok || validateSocialGridCode(code).ok);
    },
  );
});
