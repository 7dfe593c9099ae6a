import { readFileSync } from 'node:fs';
import { isChineseNumeral, parseChineseNumeral } from './chinese-numerals.js';

/**
 * Address normalisation (standards.md §8.3 rule 1): one spelling per address, so that lookups
 * are plain table hits. Three passes over a reused code buffer, no regular expressions:
 * characters (full-width → half-width, traditional → simplified, punctuation and spaces out),
 * Chinese numerals → digits where a door-plate marker follows, and door-plate forms → one form
 * (`12号院3号楼`); then the 中国 / 北京(市) prefix is dropped.
 */

const DROP = 0;
/** a range or list separator between numbers (3-5号, 5、7号); dropped elsewhere */
const DASH = 0x2d;
const COMMA = 0x2c;

const c = (s: string): number => s.charCodeAt(0);
const HAO = c('号');
const YUAN = c('院');
const LOU = c('楼');
const DONG = c('栋');
const ZHUANG = c('幢');
const ZUO = c('座');
const DAN = c('单');
const YUAN2 = c('元');
const SHI = c('室');
const CENG = c('层');
const HU = c('户');
const HU2 = c('胡');
const TONG = c('同');
const TONG_VARIANT = c('衕');

/** per UTF-16 code: the code it becomes, DROP, DASH or COMMA */
const MAP = new Uint16Array(0x10000);
for (let code = 0; code < 0x10000; code++) MAP[code] = code;
// full-width ASCII → ASCII (the ASCII result is mapped again below)
for (let code = 0xff01; code <= 0xff5e; code++) MAP[code] = code - 0xfee0;
for (let code = 0x61; code <= 0x7a; code++) MAP[code] = code - 0x20;
const ASCII_PUNCT = '!"$%&\'()*+.:<=>?@[\\]^_`{|}';
const CJK_PUNCT = '。：？！“”‘’（）《》〈〉【】〔〕「」『』·•・…﹒．';
for (const ch of ASCII_PUNCT + CJK_PUNCT) MAP[c(ch)] = DROP;
for (const ch of ' \t\n\r\f\v\u00a0\u3000\u200b\ufeff') MAP[c(ch)] = DROP;
for (const ch of '-‐‑‒–—―~～〜') MAP[c(ch)] = DASH;
for (const ch of ',、，;；/') MAP[c(ch)] = COMMA;
MAP[c('#')] = HAO; // 3#楼 = 3号楼
// traditional forms → simplified: Open Chinese Convert's character pairs that convert both ways
// (data/traditional-chars.json, scripts/extract-traditional.mjs), and the few address forms OpenCC
// converts only within phrases (衚衕, 裡, 鐘, 為, 麵)
const TRADITIONAL_PAIRS = (JSON.parse(readFileSync(new URL('../../data/traditional-chars.json', import.meta.url), 'utf8')) as { pairs: string }).pairs;
for (let i = 0; i + 1 < TRADITIONAL_PAIRS.length; i += 2) MAP[TRADITIONAL_PAIRS.charCodeAt(i)] = TRADITIONAL_PAIRS.charCodeAt(i + 1);
for (const pair of ['裡里', '鐘钟', '衚胡', '為为', '麵面']) MAP[c(pair[0]!)] = c(pair[1]!);

/** markers after which a number is a door plate, building, unit, room or floor number */
function isMarker(buffer: Uint16Array, at: number, length: number): boolean {
  if (at >= length) return false;
  const code = buffer[at]!;
  if (code === HAO || code === YUAN || code === LOU || code === DONG || code === ZHUANG || code === ZUO) return true;
  if (code === SHI || code === CENG || code === HU) return true;
  return code === DAN && at + 1 < length && buffer[at + 1] === YUAN2;
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
/** 甲乙丙丁 before a door number (甲12号: the plate next to 12号), and 临 (临12号, 临字12号: a temporary plate) */
const PLATE_PREFIX = new Set([...'甲乙丙丁临'].map(c));

/** Whether a character marks a plate beside a door number (甲12号) or a temporary one (临12号). */
export const isPlatePrefix = (code: number): boolean => PLATE_PREFIX.has(code);

let bufferA = new Uint16Array(256);
let bufferB = new Uint16Array(256);
let bufferC = new Uint16Array(256);

function ensureCapacity(length: number): void {
  // numerals become at most 4 digits, and plate forms grow by at most 2 characters per number
  const needed = length * 2 + 16;
  if (bufferA.length >= needed) return;
  bufferA = new Uint16Array(needed);
  bufferB = new Uint16Array(needed);
  bufferC = new Uint16Array(needed);
}

/** Pass 1: character mapping. Returns the length written to bufferA. */
function mapCharacters(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = MAP[MAP[text.charCodeAt(i)]!]!;
    if (code === DROP) continue;
    if (code === TONG_VARIANT) {
      // 衚衕 / 胡衕 → 胡同; a lone 衕 stands for 胡同
      if (n > 0 && bufferA[n - 1] === HU2) bufferA[n++] = TONG;
      else (bufferA[n++] = HU2), (bufferA[n++] = TONG);
      continue;
    }
    bufferA[n++] = code;
  }
  return n;
}

/** Writes the decimal digits of `value` at `at`; returns the new end. */
function writeNumber(buffer: Uint16Array, at: number, value: number): number {
  const digits = String(value);
  for (let k = 0; k < digits.length; k++) buffer[at + k] = digits.charCodeAt(k);
  return at + digits.length;
}

/** End of the Chinese numeral run starting at `at`. */
function numeralRunEnd(buffer: Uint16Array, at: number, length: number): number {
  let end = at;
  while (end < length && isChineseNumeral(buffer[end]!)) end++;
  return end;
}

/**
 * True when the numeral run ending at `end` is a number: a marker follows, possibly after a
 * list or range of further numerals (五、七、九号, 三至五号 is not handled).
 */
function numeralIsNumber(buffer: Uint16Array, end: number, length: number): boolean {
  let at = end;
  for (;;) {
    if (isMarker(buffer, at, length)) return true;
    if (at >= length || (buffer[at] !== COMMA && buffer[at] !== DASH)) return false;
    const next = numeralRunEnd(buffer, at + 1, length);
    if (next === at + 1) return false;
    at = next;
  }
}

/** Pass 2: Chinese numerals followed by a marker → digits (bufferA → bufferB). */
function convertNumerals(length: number): number {
  let n = 0;
  let i = 0;
  while (i < length) {
    const code = bufferA[i]!;
    if (!isChineseNumeral(code)) {
      bufferB[n++] = code;
      i++;
      continue;
    }
    const end = numeralRunEnd(bufferA, i, length);
    if (!numeralIsNumber(bufferA, end, length)) {
      for (; i < end; i++) bufferB[n++] = bufferA[i]!;
      continue;
    }
    // the longest well-formed tail is the number; what precedes it belongs to a name (东四十二条 stays)
    const run = String.fromCharCode(...bufferA.subarray(i, end));
    let start = 0;
    let value = -1;
    for (; start < run.length; start++) {
      value = parseChineseNumeral(run, start);
      if (value >= 0) break;
    }
    for (let k = 0; k < start; k++) bufferB[n++] = bufferA[i + k]!;
    if (value >= 0) n = writeNumber(bufferB, n, value);
    i = end;
  }
  return n;
}

const startsWith = (buffer: Uint16Array, at: number, length: number, text: string): boolean => {
  if (at + text.length > length) return false;
  for (let k = 0; k < text.length; k++) if (buffer[at + k] !== text.charCodeAt(k)) return false;
  return true;
};

/** Reads a digit run at `at` (leading zeros dropped); returns [value, end] or null. */
function readDigits(buffer: Uint16Array, at: number, length: number): [number, number] | null {
  if (at >= length || !isDigit(buffer[at]!)) return null;
  let value = 0;
  let end = at;
  while (end < length && isDigit(buffer[end]!)) {
    // cap the value: longer runs are not door numbers but are kept as they are
    if (end - at < 9) value = value * 10 + buffer[end]! - 0x30;
    end++;
  }
  return [value, end];
}

/** After a number ending at `at`: skips `-N`, `,N`, `,甲N` (ranges and lists keep their first number). */
function skipFollowingNumbers(buffer: Uint16Array, at: number, length: number): number {
  while (at + 1 < length && (buffer[at] === DASH || buffer[at] === COMMA)) {
    let next = at + 1;
    if (isPlatePrefix(buffer[next]!)) next++;
    const digits = readDigits(buffer, next, length);
    if (digits === null) break;
    at = digits[1];
  }
  return at;
}

/** A building marker after a number inside a compound: 号楼, 楼, 栋, 幢, 座; returns its length, or 0. */
function buildingMarkerLength(buffer: Uint16Array, at: number, length: number): number {
  if (at >= length) return 0;
  const code = buffer[at]!;
  if (code === HAO && at + 1 < length && buffer[at + 1] === LOU) return 2;
  if (code === LOU || code === DONG || code === ZHUANG || code === ZUO) return 1;
  return 0;
}

/**
 * Pass 3 (bufferB → bufferC): one form per door plate. `12号院3号楼`, `12院3楼`, `12号3栋`,
 * `12号3幢`, `12号院3栋` all become `12号院3号楼`; `3栋` / `3座` alone become `3号楼`;
 * `3-5号` and `5、7号` keep their first number; other separators are dropped.
 */
/** The code unit at `at`, or -1 beyond the text's `length`. */
function charAt(b: Uint16Array, at: number, length: number): number {
  return at < length ? b[at]! : -1;
}

function canonicalizePlates(length: number): number {
  const b = bufferB;
  const out = bufferC;
  let n = 0;
  let i = 0;
  while (i < length) {
    const code = b[i]!;
    if (code === DASH || code === COMMA) {
      i++;
      continue;
    }
    if (!isDigit(code)) {
      out[n++] = code;
      i++;
      continue;
    }
    // a digit run glued to a letter (B1, A3) is a code, not a door number: copied as it is
    if (n > 0 && out[n - 1]! >= 0x41 && out[n - 1]! <= 0x5a) {
      while (i < length && isDigit(b[i]!)) out[n++] = b[i++]!;
      continue;
    }
    const [number, numberEnd] = readDigits(b, i, length)!;
    let at = skipFollowingNumbers(b, numberEnd, length);
    let compound = false;
    let building = -1;
    let plain = false;
    // the buffers are reused: nothing past `length` belongs to this text
    const next = charAt(b, at, length);
    if (startsWith(b, at, length, '号院')) (compound = true), (at += 2);
    else if (next === YUAN) (compound = true), (at += 1);
    else if (startsWith(b, at, length, '号楼') || next === DONG || next === ZHUANG || next === ZUO) {
      // a building number on its own
      at += next === HAO ? 2 : 1;
      n = writeNumber(out, n, number);
      out[n++] = HAO;
      out[n++] = LOU;
      i = skipFollowingNumbers(b, at, length);
      continue;
    } else if (next === HAO) (plain = true), (at += 1);
    if (compound || plain) {
      // a list of plates after the first (13号、15号) keeps the first
      at = skipListedPlates(b, at, length);
      const digits = readDigits(b, at, length);
      if (digits !== null) {
        const markerAt = skipFollowingNumbers(b, digits[1], length);
        const marker = buildingMarkerLength(b, markerAt, length);
        // in a compound `3号` is a building too (12号院3号); after a plain 号 a marker is needed
        const compoundHao = compound && charAt(b, markerAt, length) === HAO && marker === 0 && !startsWith(b, markerAt + 1, length, '院');
        if (marker > 0 || compoundHao) {
          building = digits[0];
          at = markerAt + (marker > 0 ? marker : 1);
        }
      }
    }
    n = writeNumber(out, n, number);
    if (compound || building >= 0) {
      out[n++] = HAO;
      out[n++] = YUAN;
    } else if (plain) out[n++] = HAO;
    if (building >= 0) {
      n = writeNumber(out, n, building);
      out[n++] = HAO;
      out[n++] = LOU;
    }
    i = at;
  }
  return n;
}

/** After `N号` / `N号院`: skips `、M号` / `,甲M号` list members, so the first plate stands alone. */
function skipListedPlates(buffer: Uint16Array, at: number, length: number): number {
  for (;;) {
    if (at >= length || buffer[at] !== COMMA) return at;
    let next = at + 1;
    if (isPlatePrefix(buffer[next]!)) next++;
    const digits = readDigits(buffer, next, length);
    if (digits === null) return at;
    next = skipFollowingNumbers(buffer, digits[1], length);
    if (buffer[next] !== HAO || buildingMarkerLength(buffer, next, length) > 0) return at;
    at = startsWith(buffer, next, length, '号院') ? next + 2 : next + 1;
  }
}

const PREFIXES = ['中华人民共和国', '中国'];

/** Where the text starts once 中国 / 北京市 / 北京 (before a district name) are dropped. */
function prefixEnd(buffer: Uint16Array, length: number): number {
  let at = 0;
  for (const prefix of PREFIXES) if (startsWith(buffer, at, length, prefix)) at += prefix.length;
  if (startsWith(buffer, at, length, '北京市')) return at + 3;
  if (startsWith(buffer, at, length, '北京')) {
    // 北京东城区… drops 北京; 北京站东街 keeps it (a name, not the city)
    for (let k = at + 3; k < Math.min(length, at + 8); k++) if (buffer[k] === c('区')) return at + 2;
  }
  return at;
}

function run(text: string, stripPrefix: boolean): string {
  ensureCapacity(text.length);
  const mapped = mapCharacters(text);
  const converted = convertNumerals(mapped);
  const length = canonicalizePlates(converted);
  const start = stripPrefix ? prefixEnd(bufferC, length) : 0;
  return String.fromCharCode.apply(null, bufferC.subarray(start, length) as unknown as number[]);
}

/**
 * Normalises a Chinese address for matching: half-width, simplified, no spaces or punctuation,
 * numbers of plates / buildings / units / rooms as digits, door-plate forms unified, and no
 * 中国 / 北京 / 北京市 prefix. Numerals that are part of names (东四十条, 北新桥三条) stay.
 * @example normalizeAddress('北京市东城区 东四十条 十二号院三栋') // '东城区东四十条12号院3号楼'
 */
export function normalizeAddress(text: string): string {
  return run(text, true);
}

/** Normalises a place name (road, street, community) the way `normalizeAddress` treats it inside an address. */
export function normalizeName(text: string): string {
  return run(text, false);
}

const OPENING = '(（[【〔';
const CLOSING = ')）]】〕';

/**
 * The address without its remarks in brackets (`东直门内大街(近北新桥)5号` → `东直门内大街5号`,
 * `…3层（东门）`), or null when it has none. People and listings put a landmark, a branch or a
 * direction there; read as part of the address it becomes the road before the number.
 * Brackets of either width count, nested ones inside the outer pair; an unclosed one is kept.
 */
export function withoutRemarks(text: string): string | null {
  let out = '';
  let depth = 0;
  let from = 0;
  let removed = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (OPENING.includes(ch)) {
      if (depth === 0) (out += text.slice(from, i)), (from = i);
      depth++;
    } else if (CLOSING.includes(ch) && depth > 0 && --depth === 0) {
      from = i + 1;
      removed = true;
    }
  }
  out += text.slice(from);
  return removed ? out : null;
}

/**
 * Words that open a bracket giving the same place's name today or another name of it:
 * `太庙（今劳动人民文化宫）`, `某寺（现为某某小学）`, `（即…）`, `（又名…）`. Not 原 / 旧称 (a former
 * name may now be another place's) nor 近 / 旁 (a place nearby).
 */
const SAME_PLACE = /^(?:今为|现为|今|现|即|又名|亦称|也称|俗称)\s*/u;

/**
 * The names a bracket remark gives for the same place (`太庙（今劳动人民文化宫）` →
 * [`劳动人民文化宫`]), in order; none when no remark opens with a SAME_PLACE word.
 */
export function sameNamesInRemarks(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/[(（[【〔]([^()（）[\]【】〔〕]*)[)）\]】〕]/gu)) {
    const remark = match[1]!.trim();
    const marker = SAME_PLACE.exec(remark);
    if (marker !== null && remark.length > marker[0].length) names.push(remark.slice(marker[0].length));
  }
  return names;
}

/** Spaces (either width) and commas or semicolons: what people put between the parts of an address. */
const SEPARATOR = /[\s\u3000,，;；]+/gu;

/**
 * The parts of an address after each separator (space, comma, semicolon), longest first:
 * `簋街 东石槽胡同149号` → [`东石槽胡同149号`]. Empty when there is no separator inside the text.
 */
export function separatedTails(text: string): string[] {
  const tails: string[] = [];
  const trimmed = text.trim();
  for (const match of trimmed.matchAll(SEPARATOR)) {
    const tail = trimmed.slice(match.index + match[0].length);
    if (tail !== '') tails.push(tail);
  }
  return tails;
}
