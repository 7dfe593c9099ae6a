import { describe, expect, it } from 'vitest';
import { NameBook, chineseNumber, communityStem, isNamingStem, roadStem, streetStem } from './place-names.js';

describe('place-name parts', () => {
  it('strips the kind of road and keeps the place', () => {
    const cases: [string, string][] = [
      ['东四北大街', '东四'],
      ['安定门外大街', '安定门'],
      ['崇文门内大街', '崇文门'],
      ['东直门南小街', '东直门'],
      ['天坛东路', '天坛'],
      ['景山东街', '景山'],
      ['幸福大街', '幸福'],
      ['史家胡同', '史家'],
      ['南锣鼓巷', '南锣鼓'],
      ['东四十条', '东四十条'],
      ['龙潭北里', '龙潭北里'],
      ['多福巷', '多福'],
      ['普度寺前巷', '普度寺'],
    ];
    for (const [road, stem] of cases) expect(roadStem(road), road).toBe(stem);
    // a stem of one character says nothing: the whole name stays
    expect(roadStem('西街')).toBe('西街');
    expect(communityStem('多福巷社区')).toBe('多福巷');
    expect(streetStem('崇文门外街道')).toBe('崇文门外');
    expect(isNamingStem('东二环')).toBe(false);
    expect(isNamingStem('北京站')).toBe(false);
    expect(isNamingStem('二区')).toBe(false);
    expect(isNamingStem('东四')).toBe(true);
  });

  it('writes ordinals as names do', () => {
    expect([1, 2, 9, 10, 11, 20, 21, 99].map(chineseNumber)).toEqual(['一', '二', '九', '十', '十一', '二十', '二十一', '九十九']);
    expect(() => chineseNumber(100)).toThrow(/1–99/);
  });

  it('hands out each name once, falling back to numbered names', () => {
    const book = new NameBook();
    const school = (): string => book.take(['东四小学', '多福巷小学'], (n) => `东四第${chineseNumber(n)}小学`);
    expect([school(), school(), school(), school()]).toEqual(['东四小学', '多福巷小学', '东四第二小学', '东四第三小学']);
    expect(book.reserve('东四小学')).toBe(false);
    expect(book.has('东四第三小学')).toBe(true);
  });
});
