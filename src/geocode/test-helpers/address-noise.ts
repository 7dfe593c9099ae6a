// Noisy but realistic ways people write the district's addresses: used by the forward
// geocoder's accuracy test and by the forward benchmark, so both measure the same noise.
import type { Address, House } from '../../model.js';
import { formatDoorPlate } from '../../model.js';

/** An address taken apart, so it can be written another way. */
export interface Spec {
  houseId: number;
  district: string;
  street: string;
  community: string;
  road: string;
  number: number;
  compound: boolean;
  building: number | null;
}

/** How to write a Spec; `canonicalStyle()` writes the canonical address. */
export interface Style {
  province: string;
  district: boolean;
  street: 'full' | 'bare' | 'none';
  community: 'full' | 'bare' | '居委会' | 'none';
  numerals: 'arabic' | 'fullwidth' | 'chinese';
  /** index into COMPOUND_FORMS */
  plateForm: number;
  /** separators between the parts: none, spaces, punctuation */
  gaps: 'none' | 'spaces' | 'punctuation';
  /** a remark in brackets, after the road (before the number) or after the plate */
  remark: { text: string; where: 'road' | 'plate' } | null;
  /** a name written before the road and set off by a space or comma (a business district's) */
  lead: string;
}

export const canonicalStyle = (): Style => ({ province: '北京市', district: true, street: 'full', community: 'full', numerals: 'arabic', plateForm: 0, gaps: 'none', remark: null, lead: '' });

const COMPOUND_FORMS: ((n: string, m: string) => string)[] = [
  (n, m) => `${n}号院${m}号楼`,
  (n, m) => `${n}院${m}楼`,
  (n, m) => `${n}号${m}栋`,
  (n, m) => `${n}号${m}幢`,
  (n, m) => `${n}号院${m}栋`,
  (n, m) => `${n}号院${m}座`,
  (n, m) => `${n}号${m}号楼`,
];

export function specOf(house: House, address: Address, streets: string[], districtName: string): Spec {
  // 北京市<district><street><community><door plate>
  let rest = house.address!.slice(`北京市${districtName}`.length);
  const street = streets.filter((s) => rest.startsWith(s)).sort((a, b) => b.length - a.length)[0]!;
  rest = rest.slice(street.length);
  const plate = formatDoorPlate(address);
  return {
    houseId: house.id,
    district: districtName,
    street,
    community: rest.slice(0, rest.length - plate.length),
    road: address.road,
    number: address.number,
    compound: address.compound,
    building: address.building,
  };
}

const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A number written the way people write door numbers: 十二, 二十, 一百零八, or 一〇八 digit by digit. */
function chinese(n: number, random: () => number): string {
  const digits = '〇一二三四五六七八九';
  if (n >= 100 && random() < 0.3) return String(n).split('').map((d) => digits[Number(d)]).join('');
  const units = ['', '十', '百', '千'];
  const parts = String(n).split('').map(Number);
  let text = '';
  let zero = false;
  parts.forEach((d, k) => {
    const unit = parts.length - 1 - k;
    if (d === 0) {
      zero = text !== '';
      return;
    }
    if (zero) text += '零';
    zero = false;
    text += (d === 1 && unit === 1 && parts.length === 2 ? '' : digits[d]!) + units[unit]!;
  });
  return text;
}

export function render(spec: Spec, style: Style, random: () => number): string {
  const num = (n: number): string =>
    style.numerals === 'chinese' ? chinese(n, random) : style.numerals === 'fullwidth' ? String(n).replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) : String(n);
  const parts: string[] = [];
  if (style.province !== '') parts.push(style.province);
  if (style.district) parts.push(spec.district);
  if (style.street !== 'none') parts.push(style.street === 'full' ? spec.street : spec.street.replace(/街道$/, ''));
  if (style.community !== 'none') {
    const bare = spec.community.replace(/社区$/, '');
    parts.push(style.community === 'full' ? spec.community : style.community === 'bare' ? bare : `${bare}居委会`);
  }
  const spaces = style.gaps === 'spaces';
  const n = num(spec.number);
  let plate: string;
  if (spec.building !== null) plate = COMPOUND_FORMS[style.plateForm]!(n, num(spec.building));
  else plate = `${n}号${spec.compound ? '院' : ''}`;
  // a person typing spaces may also put one between the road and the number
  const remark = style.remark;
  const road = style.lead + (remark?.where === 'road' ? spec.road + remark.text : spec.road);
  parts.push(road + (spaces && random() < 0.4 ? ' ' : '') + plate + (remark?.where === 'plate' ? remark.text : ''));
  let text = parts[0]!;
  for (let k = 1; k < parts.length; k++) {
    const gap = style.gaps === 'spaces' ? pick(random, [' ', ' ', '  ', '\u3000', '']) : style.gaps === 'punctuation' ? pick(random, ['，', ',', '、', '-', ' ']) : '';
    text += gap + parts[k]!;
  }
  return text;
}

export interface NoiseKind {
  name: string;
  /** the addresses it can be applied to (all when absent) */
  applies?: (spec: Spec) => boolean;
  apply: (style: Style, random: () => number, spec: Spec) => void;
}

const BASE_KINDS: NoiseKind[] = [
  { name: 'district dropped', apply: (s) => void (s.district = false) },
  { name: 'street dropped', apply: (s) => void (s.street = 'none') },
  {
    name: 'district+street dropped',
    apply: (s, random) => {
      s.district = false;
      s.street = 'none';
      s.province = pick(random, ['', '北京市', '北京']);
    },
  },
  {
    name: 'road and number only',
    apply: (s) => {
      s.province = '';
      s.district = false;
      s.street = 'none';
      s.community = 'none';
    },
  },
  { name: 'prefix changed', apply: (s, random) => void (s.province = pick(random, ['', '北京', '中国北京市', '中国北京'])) },
  {
    name: 'suffixes dropped',
    apply: (s, random) => {
      s.street = pick(random, ['full', 'bare', 'bare'] as const);
      s.community = s.street === 'full' ? pick(random, ['bare', '居委会'] as const) : pick(random, ['full', 'bare', '居委会'] as const);
    },
  },
  {
    // what listings put in brackets: a landmark, a branch, a gate or side
    name: 'remark in brackets',
    apply: (s, random) => {
      const [open, close] = pick(random, [['(', ')'], ['（', '）'], ['【', '】']]);
      const what = pick(random, ['近地铁站', '东门', '南侧', '临街', '总店', '近路口', '胡同口', '二层', '北京站店', '近天桥']);
      s.remark = { text: open + what + close, where: random() < 0.5 ? 'road' : 'plate' };
    },
  },
  {
    // a business district or landmark people put first, set apart from the road: 簋街 多福巷12号
    name: 'name before the road, set apart',
    apply: (s, random) => {
      s.district = false;
      s.street = 'none';
      s.community = 'none';
      s.lead = pick(random, ['簋街', '国贸', '三里屯', '后海', '金宝街商圈', 'CBD', '新光天地', '胡同游']) + pick(random, [' ', '\u3000', '，', ', ']);
    },
  },
  { name: 'full-width digits', apply: (s) => void (s.numerals = 'fullwidth') },
  { name: 'Chinese numerals', apply: (s) => void (s.numerals = 'chinese') },
  { name: 'spaces inserted', apply: (s) => void (s.gaps = 'spaces') },
  { name: 'punctuation inserted', apply: (s) => void (s.gaps = 'punctuation') },
  { name: '号院 form changed', applies: (spec) => spec.building !== null, apply: (s, random) => void (s.plateForm = 1 + Math.floor(random() * (COMPOUND_FORMS.length - 1))) },
];

export const NOISE_KINDS: NoiseKind[] = [
  ...BASE_KINDS,
  {
    name: 'mixed (2–4 of the above)',
    apply: (style, random, spec) => {
      const kinds = BASE_KINDS.filter((k) => k.applies === undefined || k.applies(spec));
      const count = 2 + Math.floor(random() * 3);
      const chosen = new Set<NoiseKind>();
      while (chosen.size < count) chosen.add(pick(random, kinds));
      for (const kind of chosen) kind.apply(style, random, spec);
    },
  },
];

/** mulberry32, so the noisy variants are the same every run */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` noisy addresses of a district, each with the house it names; mixed noise kinds, seeded. */
export function noisyAddresses(
  district: { areas: { level: string; name: string }[]; houses: House[]; addresses: Address[] },
  count: number,
  seed = 1,
): { text: string; houseId: number }[] {
  const houses = new Map(district.houses.map((h) => [h.id, h]));
  const streets = district.areas.filter((a) => a.level === 'street').map((a) => a.name);
  const districtName = district.areas.find((a) => a.level === 'district')!.name;
  const specs = district.addresses.filter((a) => a.houseId !== null).map((a) => specOf(houses.get(a.houseId!)!, a, streets, districtName));
  const random = seeded(seed);
  const out: { text: string; houseId: number }[] = [];
  for (let k = 0; k < count; k++) {
    const spec = specs[k % specs.length]!;
    const kinds = NOISE_KINDS.filter((kind) => kind.applies === undefined || kind.applies(spec));
    const style = canonicalStyle();
    kinds[Math.floor(random() * kinds.length)]!.apply(style, random, spec);
    out.push({ text: render(spec, style, random), houseId: spec.houseId });
  }
  return out;
}
