import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeName, sameNamesInRemarks, separatedTails, withoutRemarks } from './address-normalize.js';

const cases = (pairs: [string, string][]) => {
  for (const [input, expected] of pairs) expect(normalizeAddress(input), input).toBe(expected);
};

describe('normalizeAddress', () => {
  it('turns full-width digits, letters, punctuation and the ideographic space half-width (and drops them)', () => {
    cases([
      ['左安门内大街７７', '左安门内大街77'],
      ['多福巷１２号', '多福巷12号'],
      ['环贸中心Ｆ座', '环贸中心F座'],
      ['东城区\u3000多福巷（北口）', '东城区多福巷北口'],
      ['ab栋', 'AB栋'],
    ]);
  });

  it('removes spaces and punctuation', () => {
    cases([
      ['东城区 东华门街道 多福巷 12 号', '东城区东华门街道多福巷12号'],
      ['东城区，东华门街道。多福巷·12号', '东城区东华门街道多福巷12号'],
      ['“多福巷”12号', '多福巷12号'],
      ['东城区-东华门街道-多福巷12号', '东城区东华门街道多福巷12号'],
    ]);
  });

  it('turns Chinese numerals before a door-plate marker into digits', () => {
    cases([
      ['多福巷十二号', '多福巷12号'],
      ['多福巷一百零八号', '多福巷108号'],
      ['多福巷一〇八号', '多福巷108号'],
      ['多福巷二十号院三号楼', '多福巷20号院3号楼'],
      ['多福巷〇号', '多福巷0号'],
      ['和平里七区十二号楼二单元三零一室', '和平里七区12号楼2单元301室'],
      ['多福巷两号楼', '多福巷2号楼'],
      ['多福巷五层', '多福巷5层'],
    ]);
  });

  it('leaves numerals that are part of names: 东四十条, 北新桥三条, 头条, 九道湾', () => {
    cases([
      ['东四十条', '东四十条'],
      ['东四十二条', '东四十二条'],
      ['北新桥三条', '北新桥三条'],
      ['东四头条一号', '东四头条1号'],
      ['东四十二条十二号', '东四十二条12号'],
      ['九道湾胡同', '九道湾胡同'],
      ['两广路三号', '两广路3号'],
      ['和平里七区', '和平里七区'],
    ]);
  });

  it('keeps the first number of a range or list', () => {
    cases([
      ['崇文门外大街3-5号', '崇文门外大街3号'],
      ['崇文门外大街3—5号', '崇文门外大街3号'],
      ['山老胡同5、7、9号', '山老胡同5号'],
      ['朝阳门内南小街375,377号', '朝阳门内南小街375号'],
      ['方家胡同13号、15号', '方家胡同13号'],
      ['红岩胡同甲17，19号', '红岩胡同甲17号'],
      ['东四北大街五、七号', '东四北大街5号'],
    ]);
  });

  it('unifies compound and building forms to N号院M号楼', () => {
    for (const form of ['12号院3号楼', '12院3楼', '12号3栋', '12号3幢', '12号院3栋', '12号院3座', '12号3号楼', '12院3号楼', '12号院3号', '十二号院三栋', '12#院3#楼']) {
      expect(normalizeAddress(`多福巷${form}`), form).toBe('多福巷12号院3号楼');
    }
    cases([
      ['多福巷12号院', '多福巷12号院'],
      ['多福巷12院', '多福巷12号院'],
      ['多福巷3栋', '多福巷3号楼'],
      ['多福巷3#楼', '多福巷3号楼'],
      ['多福巷3号楼2单元301室', '多福巷3号楼2单元301室'],
      // without 院 or 号, M楼 may be a floor: left alone
      ['多福巷12号3层', '多福巷12号3层'],
    ]);
  });

  it('strips 中国 / 北京 / 北京市 prefixes, but not 北京 inside a name', () => {
    cases([
      ['北京市东城区多福巷12号', '东城区多福巷12号'],
      ['中国北京市东城区多福巷12号', '东城区多福巷12号'],
      ['北京东城区多福巷12号', '东城区多福巷12号'],
      ['中国北京东城区多福巷12号', '东城区多福巷12号'],
      ['北京站东街8号', '北京站东街8号'],
    ]);
  });

  it('maps variant and traditional characters', () => {
    cases([
      ['秦老衚衕35號', '秦老胡同35号'],
      ['秦老胡衕35号', '秦老胡同35号'],
      ['秦老衕35号', '秦老胡同35号'],
      ['東城區東華門街道多福巷12號院3號樓', '东城区东华门街道多福巷12号院3号楼'],
      ['柳荫街裏', '柳荫街里'],
    ]);
  });

  it('keeps 大街 / 街 / 路 and codes glued to letters', () => {
    cases([
      ['东四北大街', '东四北大街'],
      ['B1层', 'B1层'],
    ]);
  });

  test.prop([fc.string({ maxLength: 60 })])('never throws, and is idempotent', (text) => {
    const once = normalizeAddress(text);
    expect(normalizeAddress(once)).toBe(once);
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 40 })])('never throws on any Unicode text', (text) => {
    expect(typeof normalizeAddress(text)).toBe('string');
  });
});

describe('normalizeName', () => {
  it('normalises a name without stripping a leading 北京', () => {
    expect(normalizeName('北京站东街')).toBe('北京站东街');
    expect(normalizeName('东城区（模拟2）')).toBe('东城区模拟2');
    expect(normalizeName('北京市')).toBe('北京市');
  });
});

describe('withoutRemarks', () => {
  it('drops bracketed remarks of either width, nested ones with their outer pair', () => {
    expect(withoutRemarks('东直门内大街(近北新桥)5号')).toBe('东直门内大街5号');
    expect(withoutRemarks('前门大街30号（前门店）')).toBe('前门大街30号');
    expect(withoutRemarks('王府井大街【东安市场(北门)】138号3层')).toBe('王府井大街138号3层');
    expect(withoutRemarks('a(b)c[d]e')).toBe('ace');
  });

  it('gives null when there is no closed remark, and keeps an unclosed bracket', () => {
    expect(withoutRemarks('多福巷12号')).toBeNull();
    expect(withoutRemarks('多福巷(12号')).toBeNull();
    expect(withoutRemarks('多福巷)12号')).toBeNull();
    expect(withoutRemarks('(多福巷)')).toBe('');
  });
});

describe('sameNamesInRemarks', () => {
  it('gives the names a remark says the place has today or also has, in order', () => {
    expect(sameNamesInRemarks('北京市太庙（今劳动人民文化宫）')).toEqual(['劳动人民文化宫']);
    expect(sameNamesInRemarks('某寺(现为东四小学)旁')).toEqual(['东四小学']);
    expect(sameNamesInRemarks('某府【即 某某会馆】（又名某园）')).toEqual(['某某会馆', '某园']);
  });

  it('gives none for a place nearby, a former name, a branch or an empty remark', () => {
    for (const text of ['东直门内大街(近北新桥)5号', '某寺（原某某庙）', '某寺（旧称某庙）', '超市发（金鱼池店）', '某寺（今）', '多福巷12号']) expect(sameNamesInRemarks(text), text).toEqual([]);
  });
});

describe('separatedTails', () => {
  it('gives what follows each space, comma or semicolon, longest first', () => {
    expect(separatedTails('簋街 东石槽胡同149号')).toEqual(['东石槽胡同149号']);
    expect(separatedTails('东城区，东四　多福巷12号')).toEqual(['东四　多福巷12号', '多福巷12号']);
    expect(separatedTails(' 多福巷12号 ')).toEqual([]);
    expect(separatedTails('光明路/光明桥3-5号')).toEqual([]);
  });
});
