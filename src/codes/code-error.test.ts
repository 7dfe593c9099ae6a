import { describe, expect, it } from 'vitest';
import { AppError, InvalidRequestError } from '../errors.js';
import { CodeError, showInput } from './code-error.js';
import { checkCode } from './code-check.js';

describe('CodeError', () => {
  it('is an InvalidRequestError that names scheme, part and input', () => {
    const err = new CodeError('unit-grid', '110101001001000', 'serial', 'serial "000" must be 001–999');
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('invalid_request');
    expect(err.name).toBe('CodeError');
    expect(err.scheme).toBe('unit-grid');
    expect(err.part).toBe('serial');
    expect(err.message).toBe('unit grid code 110101001001000: serial "000" must be 001–999');
  });
});

describe('showInput', () => {
  it('shows plain codes bare and quotes odd ones', () => {
    expect(showInput('1101010010011001-202601')).toBe('1101010010011001-202601');
    expect(showInput('')).toBe('""');
    expect(showInput(' 110101')).toBe('" 110101"');
    expect(showInput('１１')).toBe('"１１"');
    expect(showInput(42)).toBe('(number)');
  });

  it('cuts inputs longer than 40 characters and says how long they were', () => {
    const long = '1'.repeat(41);
    expect(showInput('1'.repeat(40))).toBe('1'.repeat(40));
    expect(showInput(long)).toBe(`"${'1'.repeat(40)}"… (41 characters)`);
  });
});

describe('checkCode', () => {
  it('turns a CodeError into a failed check and lets other errors through', () => {
    expect(checkCode(() => 1)).toEqual({ ok: true });
    expect(
      checkCode(() => {
        throw new CodeError('admin', '1', 'length', 'too short');
      }),
    ).toEqual({ ok: false, part: 'length', reason: 'too short' });
    expect(() =>
      checkCode(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
