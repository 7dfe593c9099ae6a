import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isChineseNumeral, parseChineseNumeral } from './chinese-numerals.js';

/** Writes n (1–9999) the way people write door numbers: 十二, 二十, 一百零八, 一千零一十. */
function positional(n: number): string {
  const digits = '零一二三四五六七八九';
  const units = ['', '十', '百', '千'];
  const parts = String(n).split('').map(Number).reverse();
  let text = '';
  let zero = false;
  for (let k = parts.length - 1; k >= 0; k--) {
    const d = parts[k]!;
    if (d === 0) {
      zero = text !== '';
      continue;
    }
    if (zero) text += '零';
    zero = false;
    text += (d === 1 && k === 1 && parts.length === 2 ? '' : digits[d]!) + units[k]!;
  }
  return text;
}

describe('parseChineseNumeral', () => {
  it('reads positional numerals', () => {
    expect(parseChineseNumeral('十')).toBe(10);
    expect(parseChineseNumeral('十二')).toBe(12);
    expect(parseChineseNumeral('二十')).toBe(20);
    expect(parseChineseNumeral('二十三')).toBe(23);
    expect(parseChineseNumeral('一百零八')).toBe(108);
    expect(parseChineseNumeral('一百一十')).toBe(110);
    expect(parseChineseNumeral('一千零一十')).toBe(1010);
    expect(parseChineseNumeral('两百')).toBe(200);
  });

  it('reads the colloquial 一百一 (110) and 三千五 (3500)', () => {
    expect(parseChineseNumeral('一百一')).toBe(110);
    expect(parseChineseNumeral('三千五')).toBe(3500);
    expect(parseChineseNumeral('一百零一')).toBe(101);
  });

  it('reads digit-by-digit numerals with 〇 and 零', () => {
    expect(parseChineseNumeral('一〇八')).toBe(108);
    expect(parseChineseNumeral('二〇')).toBe(20);
    expect(parseChineseNumeral('三零一')).toBe(301);
    expect(parseChineseNumeral('两')).toBe(2);
    expect(parseChineseNumeral('零一')).toBe(1);
  });

  it('rejects malformed numerals and other text', () => {
    for (const bad of ['', '十十', '百', '二十十', '一二十', '四十二条', '十百']) expect(parseChineseNumeral(bad), bad).toBe(-1);
  });

  it('reads a slice', () => {
    expect(parseChineseNumeral('东四十二条', 2, 4)).toBe(12);
    expect(parseChineseNumeral('东四十二条', 1, 4)).toBe(42);
  });

  test.prop([fc.integer({ min: 1, max: 9999 })])('reads back every number written positionally', (n) => {
    expect(parseChineseNumeral(positional(n))).toBe(n);
  });
});

describe('isChineseNumeral', () => {
  it('knows digits and units, not other characters', () => {
    for (const ch of '〇零一二两三四五六七八九十百千') expect(isChineseNumeral(ch.charCodeAt(0)), ch).toBe(true);
    for (const ch of '头条号东1a') expect(isChineseNumeral(ch.charCodeAt(0)), ch).toBe(false);
  });
});
