import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address, Poi } from '../model.js';
import { formatDoorPlate } from '../model.js';
import { changesSince, lastChangeSeq } from '../store/changes.js';
import { seededRandom } from '../test-helpers/seeded-random.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { AutocompleteIndex, SUGGESTION_KINDS, type Suggestion } from './autocomplete.js';
import { ReverseGeocoder } from './reverse.js';

let district: TestDistrict;
let reverse: ReverseGeocoder;
let index: AutocompleteIndex;
let buildMs: number;

beforeAll(() => {
  district = openTestDistrict('autocomplete');
  reverse = ReverseGeocoder.fromStore(district.store);
  const started = performance.now();
  index = AutocompleteIndex.fromStore(district.store, (lng, lat) => reverse.resolve(lng, lat));
  buildMs = performance.now() - started;
  console.log(`autocomplete index: ${JSON.stringify(index.size)} built in ${buildMs.toFixed(0)} ms`);
});

afterAll(() => district?.remove());

const texts = (suggestions: Suggestion[]) => suggestions.map((s) => s.text);

/** Writes go through the store's change log, as the API's do, and reach the index by applyChanges. */
function follow(write: () => void): number {
  const seq = lastChangeSeq(district.store.db);
  write();
  const changes = changesSince(district.store.db, seq);
  const started = performance.now();
  index.applyChanges(changes, district.store);
  return performance.now() - started;
}

describe('AutocompleteIndex', () => {
  it('suggests by the start of a name, the whole name first', () => {
    const found = index.suggest('多福巷');
    expect(found[0]).toMatchObject({ text: '多福巷', kind: 'road', exact: true, match: 'name' });
    expect(found[1]).toMatchObject({ text: '多福巷社区', kind: 'community', code: '110101001001', street: '东华门街道', community: null });
    // then the community's grids and the places named after the road (多福巷小学, 多福巷7号院 …), by kind
    expect(found.slice(2).every((s) => (s.kind === 'grid' && s.text.startsWith('多福巷社区第')) || (s.kind === 'poi' && s.text.startsWith('多福巷')))).toBe(true);
    expect(index.suggest('多福').every((s) => s.text.startsWith('多福'))).toBe(true);
  });

  it('suggests by toneless pinyin, whole or a start of it', () => {
    expect(index.suggest('dongsibeidajie')[0]).toMatchObject({ text: '东四北大街', kind: 'road', exact: true, match: 'pinyin' });
    const found = index.suggest('dongsibei');
    expect(found.length).toBeGreaterThan(3);
    expect(found.every((s) => s.text.startsWith('东四北'))).toBe(true);
    // spaces, capitals and full-width letters are typed too
    expect(texts(index.suggest('Dong Si Bei'))).toEqual(texts(found));
    expect(texts(index.suggest('ｄｏｎｇｓｉｂｅｉ'))).toEqual(texts(found));
  });

  it('suggests by pinyin initials (dsbdj → 东四北大街) and by starts of each syllable', () => {
    expect(index.suggest('dsbdj')[0]).toMatchObject({ text: '东四北大街', kind: 'road', exact: true, match: 'initials' });
    expect(index.suggest('dongsbdj')[0]).toMatchObject({ text: '东四北大街', match: 'pinyin', exact: false });
    expect(index.suggest('dsibeidaj')[0]?.text).toBe('东四北大街');
    // 广 read in context is ān (pinyin-pro), per character guǎng: both readings are keys
    expect(index.suggest('gqmndj')[0]?.text).toBe('广渠门内大街');
  });

  it('ranks exact before prefix, then street, community, road, place, grid, door, then shorter text', () => {
    const found = index.suggest('东四', { limit: 20 });
    expect(found[0]).toMatchObject({ text: '东四街道', kind: 'street', code: '110101006', street: null });
    const rank = (s: Suggestion) => [s.exact ? 0 : 1, SUGGESTION_KINDS.indexOf(s.kind), s.text.length] as const;
    for (let k = 1; k < found.length; k++) {
      const [a, b] = [rank(found[k - 1]!), rank(found[k]!)];
      expect(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2]))), `${found[k - 1]!.text} before ${found[k]!.text}`).toBe(true);
    }
    // a piece from inside a name comes after every prefix match
    const inside = index.suggest('四北大街');
    expect(inside[0]).toMatchObject({ text: '东四北大街', match: 'infix' });
  });

  it('returns at most limit suggestions, 10 by default, none for blank or unknown text', () => {
    expect(index.suggest('东')).toHaveLength(10);
    expect(index.suggest('东', { limit: 3 })).toHaveLength(3);
    expect(index.suggest('东', { limit: 20 })).toHaveLength(20);
    expect(texts(index.suggest('东', { limit: 3 }))).toEqual(texts(index.suggest('东')).slice(0, 3));
    expect(index.suggest('   ')).toEqual([]);
    expect(index.suggest('火星基地')).toEqual([]);
    expect(index.suggest('zzzzqx')).toEqual([]);
  });

  it('suggests door plates once the query reaches the number, with the house and its context', () => {
    expect(index.suggest('多福巷').some((s) => s.kind === 'door')).toBe(false);
    const plates = [...district.store.iterate('addresses')].filter((a) => a.road === '多福巷' && a.status === '在用');
    const twelve = plates.find((a) => a.number === 12 && !a.compound)!;
    const found = index.suggest('多福巷12');
    expect(found[0]).toMatchObject({ text: '多福巷12号', kind: 'door', exact: true, id: twelve.id, houseId: twelve.houseId });
    expect(found.every((s) => s.kind === 'door' && s.text.startsWith('多福巷12'))).toBe(true);
    const at = reverse.resolve(found[0]!.lng, found[0]!.lat);
    expect([found[0]!.street, found[0]!.community]).toEqual([at.street?.name, at.community?.name]);
    // every plate of the road whose number starts with 1, and only those
    const ones = plates.filter((a) => String(a.number).startsWith('1')).map((a) => formatDoorPlate(a));
    expect(new Set(texts(index.suggest('多福巷1', { limit: 20 }))).size).toBe(Math.min(20, ones.length));
    expect(texts(index.suggest('多福巷1', { limit: 20 })).every((t) => ones.includes(t))).toBe(true);
    // the road by pinyin or initials, then the number; and after an administrative prefix
    expect(index.suggest('dfx12')[0]?.text).toBe('多福巷12号');
    expect(index.suggest('duofuxiang12')[0]?.text).toBe('多福巷12号');
    expect(index.suggest('北京市东城区多福巷12')[0]?.text).toBe('多福巷12号');
    // the number in Chinese numerals, and with 号
    expect(index.suggest('多福巷十二')[0]?.text).toBe('多福巷12号');
    expect(index.suggest('多福巷12号')[0]).toMatchObject({ text: '多福巷12号', exact: true });
  });

  it('suggests compound buildings as the query goes on', () => {
    const gate = [...district.store.iterate('addresses')].find((a) => a.compound && a.building === 2)!;
    const prefix = `${gate.road}${gate.number}号院`;
    const found = index.suggest(prefix, { limit: 20 });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((s) => s.text.startsWith(prefix))).toBe(true);
    expect(texts(found)).toContain(formatDoorPlate(gate));
  });

  it('finds areas and grids by the leading digits of their codes', () => {
    expect(index.suggest('110101001')[0]).toMatchObject({ text: '东华门街道', kind: 'street', exact: true, match: 'code' });
    const unit = index.suggest('110101001001001')[0]!;
    expect(unit).toMatchObject({ kind: 'grid', scheme: 'unit', code: '110101001001001', exact: true, community: '多福巷社区' });
    const social = index.suggest('1101010010011001')[0]!;
    expect(social).toMatchObject({ kind: 'grid', scheme: 'social', code: '1101010010011001', text: '多福巷社区第1网格' });
    expect(social.dynamicCode).toMatch(/^\d{6}$/);
    expect(index.suggest('11010100100100', { limit: 20 }).every((s) => s.code?.startsWith('11010100100100'))).toBe(true);
  });

  it('agrees with a brute-force ranking of every name for random Chinese prefixes', () => {
    const store = district.store;
    const names: { text: string; kind: Suggestion['kind'] }[] = [];
    for (const area of store.iterate('areas')) if (area.level !== 'district') names.push({ text: area.name, kind: area.level });
    for (const road of store.iterate('roads')) names.push({ text: road.name, kind: 'road' });
    for (const grid of store.iterate('grids')) if (grid.scheme === 'social') names.push({ text: grid.name, kind: 'grid' });
    for (const poi of store.iterate('pois')) names.push({ text: poi.name, kind: 'poi' });
    const aliases = [...store.iterate('pois')].flatMap((poi) => poi.aliases);
    const random = seededRandom(20261207);
    for (let run = 0; run < 300; run++) {
      const name = names[Math.floor(random() * names.length)]!.text;
      const q = name.slice(0, 1 + Math.floor(random() * name.length));
      // a place's other names (地坛 for 地坛公园) rank it too: this brute force knows names only
      if (aliases.some((a) => a.startsWith(q))) continue;
      const expected = [...new Map(names.filter((n) => n.text.startsWith(q)).map((n) => [`${n.kind} ${n.text}`, n])).values()]
        .sort((a, b) => Number(b.text === q) - Number(a.text === q) || SUGGESTION_KINDS.indexOf(a.kind) - SUGGESTION_KINDS.indexOf(b.kind) || a.text.length - b.text.length || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
        .slice(0, 10)
        .map((n) => `${n.kind} ${n.text}`);
      // door plates come in once the query reaches a number (a place named 东四北大街15号院): not names
      const got = index.suggest(q).filter((s) => s.match !== 'infix' && s.kind !== 'door').map((s) => `${s.kind} ${s.text}`);
      expect(got, q).toEqual(expected);
    }
  });

  it('answers in microseconds', () => {
    const queries = ['d', 'ds', 'dsb', '东', '东四', 'dongsi', '多福巷1', '110101', 'zhong', '四北'];
    const started = performance.now();
    for (let k = 0; k < 200; k++) for (const q of queries) index.suggest(q);
    const meanUs = ((performance.now() - started) / (200 * queries.length)) * 1000;
    console.log(`autocomplete: ${meanUs.toFixed(1)} µs a query (mean over ${queries.length} kinds of partial query)`);
    expect(meanUs).toBeLessThan(1000);
  });
});

describe('AutocompleteIndex.applyChanges', () => {
  it('suggests a new door plate at once and drops it when retired', () => {
    const store = district.store;
    const template = [...store.iterate('addresses')].find((a) => a.road === '多福巷' && !a.compound)!;
    const plate: Address = { ...template, id: store.nextId('addresses'), number: 987, houseId: null };
    expect(index.suggest('多福巷987')).toEqual([]);
    const addMs = follow(() => store.upsert('addresses', [plate]));
    expect(index.suggest('多福巷987')[0]).toMatchObject({ text: '多福巷987号', kind: 'door', id: plate.id, houseId: null });
    expect(index.suggest('dfx98')[0]?.text).toBe('多福巷987号');
    const retireMs = follow(() => store.upsert('addresses', [{ ...plate, status: '废弃', retiredOn: '2026-12-07' }]));
    expect(index.suggest('多福巷987')).toEqual([]);
    console.log(`door plate applied in ${addMs.toFixed(2)} ms, retired in ${retireMs.toFixed(2)} ms`);
    expect(addMs).toBeLessThan(20);
    expect(retireMs).toBeLessThan(20);
  });

  it('moves a plate to another road and number', () => {
    const store = district.store;
    const before = [...store.iterate('addresses')].find((a) => a.road === '多福巷' && a.number === 12 && !a.compound)!;
    follow(() => store.upsert('addresses', [{ ...before, road: '东四北大街', number: 1234 }]));
    expect(index.suggest('多福巷12').some((s) => s.id === before.id)).toBe(false);
    expect(index.suggest('东四北大街1234')[0]).toMatchObject({ id: before.id, text: '东四北大街1234号' });
    follow(() => store.upsert('addresses', [before]));
    expect(index.suggest('多福巷12')[0]).toMatchObject({ id: before.id, text: '多福巷12号' });
  });

  it('stops suggesting the plates of a retired house', () => {
    const store = district.store;
    const plate = [...store.iterate('addresses')].find((a) => a.road === '多福巷' && a.number === 12 && !a.compound)!;
    const house = store.getHouse(plate.houseId!)!;
    follow(() => store.upsert('houses', [{ ...house, status: '废弃', retiredOn: '2026-12-07' }]));
    expect(index.suggest('多福巷12').some((s) => s.id === plate.id)).toBe(false);
    follow(() => store.upsert('houses', [house]));
    expect(index.suggest('多福巷12')[0]?.id).toBe(plate.id);
  });

  it('suggests a new place by its name, pinyin and aliases, and follows a rename', () => {
    const store = district.store;
    const at = index.suggest('多福巷12')[0]!;
    const poi: Poi = {
      id: 900_001,
      name: '银河SOHO A座',
      aliases: ['银河搜活'],
      category: '写字楼',
      geometry: { type: 'Point', coordinates: [at.lng, at.lat] },
      address: null,
      unitGridCode: null,
      socialStaticCode: null,
    };
    const ms = follow(() => store.upsert('pois', [poi]));
    expect(index.suggest('银河')[0]).toMatchObject({ text: '银河SOHO A座', kind: 'poi', id: poi.id, category: '写字楼', street: at.street, community: at.community });
    expect(index.suggest('yinhesoho')[0]?.text).toBe('银河SOHO A座');
    expect(index.suggest('yhsoho')[0]?.text).toBe('银河SOHO A座');
    expect(index.suggest('银河搜')[0]).toMatchObject({ text: '银河SOHO A座', match: 'alias' });
    expect(index.suggest('soho')[0]).toMatchObject({ text: '银河SOHO A座', match: 'infix' });
    follow(() => store.upsert('pois', [{ ...poi, name: '银河大厦', aliases: [] }]));
    expect(index.suggest('银河S')).toEqual([]);
    expect(index.suggest('yhds')[0]?.text).toBe('银河大厦');
    console.log(`place applied in ${ms.toFixed(2)} ms`);
  });

  it('takes a renamed social grid and a new road', () => {
    const store = district.store;
    const grid = store.getGrid('social', '1101010010011001')!;
    follow(() => store.addGridVersion({ ...grid, name: '多福巷社区甲网格', dynamicCode: '209901', validFrom: '2099-01-01', validTo: null }));
    expect(index.suggest('多福巷社区甲')[0]).toMatchObject({ code: '1101010010011001', dynamicCode: '209901', text: '多福巷社区甲网格' });
    expect(index.suggest('多福巷社区第1网格', { limit: 1 })[0]?.text).not.toBe('多福巷社区第1网格');
    const road = [...store.iterate('roads')][0]!;
    follow(() => store.upsert('roads', [{ ...road, id: store.nextId('roads'), name: '新开胡同' }]));
    expect(index.suggest('xkht')[0]).toMatchObject({ text: '新开胡同', kind: 'road' });
  });

  it('agrees with a fresh build after the changes', () => {
    const fresh = AutocompleteIndex.fromStore(district.store, (lng, lat) => reverse.resolve(lng, lat));
    expect(index.size).toEqual(fresh.size);
    for (const q of ['多福巷', '多福巷1', 'dfx', '银河', 'xkht', '110101001001', '东四北', 'dsb', '四条']) {
      expect(index.suggest(q, { limit: 20 }), q).toEqual(fresh.suggest(q, { limit: 20 }));
    }
  });
});
