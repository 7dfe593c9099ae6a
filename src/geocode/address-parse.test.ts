import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parseAddress, type ParsedAddress } from './address-parse.js';
import { AddressGazetteer } from './gazetteer.js';

const gazetteer = new AddressGazetteer({
  districts: ['东城区', '东城区（模拟2）'],
  streets: ['东华门街道', '东四街道', '交道口街道', '体育馆路街道'],
  communities: ['多福巷社区', '花园社区', '二区社区'],
  roads: [
    '多福巷',
    '东四十条',
    '东四十二条',
    '东四北大街',
    '北新桥三条',
    '东四头条',
    '帽儿胡同',
    '东帽儿胡同',
    '美术馆后街',
    '普度寺前巷',
    '秦老胡同',
    '安定门外大街',
    '朝阳门南小街',
    '东直门内北小街',
    '东直门北小街',
    '北京站东街',
    '体育馆路',
    '和平里七区',
    '国旺胡同',
    '西巷',
  ],
});

const parse = (text: string): ParsedAddress => parseAddress(text, gazetteer);
const pick = (p: ParsedAddress, ...keys: (keyof ParsedAddress)[]) => Object.fromEntries(keys.map((k) => [k, p[k]]));

describe('parseAddress', () => {
  it('reads every level of a canonical address (standards.md §8.2)', () => {
    const p = parse('北京市东城区东华门街道多福巷社区多福巷12号院3号楼2单元301');
    expect(p).toMatchObject({
      district: '东城区',
      street: '东华门街道',
      community: '多福巷社区',
      road: '多福巷',
      roadMatch: 'exact',
      number: 12,
      compound: true,
      building: 3,
      unit: 2,
      room: 301,
      rest: '',
    });
  });

  it('tolerates missing levels: only road and number', () => {
    expect(pick(parse('多福巷12号'), 'district', 'street', 'community', 'road', 'number')).toEqual({
      district: null,
      street: null,
      community: null,
      road: '多福巷',
      number: 12,
    });
  });

  it('takes a 街道 without its suffix, and the 街道办事处 / 地区 forms', () => {
    expect(parse('东城区东华门多福巷12号').street).toBe('东华门街道');
    expect(parse('东华门街道办事处多福巷12号').street).toBe('东华门街道');
    expect(parse('东华门地区多福巷12号').street).toBe('东华门街道');
    expect(parse('东城东华门多福巷12号').district).toBe('东城区');
  });

  it('takes a 社区 with or without 社区 / 居委会', () => {
    expect(parse('东华门街道多福巷社区多福巷12号').community).toBe('多福巷社区');
    expect(parse('东华门街道多福巷居委会多福巷12号').community).toBe('多福巷社区');
    // the bare community name equals the road name: the first is the community, the last the road
    expect(pick(parse('东华门多福巷多福巷12号'), 'street', 'community', 'road')).toEqual({ street: '东华门街道', community: '多福巷社区', road: '多福巷' });
    // and a bare name alone before the number is the road
    expect(pick(parse('东华门多福巷12号'), 'community', 'road')).toEqual({ community: null, road: '多福巷' });
  });

  it('prefers the longest name: 东四十二条 over 东四十条 / 东四, 东帽儿胡同 over 帽儿胡同', () => {
    expect(pick(parse('东四十二条十二号'), 'road', 'number')).toEqual({ road: '东四十二条', number: 12 });
    expect(pick(parse('东四十条12号'), 'road', 'number')).toEqual({ road: '东四十条', number: 12 });
    expect(pick(parse('东帽儿胡同5号'), 'road', 'roadMatch')).toEqual({ road: '东帽儿胡同', roadMatch: 'exact' });
    expect(pick(parse('北新桥三条2号'), 'road', 'number')).toEqual({ road: '北新桥三条', number: 2 });
    expect(parse('东四头条一号').road).toBe('东四头条');
  });

  it('normalises first: full-width, spaces, numerals, plate forms, prefixes', () => {
    const p = parse('中国北京市 东城区 多福巷 十二院三楼');
    expect(pick(p, 'district', 'road', 'number', 'compound', 'building')).toEqual({ district: '东城区', road: '多福巷', number: 12, compound: true, building: 3 });
    expect(parse('北京站东街８号').road).toBe('北京站东街');
  });

  it('reads a number without 号, a 甲 prefix and text after the plate', () => {
    expect(pick(parse('安定门外大街１１６北门'), 'road', 'number', 'rest')).toEqual({ road: '安定门外大街', number: 116, rest: '北门' });
    expect(pick(parse('秦老胡同甲35号'), 'numberPrefix', 'number')).toEqual({ numberPrefix: '甲', number: 35 });
    // a temporary plate: 临35号, 临字35号
    for (const text of ['秦老胡同临35号', '秦老胡同临字35号']) expect(pick(parse(text), 'road', 'numberPrefix', 'number'), text).toEqual({ road: '秦老胡同', numberPrefix: '临', number: 35 });
    expect(pick(parse('和平里七区12号楼'), 'road', 'number', 'building')).toEqual({ road: '和平里七区', number: 12, building: null });
  });

  it('returns an unknown road as text, never as a known road', () => {
    const p = parse('东城区东华门街道不存在胡同12号');
    expect(pick(p, 'street', 'road', 'roadMatch', 'number')).toEqual({ street: '东华门街道', road: '不存在胡同', roadMatch: 'unknown', number: 12 });
    // a known road glued after a modifier is another road (小多福巷): a variant at best
    expect(pick(parse('小多福巷12号'), 'road', 'roadMatch')).toEqual({ road: '小多福巷', roadMatch: 'unknown' });
    // a bare community name inside unknown text is part of that text
    expect(pick(parse('后花园胡同3号'), 'community', 'road', 'roadMatch')).toEqual({ community: null, road: '后花园胡同', roadMatch: 'unknown' });
  });

  it('keeps a known road named before an unknown one as context', () => {
    const p = parse('东城区景山街道美术馆后街黄米胡同3号');
    expect(pick(p, 'road', 'roadMatch', 'nearRoad', 'number')).toEqual({ road: '黄米胡同', roadMatch: 'unknown', nearRoad: '美术馆后街', number: 3 });
  });

  it('reads a two-character road right after another road as that road’s side lane', () => {
    expect(pick(parse('国旺胡同西巷8号'), 'road', 'roadMatch', 'nearRoad', 'number')).toEqual({ road: '国旺胡同西巷', roadMatch: 'unknown', nearRoad: '国旺胡同', number: 8 });
    expect(pick(parse('西巷8号'), 'road', 'roadMatch')).toEqual({ road: '西巷', roadMatch: 'exact' });
  });

  it('matches variant spellings of a road as variants', () => {
    expect(pick(parse('普渡寺前巷35号'), 'road', 'roadMatch')).toEqual({ road: '普度寺前巷', roadMatch: 'variant' });
    expect(pick(parse('秦老35号'), 'road', 'roadMatch')).toEqual({ road: '秦老胡同', roadMatch: 'variant' });
    // one numeral different is another road, not a variant
    expect(parse('东四十一条3号').roadMatch).toBe('unknown');
    // a two-character name with one character changed is another hutong
    expect(parse('帽子胡同3号').roadMatch).toBe('unknown');
  });

  it('accepts the short form of gate roads: 安外大街 for 安定门外大街', () => {
    expect(pick(parse('安外大街２号'), 'road', 'roadMatch', 'roads', 'number')).toEqual({
      road: '安定门外大街',
      roadMatch: 'variant',
      roads: [{ name: '安定门外大街', edits: ['abbreviation'] }],
      number: 2,
    });
  });

  it('cuts back a name that swallowed the start of the road after it: 崇文门 + 东铁营胡同, not 崇文门东 + 铁营胡同', () => {
    const g = new AddressGazetteer({ roads: ['东铁营胡同', '西巷'], pois: [{ name: '崇文门', aliases: [] }, { name: '崇文门东', aliases: [] }] });
    expect(pick(parseAddress('崇文门东铁营胡同12号', g), 'road', 'roadMatch', 'number')).toEqual({ road: '东铁营胡同', roadMatch: 'exact', number: 12 });
    // only to reach a road that ends at the number: 崇文门东 stays the place before an unknown road
    expect(pick(parseAddress('崇文门东铁营12号', g), 'road', 'roadMatch')).toEqual({ road: '铁营', roadMatch: 'unknown' });
    expect(parseAddress('崇文门东西巷12号', g).roadMatch).toBe('exact');
  });

  it('finds a place written X(Y) by either part, but not by its branch name', () => {
    const g = new AddressGazetteer({ pois: [{ name: 'EASYOND(东方新天地)', aliases: [] }, { name: '超市发（金鱼池店）', aliases: [] }] });
    for (const text of ['EASYOND', '东方新天地', 'EASYOND(东方新天地)']) expect(parseAddress(text, g).poi?.name, text).toBe('EASYOND(东方新天地)');
    expect(parseAddress('超市发', g).poi?.name).toBe('超市发（金鱼池店）');
    expect(parseAddress('金鱼池店', g).poi).toBeNull();
    g.removePoi('EASYOND(东方新天地)', []);
    expect(parseAddress('东方新天地', g).poi).toBeNull();
  });

  it('reads a place named after an area it does not know (正义路社区天安门广场内)', () => {
    const g = new AddressGazetteer({ districts: ['东城区'], roads: ['正义路'], pois: [{ name: '天安门广场', aliases: [] }] });
    expect(pick(parseAddress('东城区正义路社区天安门广场内', g), 'unknownArea', 'poi', 'road')).toEqual({
      unknownArea: '正义路社区',
      poi: { name: '天安门广场', edits: [], alias: null },
      road: null,
    });
    // the area alone is still no road
    expect(pick(parseAddress('东城区正义路社区', g), 'unknownArea', 'road')).toEqual({ unknownArea: '正义路社区', road: null });
  });

  it('reads a misspelt road whose start is a name of its own as one road: 崇文门东 + 顺成街 for 崇文门东顺城街', () => {
    const g = new AddressGazetteer({ districts: ['东城区'], roads: ['崇文门东顺城街'], pois: [{ name: '崇文门东', aliases: [] }] });
    expect(pick(parseAddress('崇文门东顺成街5号', g), 'roads', 'number')).toEqual({ roads: [{ name: '崇文门东顺城街', edits: ['homophone'] }], number: 5 });
    expect(pick(parseAddress('东城区崇文门东顺成街', g), 'district', 'road')).toEqual({ district: '东城区', road: '崇文门东顺城街' });
  });

  it('reads the side of the gate written where a gate road leaves it out: 朝内南小街 for 朝阳门南小街', () => {
    const roads = (text: string) => parse(text).roads;
    expect(roads('朝阳门内南小街12号')).toEqual([{ name: '朝阳门南小街', edits: ['gateSide'] }]);
    expect(roads('朝内南小街12号')).toEqual([{ name: '朝阳门南小街', edits: ['gateSide', 'abbreviation'] }]);
    expect(roads('朝阳门外南小街12号')).toEqual([{ name: '朝阳门南小街', edits: ['gateSide'] }]);
    // a road with the side in its own name keeps that spelling, whichever was entered first
    expect(roads('东直门内北小街2号')).toEqual([{ name: '东直门内北小街', edits: [] }]);
    expect(roads('东内北小街2号')).toEqual([{ name: '东直门内北小街', edits: ['abbreviation'] }]);
    expect(roads('东直门外北小街2号')).toEqual([{ name: '东直门北小街', edits: ['gateSide'] }]);
    // only a direction after the gate takes a side: 安定门外大街 is no 安定门内外大街
    expect(parse('安定门内外大街2号').roadMatch).toBe('unknown');
  });

  it('reads the spellings people use for a road, naming each relaxation', () => {
    const roads = (text: string) => parse(text).roads;
    expect(roads('东四10条5号')).toEqual([{ name: '东四十条', edits: ['ordinal'] }]);
    expect(roads('东四十條5号')).toEqual([{ name: '东四十条', edits: [] }]);
    expect(roads('北新桥3条5号')).toEqual([{ name: '北新桥三条', edits: ['ordinal'] }]);
    expect(roads('东四1条5号')).toEqual([{ name: '东四头条', edits: ['ordinal'] }]);
    // series ending in 区 and 巷 too, their digits not read as the door number
    expect(pick(parse('和平里7区19号'), 'roads', 'number')).toEqual({ roads: [{ name: '和平里七区', edits: ['ordinal'] }], number: 19 });
    expect(roads('多福胡同5号')).toEqual([{ name: '多福巷', edits: ['suffix'] }]);
    expect(roads('帽儿5号')).toEqual([{ name: '帽儿胡同', edits: ['suffix'] }]);
    expect(roads('东四北街5号')).toEqual([{ name: '东四北大街', edits: ['suffix'] }]);
    expect(roads('琴老胡同5号')).toEqual([{ name: '秦老胡同', edits: ['homophone'] }]);
    expect(roads('普寺前巷5号')).toEqual([{ name: '普度寺前巷', edits: ['missing'] }]);
  });

  it('never reads an unknown road as a shorter road inside it, nor a 街道 name as a road', () => {
    expect(pick(parse('钱粮西巷10号'), 'road', 'roadMatch', 'roads')).toEqual({ road: '钱粮西巷', roadMatch: 'unknown', roads: [] });
    expect(pick(parse('北三条19号'), 'roadMatch', 'roads')).toEqual({ roadMatch: 'unknown', roads: [] });
    expect(pick(parse('美术馆后街街道'), 'road', 'unknownArea')).toEqual({ road: null, unknownArea: '美术馆后街街道' });
  });

  it('tells a road from the 街道 named after it by context', () => {
    expect(pick(parse('体育馆路街道体育馆路3号'), 'street', 'road')).toEqual({ street: '体育馆路街道', road: '体育馆路' });
    expect(pick(parse('体育馆路3号'), 'street', 'road')).toEqual({ street: null, road: '体育馆路' });
  });

  it('flags a place outside the loaded area', () => {
    expect(parse('北京市西城区金融街街道四道弯胡同5号').outside).toBe('西城区');
    expect(parse('西城区多福巷12号').outside).toBe('西城区');
    expect(parse('上海市黄浦区南京东路1号').outside).toBe('上海市');
    expect(parse('北京市某某区多福巷12号').outside).toBe('某某区');
    expect(parse('东城区多福巷12号').outside).toBeNull();
    expect(parse('朝阳门内大街5号').outside).toBeNull();
    expect(parse('幸福小区3号楼').outside).toBeNull();
    // said short where an address starts (after 北京 at most): the place outside all the same
    expect(parse('海淀 多福巷12号').outside).toBe('海淀区');
    expect(parse('北京海淀多福巷12号').outside).toBe('海淀区');
    expect(parse('上海，多福巷12号').outside).toBe('上海市');
    expect(parse('广州 多福巷12号').outside).toBe('广州市');
    // before a number it is a road with its ending dropped (大兴3号: 大兴胡同), after a name of ours only text
    expect(parse('海淀12号').outside).toBeNull();
    expect(parse('东城区朝阳多福巷12号').outside).toBeNull();
  });

  it('reads a copy district whose name has digits', () => {
    expect(pick(parse('北京市东城区（模拟2）东华门街道多福巷12号'), 'district', 'road', 'number')).toEqual({ district: '东城区（模拟2）', road: '多福巷', number: 12 });
  });

  it('returns nothing recognised for garbage, and no road without text', () => {
    expect(pick(parse(''), 'road', 'number', 'district')).toEqual({ road: null, number: null, district: null });
    expect(parse('!!!').road).toBeNull();
  });

  test.prop([fc.string({ maxLength: 50 })])('never throws', (text) => {
    expect(() => parse(text)).not.toThrow();
  });
});
