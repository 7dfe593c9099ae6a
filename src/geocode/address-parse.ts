import { normalizeAddress, normalizeName } from './address-normalize.js';
import { isChineseNumeral } from './chinese-numerals.js';

/** The named levels of an address (standards.md §8.2 elements 1–5). */
export type PlaceKind = 'province' | 'district' | 'street' | 'community' | 'road';

/** One reading of a gazetteer name: its kind, the name as the data spells it, and whether a suffix was dropped. */
export interface GazetteerEntry {
  kind: PlaceKind;
  name: string;
  /** matched without its suffix (东华门 for 东华门街道, 多福巷 for 多福巷社区) */
  bare: boolean;
}

/** The names a gazetteer knows, as the data spells them. */
export interface GazetteerNames {
  districts?: Iterable<string>;
  streets?: Iterable<string>;
  communities?: Iterable<string>;
  roads?: Iterable<string>;
}

interface TrieNode {
  children: Map<number, TrieNode> | null;
  entries: GazetteerEntry[] | null;
}

const newNode = (): TrieNode => ({ children: null, entries: null });

const STREET_SUFFIXES = ['街道办事处', '街道办', '街道', '地区办事处', '地区'];
const COMMUNITY_SUFFIXES = ['社区居民委员会', '社区居委会', '居民委员会', '社区', '居委会'];
/** generic road-name endings: a variant spelling may add or drop one */
const ROAD_ENDINGS = ['胡同', '大街', '街', '路', '巷'];
/** characters that distinguish one road from another when they differ: numerals, directions, sizes */
const DISTINGUISHING = new Set([...'东西南北前后左右上下内外大小中新老头甲乙丙丁'].map((ch) => ch.charCodeAt(0)));

/**
 * Known place names for longest-match recognition: a character trie over the normalised names of
 * districts, streets (with and without 街道), communities (with and without 社区 / 居委会) and roads
 * (with the short forms of gate roads, 安外大街 for 安定门外大街). Road variants (a generic ending
 * added or dropped, one character spelt differently, one more or fewer) are looked up in side tables.
 */
export class AddressGazetteer {
  private readonly root: TrieNode = newNode();
  /** the entries of the last successful `match` */
  matched: GazetteerEntry[] = [];
  /** road name without its generic ending → road names */
  private readonly roadCores = new Map<string, Set<string>>();
  /** normalised road name with one character replaced by '*' → [road name, the replaced character] */
  private readonly roadNeighbours = new Map<string, [string, number][]>();
  /** normalised road name with one character left out → road names */
  private readonly roadDeletions = new Map<string, Set<string>>();
  private readonly roadNames = new Map<string, string>();

  constructor(names: GazetteerNames) {
    for (const p of ['中华人民共和国', '中国', '北京市', '北京']) this.add(p, { kind: 'province', name: p, bare: false });
    for (const name of names.districts ?? []) {
      this.add(name, { kind: 'district', name, bare: false });
      if (name.endsWith('区') && name.length > 2) this.add(name.slice(0, -1), { kind: 'district', name, bare: true });
    }
    for (const name of names.streets ?? []) {
      this.add(name, { kind: 'street', name, bare: false });
      const core = stripSuffix(name, STREET_SUFFIXES);
      if (core.length >= 2) {
        if (core !== name) this.add(core, { kind: 'street', name, bare: true });
        for (const suffix of STREET_SUFFIXES) if (core + suffix !== name) this.add(core + suffix, { kind: 'street', name, bare: false });
      }
    }
    for (const name of names.communities ?? []) {
      this.add(name, { kind: 'community', name, bare: false });
      const core = stripSuffix(name, COMMUNITY_SUFFIXES);
      if (core.length >= 2) {
        if (core !== name) this.add(core, { kind: 'community', name, bare: true });
        for (const suffix of COMMUNITY_SUFFIXES) if (core + suffix !== name) this.add(core + suffix, { kind: 'community', name, bare: false });
      }
    }
    const roads = [...(names.roads ?? [])].filter((name) => name !== '');
    const taken = new Set(roads.map(normalizeName));
    const aliases = new Map<string, string | null>();
    for (const name of roads) {
      this.add(name, { kind: 'road', name, bare: false });
      const key = normalizeName(name);
      this.roadNames.set(key, name);
      const core = stripSuffix(key, ROAD_ENDINGS);
      if (core.length >= 2) getOrAdd(this.roadCores, core, () => new Set()).add(name);
      for (let i = 0; i < key.length; i++) {
        if (key.length >= 3) getOrAdd(this.roadNeighbours, key.slice(0, i) + '*' + key.slice(i + 1), () => []).push([name, key.charCodeAt(i)]);
        if (key.length >= 4 && !isChineseNumeral(key.charCodeAt(i))) getOrAdd(this.roadDeletions, key.slice(0, i) + key.slice(i + 1), () => new Set()).add(name);
      }
      const alias = gateAbbreviation(key);
      if (alias !== null && !taken.has(alias)) aliases.set(alias, aliases.has(alias) ? null : name);
    }
    // 安外大街 for 安定门外大街: the usual short form, as good as the name when only one road has it
    for (const [alias, name] of aliases) if (name !== null) this.add(alias, { kind: 'road', name, bare: false });
  }

  private add(name: string, entry: GazetteerEntry): void {
    const key = normalizeName(name);
    if (key === '') return;
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      node.children ??= new Map();
      let next = node.children.get(code);
      if (next === undefined) node.children.set(code, (next = newNode()));
      node = next;
    }
    node.entries ??= [];
    if (!node.entries.some((e) => e.kind === entry.kind && e.name === entry.name)) node.entries.push(entry);
  }

  /** End of the longest known name starting at `at` in normalised text (entries in `matched`), or `at` when none. */
  match(text: string, at: number): number {
    let node: TrieNode | undefined = this.root;
    let end = at;
    for (let i = at; i < text.length; i++) {
      node = node.children?.get(text.charCodeAt(i));
      if (node === undefined) break;
      if (node.entries !== null) {
        end = i + 1;
        this.matched = node.entries;
      }
    }
    return end;
  }

  /**
   * Roads whose names begin with the longest start of `text` that begins any road name, when that
   * start is `minLength` characters or more (和平里 of 和平里五区 → 和平里北街, 和平里东街, …);
   * at most `max` names.
   */
  roadsSharingStart(text: string, minLength = 3, max = 64): string[] {
    let node: TrieNode | undefined = this.root;
    let depth = 0;
    for (; depth < text.length; depth++) {
      const next: TrieNode | undefined = node.children?.get(text.charCodeAt(depth));
      if (next === undefined) break;
      node = next;
    }
    if (depth < minLength || depth === text.length) return [];
    const names = new Set<string>();
    const stack: TrieNode[] = [node];
    while (stack.length > 0 && names.size <= max) {
      const current = stack.pop()!;
      for (const entry of current.entries ?? []) if (entry.kind === 'road') names.add(entry.name);
      if (current.children !== null) for (const child of current.children.values()) stack.push(child);
    }
    return names.size > max ? [] : [...names];
  }

  /**
   * A road the normalised text is a variant spelling of: the same name with or without a generic
   * ending (秦老 → 秦老胡同), or one character different where that character is not a numeral,
   * direction or size (普渡寺前巷 → 普度寺前巷). Only a unique answer is returned.
   */
  roadVariant(text: string): string | null {
    if (text.length < 2) return null;
    const exact = this.roadNames.get(text);
    if (exact !== undefined) return exact;
    // the same name with or without a generic ending
    const byCore = this.roadCores.get(stripSuffix(text, ROAD_ENDINGS));
    if (byCore !== undefined) return byCore.size === 1 ? byCore.values().next().value! : null;
    const found = new Set<string>();
    // beyond a generic ending, only names whose own part has three characters or more: one
    // character of 红岩胡同 makes another hutong (红星胡同), one of 普渡寺前巷 a misspelling
    if (stripSuffix(text, ROAD_ENDINGS).length < 3) return null;
    // one character spelt differently, where it is not a numeral, direction or size
    {
      for (let i = 0; i < text.length; i++) {
        const a = text.charCodeAt(i);
        if (DISTINGUISHING.has(a) || isChineseNumeral(a)) continue;
        for (const [name, b] of this.roadNeighbours.get(text.slice(0, i) + '*' + text.slice(i + 1)) ?? []) {
          if (!DISTINGUISHING.has(b) && !isChineseNumeral(b)) found.add(name);
        }
      }
    }
    if (found.size === 0) {
      // one character more (东直门内南小街 for 东直门南小街) or one fewer than a name; never a numeral
      for (let i = 0; i < text.length; i++) {
        if (isChineseNumeral(text.charCodeAt(i))) continue;
        const name = this.roadNames.get(text.slice(0, i) + text.slice(i + 1));
        if (name !== undefined) found.add(name);
      }
      for (const name of this.roadDeletions.get(text) ?? []) found.add(name);
    }
    if (found.size !== 1) return null;
    const name = found.values().next().value!;
    return stripSuffix(normalizeName(name), ROAD_ENDINGS).length >= 3 ? name : null;
  }
}

/** `安外大街` for `安定门外大街`: the first character of a two-character gate name, then 内 / 外. */
function gateAbbreviation(key: string): string | null {
  if (key.length < 6 || key.charCodeAt(2) !== 0x95e8 /* 门 */) return null;
  const side = key[3];
  if (side !== '内' && side !== '外') return null;
  return key[0]! + side + key.slice(4);
}

function stripSuffix(name: string, suffixes: readonly string[]): string {
  for (const suffix of suffixes) if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  return name;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}

/** How the 街路巷 of an address was recognised. */
export type RoadMatch = 'exact' | 'variant' | 'unknown';

/** An address split into the elements of standards.md §8.2; names are spelt as the gazetteer spells them. */
export interface ParsedAddress {
  /** the normalised text the elements were read from */
  normalized: string;
  province: string | null;
  district: string | null;
  street: string | null;
  community: string | null;
  /** the 街路巷: a gazetteer road name (exact or variant match), or the unrecognised text taken as the road */
  road: string | null;
  /** null when the text names no road */
  roadMatch: RoadMatch | null;
  /** a known road named before an unrecognised one (美术馆后街 in 美术馆后街黄米胡同3号) */
  nearRoad: string | null;
  /** an unrecognised name ending in 区 / 县 where the district goes: the address is outside the gazetteer */
  foreignDistrict: string | null;
  /** 甲 / 乙 / 丙 / 丁 before the door number: the plate beside that number */
  numberPrefix: string | null;
  /** 门(楼)牌号 */
  number: number | null;
  /** N号院 */
  compound: boolean;
  /** 楼(幢) */
  building: number | null;
  unit: number | null;
  /** 户(室) */
  room: number | null;
  /** text after the recognised elements */
  rest: string;
}

interface Token {
  start: number;
  end: number;
  entries: GazetteerEntry[];
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const PLATE_PREFIXES = new Set([...'甲乙丙丁'].map((ch) => ch.charCodeAt(0)));
const isPlatePrefix = (code: number): boolean => PLATE_PREFIXES.has(code);
const hasKind = (token: Token, kind: PlaceKind): boolean => token.entries.some((e) => e.kind === kind);
const isBareAdmin = (token: Token): boolean => token.entries.every((e) => e.bare);
const LANE_DIRECTIONS = new Set([...'东西南北中前后上下内外'].map((ch) => ch.charCodeAt(0)));
/** endings of a place name that stands apart from the road after it (…社区多福巷, …小区多福巷) */
const PLACE_ENDINGS = ['社区', '居委会', '委员会', '街道', '地区', '区', '县', '乡', '镇', '村', '市', '小区', '大厦', '中心'];
/** endings of an unrecognised road name following a known one */
const ROAD_TAILS = ['胡同', '街', '路', '巷', '条', '里'];
const NOT_DISTRICT_BEFORE_QU = new Set([...'小社园街校厂景营矿新老东西南北中'].map((ch) => ch.charCodeAt(0)));
const ADMIN_ORDER: PlaceKind[] = ['province', 'district', 'street', 'community'];

/**
 * Parses an address (normalising it first) into province, district, street, community, road,
 * door number, building, unit and room. Levels may be missing; names are recognised by longest
 * match against the gazetteer; a road that is not recognised is returned as text with
 * `roadMatch: 'unknown'` (or `'variant'` when a unique variant spelling exists).
 * @example parseAddress('东城区东华门多福巷十二号', g) // { district: '东城区', street: '东华门街道', road: '多福巷', number: 12, … }
 */
export function parseAddress(text: string, gazetteer: AddressGazetteer): ParsedAddress {
  return parseNormalizedAddress(normalizeAddress(text), gazetteer);
}

/** `parseAddress` for text that is already normalised (normalizeAddress). */
export function parseNormalizedAddress(s: string, gazetteer: AddressGazetteer): ParsedAddress {
  const n = s.length;
  let tokens: Token[] = [];
  let numberStart = n;
  let p = 0;
  while (p < n) {
    const end = gazetteer.match(s, p);
    if (end > p) {
      tokens.push({ start: p, end, entries: gazetteer.matched });
      p = end;
      continue;
    }
    const code = s.charCodeAt(p);
    if (isDigit(code) || (isPlatePrefix(code) && isDigit(s.charCodeAt(p + 1)))) {
      numberStart = p;
      break;
    }
    p++;
  }

  // a name known only without its suffix counts only between other names (东华门多福巷12号);
  // inside unrecognised text it is part of that text (花园 in 后花园胡同)
  tokens = tokens.filter((t, k) => {
    if (hasKind(t, 'road') || !isBareAdmin(t)) return true;
    const before = k === 0 ? t.start === 0 : tokens[k - 1]!.end === t.start;
    const after = k + 1 < tokens.length ? tokens[k + 1]!.start === t.end : t.end === numberStart || t.end === n;
    return before && after;
  });

  const parsed: ParsedAddress = {
    normalized: s,
    province: null,
    district: null,
    street: null,
    community: null,
    road: null,
    roadMatch: null,
    nearRoad: null,
    foreignDistrict: null,
    numberPrefix: null,
    number: null,
    compound: false,
    building: null,
    unit: null,
    room: null,
    rest: '',
  };

  // the road: the last name before the door number, when nothing unrecognised lies between them
  const hasNumber = numberStart < n;
  let roadToken = -1;
  const last = tokens.length - 1;
  if (last >= 0 && hasKind(tokens[last]!, 'road')) {
    const token = tokens[last]!;
    if (token.end === numberStart) roadToken = last;
    else if (!hasNumber && !endsWithAny(s, ROAD_TAILS)) {
      // no number: the last road named, whatever description follows (…胡同南口, …大街北侧)
      roadToken = last;
    }
  }
  // a two-character name starting with a direction right after a road is that road's side lane
  // (国旺胡同西巷), not the road 西巷
  let laneOf = -1;
  if (roadToken > 0) {
    const token = tokens[roadToken]!;
    const previous = tokens[roadToken - 1]!;
    const lane = token.end - token.start === 2 && LANE_DIRECTIONS.has(s.charCodeAt(token.start));
    if (lane && previous.end === token.start && hasKind(previous, 'road')) laneOf = roadToken - 1;
  }
  if (laneOf >= 0) {
    const text = s.slice(tokens[laneOf]!.start, tokens[roadToken]!.end);
    const variant = gazetteer.roadVariant(text);
    parsed.road = variant ?? text;
    parsed.roadMatch = variant === null ? 'unknown' : 'variant';
    parsed.nearRoad = tokens[laneOf]!.entries.find((e) => e.kind === 'road')!.name;
    tokens.splice(laneOf, 2);
    roadToken = -1;
  } else if (roadToken >= 0) {
    const token = tokens[roadToken]!;
    const name = token.entries.find((e) => e.kind === 'road')!.name;
    const previousEnd = roadToken > 0 ? tokens[roadToken - 1]!.end : 0;
    parsed.road = name;
    parsed.roadMatch = 'exact';
    // unrecognised text glued to the front may be part of another road's name (小多福巷, 秋方家胡同
    // are not 多福巷, 方家胡同): a variant at best, unless that text ends like a place of its own
    if (previousEnd < token.start && !endsWithAny(s.slice(previousEnd, token.start), PLACE_ENDINGS)) parsed.roadMatch = 'variant';
  } else {
    const from = last >= 0 ? tokens[last]!.end : 0;
    const textEnd = hasNumber ? numberStart : n;
    if (textEnd > from) {
      const text = s.slice(from, textEnd);
      const variant = gazetteer.roadVariant(text);
      parsed.road = variant ?? text;
      parsed.roadMatch = variant === null ? 'unknown' : 'variant';
    }
    for (let k = last; k >= 0; k--) {
      const road = tokens[k]!.entries.find((e) => e.kind === 'road');
      if (road !== undefined) {
        parsed.nearRoad = road.name;
        break;
      }
    }
  }

  // administrative levels from the other names, in order; a road-only name is context
  for (let k = 0; k < tokens.length; k++) {
    if (k === roadToken) continue;
    const token = tokens[k]!;
    const entry = pickAdmin(token.entries, parsed);
    if (entry === null) continue;
    parsed[entry.kind as Exclude<PlaceKind, 'road'>] = entry.name;
  }
  if (parsed.district === null) parsed.foreignDistrict = foreignDistrict(s, tokens);

  if (hasNumber) readPlate(s, numberStart, parsed);
  else parsed.rest = roadToken >= 0 ? s.slice(tokens[roadToken]!.end) : '';
  return parsed;
}

function endsWithAny(text: string, endings: readonly string[]): boolean {
  for (const ending of endings) if (text.endsWith(ending)) return true;
  return false;
}

/** The administrative reading of a name: full forms before bare ones, levels not yet filled. */
function pickAdmin(entries: GazetteerEntry[], parsed: ParsedAddress): GazetteerEntry | null {
  let best: GazetteerEntry | null = null;
  for (const entry of entries) {
    if (entry.kind === 'road' || parsed[entry.kind] !== null) continue;
    if (best === null || (best.bare && !entry.bare) || (best.bare === entry.bare && ADMIN_ORDER.indexOf(entry.kind) < ADMIN_ORDER.indexOf(best.kind))) {
      best = entry;
    }
  }
  return best;
}

/** An unrecognised leading name ending in 区 or 县 (西城区…) before any known district. */
function foreignDistrict(s: string, tokens: Token[]): string | null {
  let from = 0;
  for (const token of tokens) {
    if (token.start > from) break;
    if (!token.entries.some((e) => e.kind === 'province')) return null;
    from = token.end;
  }
  for (let k = from + 2; k < Math.min(s.length, from + 5); k++) {
    const code = s.charCodeAt(k);
    // 小区, 社区, 园区 … are places inside a district, not districts
    if ((code === 0x533a /* 区 */ || code === 0x53bf /* 县 */) && !NOT_DISTRICT_BEFORE_QU.has(s.charCodeAt(k - 1))) return s.slice(from, k + 1);
  }
  return null;
}

/** Reads `[甲]N[号[院[M号楼]]|号楼][K单元][R[室|户|号]]` from the normalised text. */
function readPlate(s: string, at: number, parsed: ParsedAddress): void {
  const n = s.length;
  if (isPlatePrefix(s.charCodeAt(at))) parsed.numberPrefix = s[at++]!;
  const number = readInt(s, at);
  parsed.number = number.value;
  at = number.end;
  if (s.startsWith('号院', at)) {
    parsed.compound = true;
    at += 2;
    const building = readInt(s, at);
    if (building.end > at && s.startsWith('号楼', building.end)) {
      parsed.building = building.value;
      at = building.end + 2;
    }
  } else if (s.startsWith('号楼', at)) at += 2;
  else if (s.charCodeAt(at) === 0x53f7 /* 号 */) at += 1;
  const unit = readInt(s, at);
  if (unit.end > at && s.startsWith('单元', unit.end)) {
    parsed.unit = unit.value;
    at = unit.end + 2;
  }
  const room = readInt(s, at);
  if (room.end > at) {
    const next = s.charCodeAt(room.end);
    if (room.end === n || next === 0x5ba4 /* 室 */ || next === 0x6237 /* 户 */ || next === 0x53f7 /* 号 */) {
      parsed.room = room.value;
      at = room.end === n ? n : room.end + 1;
    }
  }
  parsed.rest = s.slice(at);
}

function readInt(s: string, at: number): { value: number; end: number } {
  let value = 0;
  let end = at;
  while (end < s.length && isDigit(s.charCodeAt(end))) {
    if (end - at < 9) value = value * 10 + s.charCodeAt(end) - 0x30;
    end++;
  }
  return { value, end };
}
