import { pinyin } from 'pinyin-pro';
import { isChineseNumeral, parseChineseNumeral } from './chinese-numerals.js';
import type { MatchEdit } from './geocode-result.js';

/**
 * The spellings of a road name people write besides the stored one, as pure functions over
 * normalised names (normalizeName): they feed the gazetteer's variant keys, so a variant is a
 * table hit at query time, not a search.
 */

/** A spelling of a stored road name and the relaxation it stands for. */
export interface RoadSpelling {
  key: string;
  edits: MatchEdit[];
}

/** Generic endings of road names, longest first so that 大街 is found before 街. */
export const GENERIC_ENDINGS = ['胡同', '大街', '小街', '街', '路', '道', '巷'] as const;

/**
 * Endings people exchange for one another without meaning another road: 大街 ↔ 街, 路 ↔ 道,
 * 胡同 ↔ 巷, and 胡同 / 巷 left out (多福巷 → 多福). Other exchanges (街 ↔ 路, 胡同 ↔ 街) name
 * different roads too often in Beijing to be read as the same one.
 */
const EQUIVALENT_ENDINGS: Readonly<Record<string, readonly string[]>> = {
  胡同: ['', '巷'],
  巷: ['', '胡同'],
  大街: ['街'],
  街: ['大街'],
  路: ['道'],
  道: ['路'],
  小街: [],
  '': ['胡同', '巷'],
};

/**
 * Characters that tell one road from another (东四 / 西四, 前门 / 后门): never dropped, added or
 * written for another. 新 and 老 are not among them: of the 30 real Dongcheng road names with a
 * 新, one has a twin without it (大市新胡同 / 大市胡同), and a twin we hold is matched exactly
 * anyway. Nor are 甲乙丙丁: they mark plates beside a number (甲12号), read apart from the road's
 * name; inside real names they are plain characters (盔甲厂胡同, 丁香胡同), and 甲 for 家 is a
 * usual slip (小方甲胡同).
 */
const DISTINGUISHING = new Set([...'东西南北前后左右上下内外大小中头'].map((ch) => ch.charCodeAt(0)));

/** True for a character that distinguishes names and is never taken as a spelling mistake. */
export function isDistinguishing(code: number): boolean {
  return DISTINGUISHING.has(code) || isChineseNumeral(code) || (code >= 0x30 && code <= 0x39);
}

/** The generic ending of a normalised road name ('' when it has none). */
export function genericEnding(name: string): string {
  for (const ending of GENERIC_ENDINGS) if (name.endsWith(ending) && name.length > ending.length) return ending;
  return '';
}

/** A road name without its generic ending: the part that names it (多福 of 多福巷). */
export function roadCore(name: string): string {
  return name.slice(0, name.length - genericEnding(name).length);
}

/**
 * The same road with another generic ending or none (多福巷 → 多福, 多福胡同; 东四北大街 →
 * 东四北街). A core shorter than two characters is never written alone: 西巷 without 巷 is 西.
 */
export function suffixSpellings(name: string): string[] {
  const ending = genericEnding(name);
  const core = name.slice(0, name.length - ending.length);
  if (core.length < 2) return [];
  return (EQUIVALENT_ENDINGS[ending] ?? []).map((other) => core + other);
}

/**
 * Ordinal series numbers (东四十条, 北新桥三条, 草厂头条, 和平里七区, 民旺六巷) written in Arabic
 * digits: the numeral before the ending read whole and from each later character, since where the series'
 * base ends is not written (东四 + 十 → 东四10条, 东 + 四十 → 东40条); 头条 is the first (1条).
 */
export function ordinalSpellings(name: string): string[] {
  // 条 where it is (东四十条胡同 too); 区 and 巷 of a series end the name (和平里七区, 民旺六巷)
  let end = name.lastIndexOf('条');
  if (end <= 0 && (name.endsWith('区') || name.endsWith('巷'))) end = name.length - 1;
  if (end <= 0) return [];
  const spellings: string[] = [];
  if (name.charCodeAt(end - 1) === 0x5934 /* 头 */) {
    spellings.push(name.slice(0, end - 1) + '1' + name.slice(end), name.slice(0, end - 1) + '一' + name.slice(end));
    return spellings;
  }
  let start = end;
  while (start > 0 && isChineseNumeral(name.charCodeAt(start - 1))) start--;
  for (let from = start; from < end; from++) {
    const value = parseChineseNumeral(name, from, end);
    if (value > 0 && from > 0) spellings.push(name.slice(0, from) + String(value) + name.slice(end));
  }
  return spellings;
}

const GATE = 0x95e8; /* 门 */
const isGateSide = (ch: string | undefined): boolean => ch === '内' || ch === '外';
const isDirection = (ch: string | undefined): boolean => ch === '东' || ch === '西' || ch === '南' || ch === '北';

/**
 * How people write the roads named after a gate of the old city (two characters, then 门):
 * - the short form, the gate's first character and the side (安外大街 for 安定门外大街,
 *   朝内南小街 for 朝阳门内南小街);
 * - the side of the gate added to a road whose name leaves it out (朝阳门内南小街 and 朝内南小街
 *   for 朝阳门南小街; 安外西滨河路 for 安定门西滨河路): such names continue with a direction,
 *   and people say which side of the wall the road runs (both sides are offered; a road that
 *   has the other side in its own name takes that key: AddressGazetteer keeps the reading with
 *   fewer relaxations).
 */
export function gateSpellings(name: string): RoadSpelling[] {
  if (name.length < 5 || name.charCodeAt(2) !== GATE) return [];
  const gate = name.slice(0, 3);
  const rest = name.slice(3);
  if (isGateSide(rest[0])) return name.length < 6 ? [] : [{ key: name[0]! + rest, edits: ['abbreviation'] }];
  if (!isDirection(rest[0])) return [];
  return ['内', '外'].flatMap((side) => [
    { key: gate + side + rest, edits: ['gateSide'] as MatchEdit[] },
    { key: name[0]! + side + rest, edits: ['gateSide', 'abbreviation'] as MatchEdit[] },
  ]);
}

/** Every spelling of a stored road name that reads as that road, with its relaxation. */
export function roadSpellings(name: string): RoadSpelling[] {
  const out: RoadSpelling[] = gateSpellings(name);
  const ordinals = ordinalSpellings(name);
  for (const key of ordinals) out.push({ key, edits: ['ordinal'] });
  for (const key of suffixSpellings(name)) {
    out.push({ key, edits: ['suffix'] });
    for (const ordinal of ordinalSpellings(key)) out.push({ key: ordinal, edits: ['ordinal', 'suffix'] });
  }
  return out;
}

const readings = new Map<number, string>();

const sounds = new Map<number, string>();

/** The toneless pinyin of one character (the character itself when it has none), cached. */
export function reading(code: number): string {
  let syllable = readings.get(code);
  if (syllable === undefined) {
    const ch = String.fromCharCode(code);
    syllable = code < 0x4e00 || code > 0x9fff ? ch : pinyin(ch, { toneType: 'none' }) || ch;
    readings.set(code, syllable);
  }
  return syllable;
}

/**
 * A reading with the distinctions many speakers do not make folded together (the usual "fuzzy
 * pinyin" of input methods): zh/z, ch/c, sh/s, n/l at the start, -ng/-n at the end. Near-homophones
 * (庭 ting / 亭 ting, 城 cheng / 成 cheng, 生 sheng / 森 sen) then share a sound.
 */
function sound(code: number): string {
  let folded = sounds.get(code);
  if (folded === undefined) {
    folded = reading(code)
      .replace(/^([zcs])h/, '$1')
      .replace(/^l/, 'n')
      .replace(/ng$/, 'n');
    sounds.set(code, folded);
  }
  return folded;
}

/**
 * How a name sounds: the folded toneless pinyin of each character, separated so that syllables
 * do not run together (xi'an ≠ xian). Homophones and near-homophones (园 / 圆, 厅 / 庭) share it.
 */
export function soundKey(text: string): string {
  let key = '';
  for (let i = 0; i < text.length; i++) key += (i > 0 ? ' ' : '') + sound(text.charCodeAt(i));
  return key;
}

/**
 * Whether two names of equal length differ only in characters that sound alike and none of
 * which distinguishes names (a numeral or direction never counts as a homophone: 冬四十条 may
 * be a road elsewhere, not 东四十条 mistyped).
 */
export function differOnlyInSound(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (isDistinguishing(x) || isDistinguishing(y) || sound(x) !== sound(y)) return false;
  }
  return true;
}
