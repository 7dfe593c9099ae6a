// Spellings of door-plate addresses the way people in Beijing really write them (issue 9), one
// seeded generator per class of variation, and addresses that must get no confident answer.
// Every variant is derived from the district's own names, so the accuracy test measures the
// matcher against classes of variation rather than against a list it could be tuned to.
import { pinyin } from 'pinyin-pro';
import { parseChineseNumeral } from '../chinese-numerals.js';
import { canonicalStyle, NOISE_KINDS, render, type Spec, type Style } from './address-noise.js';

/** The names a variant must not collide with: the district's own, as the matcher knows them. */
export interface KnownNames {
  /** the district's own name (东城区) */
  district: string;
  /** every road name of the district, and every listed name the generator may hand out */
  roads: ReadonlySet<string>;
  /** 街道 names (…街道) */
  streets: readonly string[];
  /** 社区 names (…社区) */
  communities: readonly string[];
}

/** What a right answer to a variant is. */
export type Expect =
  | {
      kind: 'house';
      houseId: number;
      district: string;
      road: string;
      number: number;
      street: string;
      community: string;
    }
  | {
      kind: 'none';
      /** the existing road the text tempts a matcher towards, if any */
      trap: string | null;
      /** the real 街道 / 社区 the text names, where an area-level answer would be fair */
      street: string | null;
      community: string | null;
    };

/** One address as a person might type it, and what it names. */
export interface VariantItem {
  text: string;
  /** the road name as written in the text */
  road: string;
  expect: Expect;
}

/** A class of variation; `positive` classes name a house, the others must get no confident answer. */
export interface VariantClass {
  name: string;
  positive: boolean;
  /** an item for this door plate, or null when the class does not apply to it */
  generate(plate: Spec, random: () => number): VariantItem | null;
}

/** Characters that tell roads of one family apart (东四北大街 / 东四南大街, 大菊 / 小菊): never varied. */
const DISTINGUISHING = new Set('东西南北前后左右上下内外大小中');
/** ordinals: 头条 is the first */
const ORDINAL_CHARS = new Set('头一二三四五六七八九十两〇零');
const isNumeral = (ch: string): boolean => ORDINAL_CHARS.has(ch) || (ch >= '0' && ch <= '9');
/** generic endings of road names, longest first */
const GENERIC_ENDINGS = ['滨河路', '胡同', '大街', '小街', '斜街', '夹道', '街', '路', '巷', '道', '条', '里', '区'];
const GENERIC_CHARS = new Set(GENERIC_ENDINGS.join(''));
const genericEnding = (name: string): string => GENERIC_ENDINGS.find((e) => name.endsWith(e) && name.length > e.length) ?? '';

/** The 街道 of the former 崇文区, merged into 东城区 in 2010. */
const FORMER_CHONGWEN_STREETS = new Set(['前门街道', '崇文门外街道', '东花市街道', '龙潭街道', '体育馆路街道', '天坛街道', '永定门外街道']);
const FORMER_DISTRICT = '崇文区';
/** Neighbouring districts of the city: an address naming one is not ours. */
const OTHER_DISTRICTS = ['西城区', '朝阳区', '海淀区', '丰台区'];

/**
 * Traditional forms of characters that occur in the district's names and addresses, written for
 * this test (the normaliser keeps its own table; the two must not be the same list). Characters
 * with several traditional forms by meaning (干, 面, 里, 谷, 台, 钟) are left out.
 */
const TRADITIONAL = new Map(
  (
    '东東 两兩 乐樂 仓倉 侨僑 儿兒 兴興 关關 内內 务務 华華 协協 单單 厂廠 厅廳 压壓 后後 园園 国國 圆圓 坛壇 块塊 ' +
    '学學 宝寶 实實 宫宮 宽寬 宾賓 岗崗 帅帥 广廣 庄莊 庆慶 库庫 张張 总總 戏戲 扬揚 极極 条條 杨楊 枣棗 桥橋 ' +
    '楼樓 沟溝 湾灣 滨濱 滩灘 灯燈 烧燒 环環 监監 礼禮 祯禎 禄祿 粮糧 红紅 纱紗 细細 织織 经經 缎緞 罗羅 芦蘆 ' +
    '苏蘇 荣榮 荫蔭 莱萊 营營 葱蔥 观觀 谢謝 贞貞 贡貢 赵趙 车車 轳轤 辇輦 辘轆 运運 銮鑾 钞鈔 钱錢 铁鐵 铃鈴 ' +
    '铛鐺 银銀 锡錫 锣鑼 长長 门門 闸閘 阁閣 阳陽 顺順 飞飛 饵餌 馆館 马馬 骑騎 鱼魚 鲜鮮 鲤鯉 黄黃 龙龍 区區 ' +
    '头頭 义義 体體 夹夾 晓曉 术術 杆桿 号號 栋棟 县縣 万萬 鸿鴻 凤鳳 进進 边邊 闻聞 诚誠 丽麗 宁寧 云雲 纪紀'
  )
    .split(' ')
    .map((pair) => [pair[0]!, pair[1]!] as const),
);
const toTraditional = (text: string): string => [...text].map((ch) => TRADITIONAL.get(ch) ?? ch).join('');

/**
 * Common characters people might type for a sound, beside the characters of the district's own
 * names: the pool a one-character homophone is drawn from.
 */
const COMMON_CHARACTERS =
  '园圆元原员源远院缘苑庭亭停廷听厅安鞍岸平评苹凭福富府付复符扶祥详翔享吉及级极即集籍和合河何荷禾兴星新心欣辛馨' +
  '华花化画话春纯唇民敏名明鸣铭宁凝长常昌场金今津巾林临琳邻明光广逛德得忠钟终红宏洪鸿虹文闻纹武舞伍成城诚承程' +
  '永勇泳康抗慷泰太态隆龙笼清青轻庆英樱鹰桥乔侨家佳嘉加宝保报堡丰风峰锋枫山珊杉水江将姜疆海湖胡虎壶沙纱砂石时' +
  '实十识田甜填井景静境泉全权松颂柏百白杨阳洋羊柳留流竹珠猪梅煤眉兰蓝栏菊局桔桃陶涛李理礼力立丽张章彰王旺望' +
  '赵照钱前潜孙周州洲舟吴无郑正政陈晨辰魏卫为冯逢朱马玛码牛鱼余于雨语宇玉云运芸雪霞月越悦朝潮升生声胜盛荣容融' +
  '瑞锐祺齐奇其旗琪启记纪继济季基机姬积谷古故固顾工公宫功恭弓官观关馆管冠贯灌寺四思司丝斯恩音因银阴仓苍藏草' +
  '曹槽厂场唱井经京精晶茶察查锣罗萝螺鼓古谷骨帽貌冒茂雍拥泳拥庸佛福府灯登等蹬市是事式世士示视史使始驶府腐辅' +
  '学雪血薛宽款官棺芝知之枝织支只直职值植智志治致置制质麻马玛蚂礼李理里鲤炒超潮巢钞豆斗逗都督独读堵渡杜度肚';

/** A road name's parts: `base` is the name before its ordinal and generic ending (东四 in 东四十条). */
interface OrdinalSplit {
  base: string;
  numeral: string;
  value: number;
  ending: string;
}

/** Edit distance ≤ 1 (one character added, dropped or changed). */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  const [s, t] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === t[i]) i++;
  return s.length === t.length ? s.slice(i + 1) === t.slice(i + 1) : s.slice(i) === t.slice(i + 1);
}

const pick = <T,>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** `f` computed once per road: the spellings a name allows depend on the name alone */
function perRoad<T>(f: (road: string) => T): (road: string) => T {
  const cache = new Map<string, T>();
  return (road) => {
    if (!cache.has(road)) cache.set(road, f(road));
    return cache.get(road)!;
  };
}
const toneless = (text: string): string[] => pinyin(text, { toneType: 'none', type: 'array' });
/** The default reading of one character, '' for anything that is not a hanzi. */
const readingOf = (ch: string): string => (/\p{Script=Han}/u.test(ch) ? (toneless(ch)[0] ?? '') : '');

/**
 * The classes of variation for a district: positive classes (the house at door level is the
 * right answer) first, then negative ones. Pure: the same plate and random stream give the same item.
 * @example variantClasses(known).find((c) => c.name === 'ordinal numerals')!.generate(plate, seeded(1))
 */
export function variantClasses(known: KnownNames): VariantClass[] {
  const roads = [...known.roads];
  const bare = (name: string): string => name.replace(/(街道|社区)$/, '');
  const areaNames = new Set([...known.streets, ...known.communities].flatMap((n) => [n, bare(n)]));
  // names a made-up road must not start with: an area's, or a district's (崇文广渠路 reads as 崇文区 广渠路)
  const districtStems = [known.district, FORMER_DISTRICT, ...OTHER_DISTRICTS].map((d) => d.replace(/区$/, ''));
  const areaStems = [...new Set([...known.streets, ...known.communities].map(bare)), ...districtStems].filter((n) => n.length >= 2);
  const isRoad = (name: string): boolean => known.roads.has(name);
  /** no other road is one edit away: the variant names this road and no other */
  const aloneNear = (variant: string, road: string | null): boolean => !roads.some((r) => r !== road && withinOneEdit(variant, r));

  // the same reading for two roads (后园恩寺胡同 / 后圆恩寺胡同): no homophone can tell them apart
  const readingKey = new Map<string, string>();
  const readingCount = new Map<string, number>();
  for (const road of roads) {
    const key = toneless(road).join(' ');
    readingKey.set(road, key);
    readingCount.set(key, (readingCount.get(key) ?? 0) + 1);
  }
  const uniqueReading = (road: string): boolean => readingCount.get(readingKey.get(road)!) === 1;

  const byReading = new Map<string, string[]>();
  const names = [...roads, ...known.streets, ...known.communities].join('');
  for (const ch of new Set(names + COMMON_CHARACTERS)) {
    if (DISTINGUISHING.has(ch) || isNumeral(ch) || GENERIC_CHARS.has(ch)) continue;
    const reading = readingOf(ch);
    if (reading === '') continue;
    const list = byReading.get(reading) ?? [];
    list.push(ch);
    byReading.set(reading, list);
  }
  const stemPool = [...byReading.values()].flat();

  // ordinal series: the split of a name whose base has the most siblings (东四|十条, not 东|四十条)
  const ordinalOf = new Map<string, OrdinalSplit | null>();
  const splitsOf = (name: string): OrdinalSplit[] => {
    const ending = ['条', '区', '巷'].find((e) => name.endsWith(e));
    if (ending === undefined) return [];
    const out: OrdinalSplit[] = [];
    const end = name.length - 1;
    for (let start = end - 1; start >= 1 && ORDINAL_CHARS.has(name[start]!); start--) {
      const numeral = name.slice(start, end);
      const value = numeral === '头' ? 1 : numeral.includes('头') ? -1 : parseChineseNumeral(numeral);
      if (value > 0) out.push({ base: name.slice(0, start), numeral, value, ending });
    }
    return out;
  };
  const familySize = new Map<string, number>();
  for (const road of roads) for (const s of splitsOf(road)) familySize.set(s.base + s.ending, (familySize.get(s.base + s.ending) ?? 0) + 1);
  const ordinal = (name: string): OrdinalSplit | null => {
    if (!ordinalOf.has(name)) {
      // most siblings first; on a tie the longer base (the shorter numeral)
      const best = splitsOf(name).sort((a, b) => familySize.get(b.base + b.ending)! - familySize.get(a.base + a.ending)! || b.base.length - a.base.length)[0];
      ordinalOf.set(name, best ?? null);
    }
    return ordinalOf.get(name)!;
  };
  /** the part of a name that is its own: no ordinal, no generic ending */
  const specificPart = (name: string): string => ordinal(name)?.base ?? name.slice(0, name.length - genericEnding(name).length);

  // generic ending exchanged or dropped; a result another road could also produce is ambiguous
  const suffixRules: [string, string][] = [
    ['大街', '街'],
    ['街', '大街'],
    ['胡同', ''],
    ['路', '道'],
    ['巷', ''],
  ];
  const suffixVariantsOf = (name: string): string[] => {
    const out: string[] = [];
    for (const [from, to] of suffixRules) {
      if (!name.endsWith(from)) continue;
      const stem = name.slice(0, name.length - from.length);
      // 街 → 大街 only for a plain 街 (not 大街, 小街, 斜街)
      if (from === '街' && /[大小斜]$/.test(stem)) continue;
      // the name must keep two characters of its own (not 宽大街 from 宽街), and a dropped
      // ending must leave a name that stands alone (帽儿, not 南池子西)
      if (stem.length < 2) continue;
      if (to === '' && (DISTINGUISHING.has(stem.at(-1)!) || isNumeral(stem.at(-1)!))) continue;
      if (ordinal(name) !== null && to === '') continue;
      out.push(stem + to);
    }
    return out;
  };
  const suffixSources = new Map<string, number>();
  for (const road of roads) for (const v of suffixVariantsOf(road)) suffixSources.set(v, (suffixSources.get(v) ?? 0) + 1);

  /** a road name as another spelling people use; null when this variation does not apply to it */
  type RoadVariation = { name: string; vary(road: string, random: () => number): string | null };

  // a name shortened to the stem of another road (鲜鱼口 of 鲜鱼口胡同 beside 鲜鱼口街) could be either
  const stemOfAnother = (variant: string, road: string): boolean =>
    GENERIC_ENDINGS.some((ending) => ending !== road.slice(variant.length) && isRoad(variant + ending));
  const suffixOptions = perRoad((road) =>
    suffixVariantsOf(road).filter((v) => !isRoad(v) && !areaNames.has(v) && suffixSources.get(v) === 1 && !stemOfAnother(v, road)),
  );
  const suffix: RoadVariation = {
    name: 'generic suffix changed',
    vary(road, random) {
      const options = suffixOptions(road);
      return options.length === 0 ? null : pick(random, options);
    },
  };

  const ordinalForms: ((s: OrdinalSplit) => string | null)[] = [
    (s) => `${s.base}${s.value}${s.ending}`,
    (s) => `${s.base}${String(s.value).replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))}${s.ending}`,
    (s) => (s.numeral === '头' ? `${s.base}一${s.ending}` : null),
    (s) => (TRADITIONAL.has(s.ending) ? `${s.base}${s.numeral}${TRADITIONAL.get(s.ending)}` : null),
    (s) => (TRADITIONAL.has(s.ending) ? `${s.base}${s.value}${TRADITIONAL.get(s.ending)}` : null),
  ];
  const ordinalVariation: RoadVariation = {
    name: 'ordinal numerals',
    vary(road, random) {
      const split = ordinal(road);
      if (split === null) return null;
      const options = ordinalForms.map((form) => form(split)).filter((v): v is string => v !== null && v !== road && !isRoad(v));
      return options.length === 0 ? null : pick(random, options);
    },
  };

  const traditional: RoadVariation = {
    name: 'traditional characters',
    vary(road, random) {
      let variant = toTraditional(road);
      // 衚衕 is the old written form of 胡同
      if (road.endsWith('胡同') && random() < 0.5) variant = variant.slice(0, -2) + '衚衕';
      return variant === road ? null : variant;
    },
  };

  const homophoneOptions = perRoad((road) => {
    const options: string[] = [];
    if (!uniqueReading(road)) return options;
    const specific = specificPart(road);
    const readings = toneless(road);
    for (let k = 0; k < specific.length; k++) {
      const ch = road[k]!;
      // a polyphone read otherwise in this name than alone (广 in 广渠门 once came out ān) is left be
      if (DISTINGUISHING.has(ch) || isNumeral(ch) || readings[k] !== readingOf(ch)) continue;
      for (const other of byReading.get(readings[k]!) ?? []) {
        if (other === ch) continue;
        const variant = road.slice(0, k) + other + road.slice(k + 1);
        if (!isRoad(variant) && aloneNear(variant, road)) options.push(variant);
      }
    }
    return options;
  });
  const homophone: RoadVariation = {
    name: 'one-character homophone',
    vary(road, random) {
      const options = homophoneOptions(road);
      return options.length === 0 ? null : pick(random, options);
    },
  };

  const missingOptions = perRoad((road) => {
    const options: string[] = [];
    const specific = specificPart(road);
    // a name of two characters with one gone is a different name, not a slip
    if (specific.length < 3) return options;
    for (let k = 0; k < specific.length; k++) {
      const ch = road[k]!;
      if (DISTINGUISHING.has(ch) || isNumeral(ch)) continue;
      const variant = road.slice(0, k) + road.slice(k + 1);
      if (!isRoad(variant) && aloneNear(variant, road)) options.push(variant);
    }
    return options;
  });
  const missing: RoadVariation = {
    name: 'one character missing',
    vary(road, random) {
      const options = missingOptions(road);
      return options.length === 0 ? null : pick(random, options);
    },
  };

  // roads named after a city gate: 安外大街 for 安定门外大街; the side of the wall added to a name
  // without it (朝阳门内南小街, 朝内南小街 for 朝阳门南小街)
  const gateOptions = perRoad((road) => {
    if (road.length < 5 || road[2] !== '门') return [];
    const rest = road.slice(3);
    const options = '内外'.includes(rest[0]!)
      ? road.length >= 6
        ? [road[0] + rest]
        : []
      : '东西南北'.includes(rest[0]!)
        ? [...'内外'].flatMap((side) => [road.slice(0, 3) + side + rest, road[0] + side + rest])
        : [];
    return options.filter((v) => !isRoad(v) && aloneNear(v, road));
  });
  const gate: RoadVariation = {
    name: 'gate road short forms',
    vary(road, random) {
      const options = gateOptions(road);
      return options.length === 0 ? null : pick(random, options);
    },
  };

  const roadVariations = [suffix, ordinalVariation, traditional, homophone, missing, gate];
  const expectHouse = (plate: Spec): Expect => ({
    kind: 'house',
    houseId: plate.houseId,
    district: plate.district,
    road: plate.road,
    number: plate.number,
    street: plate.street,
    community: plate.community,
  });
  const onRoad = (variation: RoadVariation): VariantClass => ({
    name: variation.name,
    positive: true,
    generate(plate, random) {
      const road = variation.vary(plate.road, random);
      if (road === null) return null;
      let text = render({ ...plate, road }, canonicalStyle(), random);
      // people who write traditional characters write the whole address in them
      if (variation === traditional && random() < 0.5) text = toTraditional(text);
      return { text, road, expect: expectHouse(plate) };
    },
  });

  const canonical: VariantClass = {
    name: 'canonical',
    positive: true,
    generate: (plate, random) => ({ text: render(plate, canonicalStyle(), random), road: plate.road, expect: expectHouse(plate) }),
  };

  const chongwen: VariantClass = {
    name: 'former district 崇文区',
    positive: true,
    generate(plate, random) {
      if (!FORMER_CHONGWEN_STREETS.has(plate.street)) return null;
      const style: Style = {
        ...canonicalStyle(),
        province: pick(random, ['北京市', '北京市', '']),
        street: pick(random, ['full', 'bare', 'none'] as const),
        community: pick(random, ['full', 'none'] as const),
      };
      return { text: render({ ...plate, district: FORMER_DISTRICT }, style, random), road: plate.road, expect: expectHouse(plate) };
    },
  };

  const combined: VariantClass = {
    name: 'road variant + address noise',
    positive: true,
    generate(plate, random) {
      const start = Math.floor(random() * roadVariations.length);
      let road: string | null = null;
      for (let k = 0; k < roadVariations.length && road === null; k++) road = roadVariations[(start + k) % roadVariations.length]!.vary(plate.road, random);
      if (road === null) return null;
      const style = canonicalStyle();
      const spec = { ...plate, road };
      const kinds = NOISE_KINDS.filter((kind) => kind.applies === undefined || kind.applies(spec));
      pick(random, kinds).apply(style, random, spec);
      return { text: render(spec, style, random), road, expect: expectHouse(plate) };
    },
  };

  // ---- negative classes: the place is not here, or not known; a confident answer is wrong

  /** a name no road has, nor is one edit from, nor sounds like, nor starts with an area's name */
  const unknownName = (name: string, near: string | null): boolean =>
    !isRoad(name) &&
    aloneNear(name, near) &&
    !readingCount.has(toneless(name).join(' ')) &&
    !areaStems.some((stem) => name.startsWith(stem)) &&
    !roads.some((r) => r !== near && name.endsWith(r));
  /** a plausible road name that is not the district's: two characters and a generic ending */
  const madeUpRoad = (random: () => number): string => {
    for (;;) {
      const name = pick(random, stemPool) + pick(random, stemPool) + pick(random, ['胡同', '胡同', '大街', '街', '路', '巷', '里', '夹道', '斜街']);
      if (unknownName(name, null)) return name;
    }
  };
  const plateText = (plate: Spec, road: string, random: () => number): string =>
    render({ ...plate, road }, { ...canonicalStyle(), province: '', district: false, street: 'none', community: 'none', plateForm: Math.floor(random() * 3) }, random);
  const none = (trap: string | null, street: string | null = null, community: string | null = null): Expect => ({ kind: 'none', trap, street, community });

  const otherDistrictUnknownRoad: VariantClass = {
    name: 'other district, unknown road',
    positive: false,
    generate(plate, random) {
      const road = madeUpRoad(random);
      return { text: pick(random, ['北京市', '北京', '']) + pick(random, OTHER_DISTRICTS) + plateText(plate, road, random), road, expect: none(null) };
    },
  };

  const otherDistrictOurRoad: VariantClass = {
    name: 'other district, a road name of ours',
    positive: false,
    generate(plate, random) {
      const text = pick(random, ['北京市', '北京', '']) + pick(random, OTHER_DISTRICTS) + plateText(plate, plate.road, random);
      return { text, road: plate.road, expect: none(plate.road) };
    },
  };

  // the place written the short way people say it, first: 海淀 多福巷12号, 上海，多福巷12号
  const otherPlaceBareOurRoad: VariantClass = {
    name: 'other district or city, said short, a road name of ours',
    positive: false,
    generate(plate, random) {
      const place = pick(random, [...OTHER_DISTRICTS.map((d) => d.replace(/区$/, '')), '上海', '天津', '河北', '广州']);
      const text = pick(random, ['北京', '']) + place + pick(random, [' ', '，', '']) + plateText(plate, plate.road, random);
      return { text, road: plate.road, expect: none(plate.road) };
    },
  };

  // a short ending of a name: direction or ordinal and one generic character (西巷 in 南池子西巷, 三条 in 草厂三条)
  const shortTail = (name: string): string | null => {
    const ending = genericEnding(name);
    const before = name.at(-ending.length - 1) ?? '';
    if (ending.length !== 1 || !(DISTINGUISHING.has(before) || isNumeral(before))) return null;
    const split = ordinal(name);
    return split === null ? before + ending : split.numeral + split.ending;
  };
  const prefixes = [...'东西南北前后', ...roads.map((r) => specificPart(r).slice(0, 2)).filter((p) => p.length === 2)];
  /** 1–2 characters before `tail` that make a name of no road; null when none is found */
  const prefixed = (tail: string, near: string | null, random: () => number): string | null => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const prefix = random() < 0.5 ? pick(random, prefixes) : pick(random, stemPool) + (random() < 0.5 ? pick(random, stemPool) : '');
      const road = prefix + tail;
      if (unknownName(road, near) && !roads.some((r) => road.startsWith(r))) return road;
    }
    return null;
  };
  const prefixedText = (plate: Spec, road: string, random: () => number): string =>
    pick(random, ['', '', `北京市${known.district}`, known.district]) + plateText(plate, road, random);

  // the number is one the short road has: a matcher reading the shorter name lands on a real door
  const prefixedShortRoad: VariantClass = {
    name: 'unknown prefix + a short road of ours',
    positive: false,
    generate(plate, random) {
      if (plate.road.length > 3) return null;
      const road = prefixed(plate.road, plate.road, random);
      return road === null ? null : { text: prefixedText(plate, road, random), road, expect: none(plate.road) };
    },
  };

  const prefixedShortTail: VariantClass = {
    name: 'unknown prefix + a short ending of ours',
    positive: false,
    generate(plate, random) {
      const tail = shortTail(plate.road);
      const road = tail === null ? null : prefixed(tail, null, random);
      return road === null ? null : { text: prefixedText(plate, road, random), road, expect: none(null) };
    },
  };

  // a 街道 named like a road with another direction (西长安街街道-style): not a street of ours
  const swaps: Record<string, string> = { 东: '西', 西: '东', 南: '北', 北: '南' };
  const madeUpStreet: VariantClass = {
    name: 'unknown 街道 named like a road',
    positive: false,
    generate(plate, random) {
      if (!/(街|路)$/.test(plate.road)) return null;
      const options: string[] = [];
      for (let k = 0; k < plate.road.length; k++) {
        const swap = swaps[plate.road[k]!];
        if (swap === undefined) continue;
        const name = plate.road.slice(0, k) + swap + plate.road.slice(k + 1);
        // 天坛南路街道 would half name 天坛街道: only names that start like no area of ours
        if (!isRoad(name) && !areaStems.some((stem) => name.startsWith(stem)) && !known.streets.includes(`${name}街道`)) options.push(name);
      }
      if (options.length === 0) return null;
      const name = pick(random, options);
      const street = `${name}街道`;
      const text = pick(random, [
        street,
        `北京市${street}`,
        `北京市${known.district}${street}`,
        `${street}办事处`,
        `${known.district}${street}${plate.number}号`,
      ]);
      return { text, road: name, expect: none(plate.road) };
    },
  };

  const unknownRoad: VariantClass = {
    name: 'unknown road, generic suffix',
    positive: false,
    generate(plate, random) {
      const road = madeUpRoad(random);
      const context = random();
      if (context < 0.4) return { text: plateText(plate, road, random), road, expect: none(null) };
      if (context < 0.7) return { text: `北京市${known.district}${plateText(plate, road, random)}`, road, expect: none(null) };
      // the real 街道 and 社区 of the plate, on a road that is not there: an area answer is fair
      const text = render({ ...plate, road }, { ...canonicalStyle(), plateForm: 0 }, random);
      return { text, road, expect: none(null, plate.street, plate.community) };
    },
  };

  return [
    canonical,
    ...roadVariations.map(onRoad),
    chongwen,
    combined,
    otherDistrictUnknownRoad,
    otherDistrictOurRoad,
    otherPlaceBareOurRoad,
    prefixedShortRoad,
    prefixedShortTail,
    madeUpStreet,
    unknownRoad,
  ];
}
