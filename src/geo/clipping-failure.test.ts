import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidRequestError } from '../errors.js';
import { clipped } from './clipping-failure.js';

describe('clipped', () => {
  it('turns polygon-clipping giving up on nearly coincident edges into a 400 saying where', () => {
    const gaveUp = (): never => {
      throw new Error('Unable to complete output ring starting at [116.41061950379687, 39.911745240206876]. Last matching segment found ends at [116.41061961044511, 39.911745240206876].');
    };
    expect(() => clipped('the new boundary', gaveUp)).toThrow(InvalidRequestError);
    expect(() => clipped('the new boundary', gaveUp)).toThrow(
      'the new boundary has edges so nearly on top of others near 116.4106195, 39.9117452 that they cannot be compared reliably',
    );
    const recursed = (): never => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    expect(() => clipped('the redraw', recursed)).toThrow(InvalidRequestError);
  });

  it('passes results, refusals and bugs through unchanged', () => {
    expect(clipped('x', () => 42)).toBe(42);
    const conflict = new ConflictError('a gap');
    expect(() => clipped('x', () => { throw conflict; })).toThrow(conflict);
    expect(() => clipped('x', () => { throw new TypeError('Cannot read properties of undefined'); })).toThrow(TypeError);
  });
});
