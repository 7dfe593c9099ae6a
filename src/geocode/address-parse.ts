import { isPlatePrefix, normalizeAddress } from './address-normalize.js';
import { AddressGazetteer, type GazetteerEntry, type PlaceKind, type RoadReading } from './gazetteer.js';

/** How the 街路巷 of an address was recognised. */
export type RoadMatch = 'exact' | 'variant' | 'unknown';

/** A place (POI) the address names, and how. */
export interface PoiReading {
  name: string;
  edits: RoadReading['edits'];
  alias: string | null;
}

/** An address split into the elements of standards.md §8.2; names are spelt as the gazetteer spells them. */
export interface ParsedAddress {
  /** the normalised text the elements were read from */
  normalized: string;
  province: string | null;
  district: string | null;
  street: string | null;
  community: string | null;
  /** the aliases read as the canonical names above (崇文区), in the order met */
  aliases: string[];
  /** the 街路巷: the (first) gazetteer road it reads as, or the unrecognised text taken as the road */
  road: string | null;
  /** null when the text names no road */
  roadMatch: RoadMatch | null;
  /** the roads the text may mean, with the relaxations each needs; empty when the road is unknown */
  roads: RoadReading[];
  /** a known road named before an unrecognised one (美术馆后街 in 美术馆后街黄米胡同3号) */
  nearRoad: string | null;
  /** the place (POI) named, when the address names one where the road would be */
  poi: PoiReading | null;
  /** a place outside the loaded area the address names (西城区, 上海市) */
  outside: string | null;
  /** a 街道 or 社区 name the gazetteer does not know (西长安街街道) */
  unknownArea: string | null;
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
  /** the end of the road the address names, without a door number: 东口 (its east end), 西口, 南口, 北口 */
  mouth: '东' | '西' | '南' | '北' | null;
}

interface Token {
  start: number;
  end: number;
  entries: GazetteerEntry[];
}

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const ZI = 0x5b57; /* 字, in 临字12号 */
/** Where the digits of a prefixed plate start (after 甲, or after 临字), or -1 when `at` starts none. */
function prefixedNumberAt(s: string, at: number): number {
  if (!isPlatePrefix(s.charCodeAt(at))) return -1;
  const next = s.charCodeAt(at + 1) === ZI && s[at] === '临' ? at + 2 : at + 1;
  return isDigit(s.charCodeAt(next)) ? next : -1;
}
const hasKind = (token: Token, kind: PlaceKind): boolean => token.entries.some((e) => e.kind === kind);
const isBare = (token: Token): boolean => token.entries.every((e) => e.bare);
const LANE_DIRECTIONS = new Set([...'东西南北中前后上下内外'].map((ch) => ch.charCodeAt(0)));
/** endings of a place name that stands apart from the road after it (…社区多福巷, …小区多福巷) */
const PLACE_ENDINGS = ['社区', '居委会', '委员会', '街道', '地区', '区', '县', '乡', '镇', '村', '市', '小区', '大厦', '中心', '院'];
/** endings that make the name before them a 街道 or 社区, whatever that name is (西长安街 + 街道) */
const AREA_ENDINGS = ['街道办事处', '街道办', '街道', '地区办事处', '社区居委会', '社区', '居委会'];
/** endings of an unrecognised road name following a known one */
const ROAD_TAILS = ['胡同', '街', '路', '巷', '条', '里'];
const NOT_DISTRICT_BEFORE_QU = new Set([...'小社园街校厂景营矿新老东西南北中'].map((ch) => ch.charCodeAt(0)));
const ADMIN_ORDER: PlaceKind[] = ['province', 'district', 'street', 'community'];

/**
 * Parses an address (normalising it first) into province, district, street, community, road,
 * place, door number, building, unit and room. Levels may be missing; names are recognised by
 * longest match against the gazetteer. The road is read from the text between the last known
 * name and the door number as a whole: unrecognised text glued to the front of a known road is
 * part of an unknown road's name (钱粮西巷 is not 西巷), never dropped to reach a shorter name.
 * @example parseAddress('东城区东华门多福巷十二号', g) // { district: '东城区', street: '东华门街道', road: '多福巷', number: 12, … }
 */
export function parseAddress(text: string, gazetteer: AddressGazetteer): ParsedAddress {
  return parseNormalizedAddress(normalizeAddress(text), gazetteer);
}

/** Two roads and where they meet: the address before the second road, and the second road's text. */
export interface Crossing {
  /** the address up to the first road (district, 街道 … and the road), normalised */
  first: string;
  /** the second road's name as written */
  second: string;
}

/** Words that name the place where two roads meet, longest first. */
const CROSSING_WORDS = ['十字路口', '交叉路口', '交叉口', '交汇处', '交界处', '交口', '路口', '口'];
/** Splits of one text tried as two roads (crossingOf). */
const MAX_CROSSINGS = 4;
/** Words joining the two roads' names (和 also starts names: 和平里; each split is tried). */
const CROSSING_JOINS = ['与', '和', '交'];

/**
 * Reads normalised text (normalizeAddress) written `A与B交叉口` (also 和 / 交 between, 路口 /
 * 十字路口 / 交汇处 … after, and a position such as 东北角 or 往北50米 after that): the possible
 * splits into the address up to road A and road B's text; none when the text is not written so.
 * Which text names roads is the gazetteer's to say: this only splits.
 * @example crossingOf('东城区王府井大街与东安门大街交叉口西北角') // [{ first: '东城区王府井大街', second: '东安门大街' }]
 */
export function crossingOf(s: string): Crossing[] {
  if (!/[与和交]/.test(s)) return [];
  const out: Crossing[] = [];
  // a few splits at most: each is parsed, and a query is bounded work
  for (let at = 1; at < s.length - 1 && out.length < MAX_CROSSINGS; at++) {
    if (!CROSSING_JOINS.includes(s[at]!)) continue;
    for (const word of CROSSING_WORDS) {
      const end = s.indexOf(word, at + 2);
      // what follows the crossing word is a position (东北角, 往北50米), never a door plate
      if (end < 0 || /号/.test(s.slice(end))) continue;
      out.push({ first: s.slice(0, at), second: s.slice(at + 1, end) });
      break;
    }
  }
  return out;
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
    if (isDigit(code) || prefixedNumberAt(s, p) >= 0) {
      numberStart = p;
      break;
    }
    p++;
  }
  if (numberStart < n) splitBeforeRoad(s, tokens, numberStart, gazetteer);

  // a name known only without its suffix counts only between other names (东华门多福巷12号);
  // inside unrecognised text it is part of that text (花园 in 后花园胡同)
  tokens = tokens.filter((t, k) => {
    if (hasKind(t, 'road') || hasKind(t, 'poi') || !isBare(t)) return true;
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
    aliases: [],
    road: null,
    roadMatch: null,
    roads: [],
    nearRoad: null,
    poi: null,
    outside: null,
    unknownArea: null,
    numberPrefix: null,
    number: null,
    compound: false,
    building: null,
    unit: null,
    room: null,
    rest: '',
    mouth: null,
  };

  // a known name followed by 街道 / 社区 that the trie did not take whole is an unknown area's name
  // (西长安街街道, 北新桥三条社区): neither the road nor anything else it spells
  let unknownAreaEnd = 0;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    const ending = AREA_ENDINGS.find((e) => s.startsWith(e, token.end));
    if (ending === undefined || (k + 1 < tokens.length && tokens[k + 1]!.start === token.end)) continue;
    const start = k > 0 ? tokens[k - 1]!.end : 0;
    parsed.unknownArea = s.slice(start, token.end + ending.length);
    unknownAreaEnd = token.end + ending.length;
    tokens.splice(k, 1);
    k--;
  }

  const hasNumber = numberStart < n;
  const last = tokens.length - 1;
  const textEnd = hasNumber ? numberStart : n;
  /** the token naming the road or place, or -1 */
  let slotToken = -1;
  if (last >= 0 && (hasKind(tokens[last]!, 'road') || hasKind(tokens[last]!, 'poi'))) {
    const token = tokens[last]!;
    // without a number, the last road or place named, whatever description follows (…胡同南口, …大街北侧)
    // (a place named after an unknown area counts: 正义路社区天安门广场内)
    if (token.end === textEnd || (!hasNumber && !endsWithAny(s, ROAD_TAILS) && (parsed.unknownArea === null || token.start >= unknownAreaEnd))) slotToken = last;
  }

  if (slotToken >= 0) {
    const token = tokens[slotToken]!;
    const previousEnd = slotToken > 0 ? tokens[slotToken - 1]!.end : 0;
    const glued = previousEnd < token.start && !isPlaceName(s.slice(previousEnd, token.start));
    const previous = slotToken > 0 ? tokens[slotToken - 1]! : null;
    // a two-character name starting with a direction right after a road is that road's side
    // lane (国旺胡同西巷), not the road 西巷
    const lane = previous !== null && previous.end === token.start && hasKind(previous, 'road') && token.end - token.start === 2 && LANE_DIRECTIONS.has(s.charCodeAt(token.start));
    if (lane) {
      readRoadText(s.slice(previous.start, token.end), gazetteer, parsed);
      parsed.nearRoad = previous.entries.find((e) => e.kind === 'road')!.name;
      tokens.splice(slotToken - 1, 2);
    } else if (glued) {
      // unrecognised text glued to the front is part of this name: 钱粮西巷 is not 西巷
      readRoadText(s.slice(previousEnd, token.end), gazetteer, parsed);
      tokens.splice(slotToken, 1);
    } else {
      const poi = token.entries.find((e) => e.kind === 'poi');
      const roads = token.entries.filter((e) => e.kind === 'road');
      const text = s.slice(token.start, token.end);
      if (roads.length === 0 && hasNumber && AddressGazetteer.looksLikeRoad(text)) {
        // a place named after a road (a bus stop) with a door number: the road is meant, when we hold it
        readRoadText(text, gazetteer, parsed);
        if (parsed.roadMatch === 'unknown') (parsed.road = null), (parsed.roadMatch = null), (parsed.roads = []);
      }
      if (parsed.roadMatch === null && roads.length > 0 && (poi === undefined || hasNumber)) {
        parsed.roads = roads.map((e) => ({ name: e.name, edits: [...e.edits] }));
        parsed.roadMatch = roads.some((e) => e.edits.length === 0) ? 'exact' : 'variant';
        if (parsed.roadMatch === 'exact') parsed.roads = parsed.roads.filter((r) => r.edits.length === 0);
        parsed.road = parsed.roads[0]!.name;
      } else if (parsed.roadMatch === null && poi !== undefined) {
        parsed.poi = { name: poi.name, edits: [...poi.edits], alias: poi.alias };
      }
      const side = s[token.end];
      if (!hasNumber && parsed.roadMatch !== null && s.charCodeAt(token.end + 1) === 0x53e3 /* 口 */ && side !== undefined && '东西南北'.includes(side)) parsed.mouth = side as ParsedAddress['mouth'];
      // read as the road or place, the name is not also a 街道 or 社区 (体育馆路 of 体育馆路街道)
      tokens.splice(slotToken, 1);
    }
  } else {
    const from = last >= 0 ? tokens[last]!.end : 0;
    const text = s.slice(from, textEnd);
    if (endsWithAny(text, AREA_ENDINGS)) parsed.unknownArea ??= text;
    else if (textEnd > from && parsed.unknownArea === null) {
      readRoadText(text, gazetteer, parsed);
      // a misspelt road whose start is a name of its own (崇文门东 + 顺成街 for 崇文门东顺城街):
      // the name and the text after it, read as one road, when that finds one
      const before = last >= 0 ? tokens[last]! : null;
      if (parsed.roadMatch === 'unknown' && before !== null && !before.entries.some((e) => e.kind === 'district' || e.kind === 'province')) {
        const wider = gazetteer.fuzzyRoads(s.slice(before.start, textEnd));
        if (wider.length > 0) {
          parsed.roads = wider;
          parsed.roadMatch = 'variant';
          parsed.road = wider[0]!.name;
          tokens.splice(last, 1);
        }
      }
    }
  }
  if (parsed.roadMatch !== 'exact') {
    for (let k = tokens.length - 1; k >= 0; k--) {
      const road = tokens[k]!.entries.find((e) => e.kind === 'road' && e.edits.length === 0);
      if (road !== undefined) {
        parsed.nearRoad ??= road.name;
        break;
      }
    }
  }

  // administrative levels from the other names, in order; a road-only name is context
  let leading = true;
  for (const token of tokens) {
    const outside = token.entries.find((e) => e.kind === 'outside');
    const entry = pickAdmin(token.entries, parsed);
    // a bare name (海淀, 上海) names a place outside only where an address starts (after 北京市 at
    // most) and something follows other than a number: `海淀 多福巷12号`, but 大兴3号 is 大兴胡同
    // with 胡同 dropped; inside an address it may be part of other text
    const first = leading && !isDigit(s.charCodeAt(token.end));
    leading &&= entry?.kind === 'province';
    if (entry === null) {
      if (outside !== undefined && parsed.outside === null && (!isBare(token) || first)) parsed.outside = outside.name;
      continue;
    }
    parsed[entry.kind as 'province' | 'district' | 'street' | 'community'] = entry.name;
    if (entry.alias !== null) parsed.aliases.push(entry.alias);
  }
  if (parsed.district === null && parsed.outside === null) parsed.outside = foreignDistrict(s, tokens, gazetteer);

  if (hasNumber) readPlate(s, numberStart, parsed);
  else if (parsed.roadMatch !== null || parsed.poi !== null) parsed.rest = s.slice(textEnd);
  return parsed;
}

/**
 * The longest name at a place can swallow the start of the road after it (崇文门东 + 铁营胡同 for
 * 崇文门 + 东铁营胡同): when the text between the last name and the door number names nothing, the
 * last name is cut back to a shorter name it starts with, if a road from there reaches the number.
 */
function splitBeforeRoad(s: string, tokens: Token[], numberStart: number, gazetteer: AddressGazetteer): void {
  const last = tokens.at(-1);
  if (last === undefined || last.end >= numberStart || gazetteer.roadsSpelt(s.slice(last.end, numberStart)).length > 0) return;
  for (let end = last.end - 1; end > last.start; end--) {
    const entries = gazetteer.entriesOf(s, last.start, end);
    if (entries === null || gazetteer.match(s, end) !== numberStart || !gazetteer.matched.some((e) => e.kind === 'road')) continue;
    tokens[tokens.length - 1] = { start: last.start, end, entries };
    tokens.push({ start: end, end: numberStart, entries: gazetteer.matched });
    return;
  }
}

/** Reads unrecognised text as the road: a spelling the gazetteer lists, a misspelling it finds, or an unknown road. */
function readRoadText(text: string, gazetteer: AddressGazetteer, parsed: ParsedAddress): void {
  const spelt = gazetteer.roadsSpelt(text);
  parsed.roads = spelt.length > 0 ? spelt : gazetteer.fuzzyRoads(text);
  parsed.roadMatch = parsed.roads.length === 0 ? 'unknown' : parsed.roads.some((r) => r.edits.length === 0) ? 'exact' : 'variant';
  parsed.road = parsed.roads[0]?.name ?? text;
}

/** Text that names a place of its own before a road (幸福小区, 某某村): a place ending after two characters or more; 花市 and 院 are too short to be one. */
function isPlaceName(text: string): boolean {
  for (const ending of PLACE_ENDINGS) if (text.endsWith(ending) && text.length - ending.length >= 2) return true;
  return false;
}

function endsWithAny(text: string, endings: readonly string[]): boolean {
  for (const ending of endings) if (text.endsWith(ending)) return true;
  return false;
}

/** The administrative reading of a name: full forms before bare ones, levels not yet filled. */
function pickAdmin(entries: GazetteerEntry[], parsed: ParsedAddress): GazetteerEntry | null {
  let best: GazetteerEntry | null = null;
  for (const entry of entries) {
    if (entry.kind === 'road' || entry.kind === 'poi' || entry.kind === 'outside' || parsed[entry.kind] !== null) continue;
    if (best === null || (best.bare && !entry.bare) || (best.bare === entry.bare && ADMIN_ORDER.indexOf(entry.kind) < ADMIN_ORDER.indexOf(best.kind))) {
      best = entry;
    }
  }
  return best;
}

/** An unrecognised leading name ending in 区 or 县 (某某区…) before any known district. */
function foreignDistrict(s: string, tokens: Token[], gazetteer: AddressGazetteer): string | null {
  let from = 0;
  for (const token of tokens) {
    if (token.start > from) break;
    if (!token.entries.some((e) => e.kind === 'province')) return null;
    from = token.end;
  }
  for (let k = from + 2; k < Math.min(s.length, from + 5); k++) {
    const code = s.charCodeAt(k);
    // 小区, 社区, 园区 … are places inside a district, not districts
    if ((code !== 0x533a /* 区 */ && code !== 0x53bf /* 县 */) || NOT_DISTRICT_BEFORE_QU.has(s.charCodeAt(k - 1))) continue;
    // a district only where one is written: after 北京市, or before a name we know (某某区多福巷);
    // 和平里五区18 is a compound and its building
    if (from > 0 || gazetteer.match(s, k + 1) > k + 1) return s.slice(from, k + 1);
  }
  return null;
}

/** Reads `[甲]N[号[院[M号楼]]|号楼][K单元][R[室|户|号]]` from the normalised text. */
function readPlate(s: string, at: number, parsed: ParsedAddress): void {
  const n = s.length;
  const digits = prefixedNumberAt(s, at);
  if (digits >= 0) (parsed.numberPrefix = s[at]!), (at = digits);
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
