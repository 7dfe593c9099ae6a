import { expect } from 'vitest';
import { CodeError } from '../code-error.js';
import type { CodeCheck } from '../code-check.js';

/** The CodeError `fn` throws; fails the test when it throws nothing or something else. */
export function codeError(fn: () => unknown): CodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodeError) return err;
    throw err;
  }
  throw new Error('expected a CodeError, nothing was thrown');
}

/** Asserts validate is ok exactly when decode does not throw, and that decode only throws CodeError. */
export function expectValidateAgrees(decode: () => unknown, validate: () => CodeCheck): void {
  let threw = false;
  try {
    decode();
  } catch (err) {
    expect(err).toBeInstanceOf(CodeError);
    threw = true;
  }
  expect(validate().ok).toBe(!threw);
}

/** Asserts a failed check with a non-empty reason and part. */
export function expectRejected(check: CodeCheck): void {
  expect(check.ok).toBe(false);
  if (!check.ok) {
    expect(check.reason).not.toBe('');
    expect(check.part).not.toBe('');
  }
}
