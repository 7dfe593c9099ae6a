import type { AliasLevel } from '../model.js';
import { runToEnd } from '../time-slices.js';
import { normalizeName } from './address-normalize.js';
import type { MatchEdit } from './geocode-result.js';
import { OUTSIDE_PLACES } from './outside-places.js';
import { differOnlyInSound, genericEnding, isDistinguishing, roadCore, roadSpellings, soundKey, suffixSpellings } from './road-variants.js';

/** The kinds of names an address is read from (standards.md §8.2 elements 1–5), places, and places outside the loaded area. */
export type PlaceKind = 'province' | 'district' | 'street' | 'community' | 'road' | 'poi' | 'outside';

/** One reading of a name in the gazetteer. */
export interface GazetteerEntry {
  kind: PlaceKind;
  /** the name as the data spells it (for an alias: the canonical name) */
  name: string;
  /** matched without its suffix (东华门 for 东华门街道, 多福巷 for 多福巷社区) */
  bare: boolean;
  /** the relaxations this spelling stands for; empty for the name itself */
  edits: readonly MatchEdit[];
  /** the alias as written, when the entry reads an alias (崇文区 → 东城区) */
  alias: string | null;
}

/** A road the text may name, and how the text differs from its name. */
export interface RoadReading {
  name: string;
  edits: MatchEdit[];
}

/** An alias the gazetteer reads as its canonical name. */
export interface GazetteerAlias {
  alias: string;
  level: AliasLevel;
  canonical: string;
}

/** The names a gazetteer knows, as the data spells them. */
export interface GazetteerNames {
  districts?: Iterable<string>;
  streets?: Iterable<string>;
  communities?: Iterable<string>;
  roads?: Iterable<string>;
  /** place names and their other names */
  pois?: Iterable<{ name: string; aliases: readonly string[] }>;
  aliases?: Iterable<GazetteerAlias>;
}

interface TrieNode {
  children: Map<number, TrieNode> | null;
  entries: GazetteerEntry[] | null;
}

const newNode = (): TrieNode => ({ children: null, entries: null });

const STREET_SUFFIXES = ['街道办事处', '街道办', '街道', '地区办事处', '地区'];
const COMMUNITY_SUFFIXES = ['社区居民委员会', '社区居委会', '居民委员会', '社区', '居委会'];
const PROVINCE_NAMES = ['中华人民共和国', '中国', '北京市', '北京'];
const NO_EDITS: readonly MatchEdit[] = [];

/** Names entered per step of a gazetteer built in steps. */
const NAMES_PER_STEP = 50;

/**
 * Known place names for longest-match recognition: a character trie over the normalised names of
 * districts, streets (with and without 街道), communities (with and without 社区 / 居委会), roads,
 * places (POIs), aliases, and the districts and provinces outside the loaded area. Each road is
 * also entered under the spellings people use for it (road-variants.ts): another generic ending,
 * an ordinal in digits, the short form of a gate road. A spelling that is another road's own
 * name is never entered, so the name itself always wins. Spellings that need a search (a
 * homophone, a character more or fewer) are found by `fuzzyRoads` from side tables.
 */
export class AddressGazetteer {
  private readonly root: TrieNode = newNode();
  /** the entries of the last successful `match` */
  matched: GazetteerEntry[] = [];
  /** normalised road names and their spellings → [road name, edits]; the side tables of `fuzzyRoads` */
  private readonly spellings = new Map<string, [string, MatchEdit[]][]>();
  /** sound of a spelling → spellings (homophones) */
  private readonly bySound = new Map<string, Set<string>>();
  /** a spelling with one character left out → spellings (a character missing in the query) */
  private readonly byDeletion = new Map<string, Set<string>>();
  /** a road's name with one character replaced by '*' → road names: the roads one character away */
  private readonly byWildcard = new Map<string, Set<string>>();
  private readonly roadNames = new Set<string>();

  constructor(names?: GazetteerNames) {
    if (names !== undefined) runToEnd(this.fill(names));
  }

  /** A gazetteer built in steps of a few milliseconds (a rebuild in a running server, time-slices.ts). */
  static *inSteps(names: GazetteerNames): Generator<void, AddressGazetteer> {
    const gazetteer = new AddressGazetteer();
    yield* gazetteer.fill(names);
    return gazetteer;
  }

  private *fill(names: GazetteerNames): Generator<void, void> {
    for (const p of PROVINCE_NAMES) this.add(p, entry('province', p));
    const districts = [...(names.districts ?? [])];
    const aliases = [...(names.aliases ?? [])];
    const held = new Set([...districts, ...aliases.filter((a) => a.level === 'district').map((a) => a.alias)]);
    for (const place of OUTSIDE_PLACES) {
      if (held.has(place)) continue;
      this.add(place, entry('outside', place));
      if (/[区县市省]$/.test(place) && place.length > 2) this.add(place.slice(0, -1), { ...entry('outside', place), bare: true });
    }
    for (const name of districts) this.addDistrict(name, entry('district', name));
    for (const name of names.streets ?? []) this.addArea(name, STREET_SUFFIXES, entry('street', name));
    for (const name of names.communities ?? []) this.addArea(name, COMMUNITY_SUFFIXES, entry('community', name));
    yield;
    for (const [k, poi] of [...(names.pois ?? [])].entries()) {
      this.addPoi(poi.name, poi.aliases);
      if (k % NAMES_PER_STEP === NAMES_PER_STEP - 1) yield;
    }
    const roads = [...(names.roads ?? [])].filter((name) => name !== '');
    for (const name of roads) this.addRoadName(name);
    yield;
    // the spellings (pinyin sounds, variants) are the dear part: ~0.1 ms per road
    for (const [k, name] of roads.entries()) {
      this.addRoadSpellings(name);
      if (k % NAMES_PER_STEP === NAMES_PER_STEP - 1) yield;
    }
    for (const alias of aliases) this.addAlias(alias);
  }

  private addDistrict(name: string, e: GazetteerEntry): void {
    this.add(name, e);
    if (name.endsWith('区') && name.length > 2) this.add(name.slice(0, -1), { ...e, bare: true });
  }

  private addArea(name: string, suffixes: readonly string[], e: GazetteerEntry): void {
    this.add(name, e);
    const core = stripSuffix(name, suffixes);
    if (core.length < 2) return;
    if (core !== name) this.add(core, { ...e, bare: true });
    for (const suffix of suffixes) if (core + suffix !== name) this.add(core + suffix, e);
  }

  private addAlias(alias: GazetteerAlias): void {
    const kind = alias.level;
    const e: GazetteerEntry = { kind, name: alias.canonical, bare: false, edits: ['alias'], alias: alias.alias };
    if (kind === 'district') this.addDistrict(alias.alias, e);
    else if (kind === 'street') this.addArea(alias.alias, STREET_SUFFIXES, e);
    else if (kind === 'community') this.addArea(alias.alias, COMMUNITY_SUFFIXES, e);
    else if (!this.roadNames.has(normalizeName(alias.alias))) this.add(alias.alias, e);
  }

  /** A place and its other names. */
  addPoi(name: string, aliases: readonly string[]): void {
    for (const key of poiKeys(name)) this.add(key, entry('poi', name));
    for (const other of aliases) if (other !== name) this.add(other, { kind: 'poi', name, bare: false, edits: ['alias'], alias: other });
  }

  /** Forgets a place (it was renamed or retired). */
  removePoi(name: string, aliases: readonly string[]): void {
    for (const key of [...poiKeys(name), ...aliases]) {
      const node = this.node(normalizeName(key), false);
      if (node?.entries) node.entries = node.entries.filter((e) => !(e.kind === 'poi' && e.name === name));
    }
  }

  /** A road name and its spellings; a name seen before is ignored. Cheap: a server adds the roads of new door plates as they are written. */
  addRoad(name: string): void {
    if (name === '' || this.roadNames.has(normalizeName(name))) return;
    this.addRoadName(name);
    this.addRoadSpellings(name);
  }

  private addRoadName(name: string): void {
    const key = normalizeName(name);
    if (key === '') return;
    this.roadNames.add(key);
    // the name itself drops any spelling of another road entered at the same key (add)
    this.add(name, entry('road', name));
    this.addSpelling(key, name, []);
  }

  private addRoadSpellings(name: string): void {
    const key = normalizeName(name);
    for (const spelling of roadSpellings(key)) {
      if (this.roadNames.has(spelling.key)) continue;
      // a spelling without a road's ending (多福 for 多福巷) is read only as the whole road text
      // (roadsSpelt): in the trie it would swallow the start of longer names (青年湖东 of 青年湖东堂子胡同);
      // one with digits (和平里7区) must be in the trie, or its digits read as the door number
      if (AddressGazetteer.looksLikeRoad(spelling.key) || /[0-9]/.test(spelling.key)) this.add(spelling.key, { kind: 'road', name, bare: false, edits: spelling.edits, alias: null });
      this.addSpelling(spelling.key, name, spelling.edits);
    }
  }

  /** Records a spelling in the side tables `fuzzyRoads` searches (names of two characters or fewer are too short to search). */
  private addSpelling(key: string, name: string, edits: MatchEdit[]): void {
    const list = this.spellings.get(key);
    if (list === undefined) this.spellings.set(key, [[name, edits]]);
    else if (!list.some(([n, e]) => n === name || e.length < edits.length)) {
      // as in the trie (add): the reading with the fewest relaxations holds the spelling
      const kept = list.filter(([, e]) => e.length <= edits.length);
      kept.push([name, edits]);
      this.spellings.set(key, kept);
    }
    if (roadCore(key).length < 2) return;
    getOrAdd(this.bySound, soundKey(key), () => new Set()).add(key);
    if (edits.length === 0) for (let i = 0; i < key.length; i++) getOrAdd(this.byWildcard, key.slice(0, i) + '*' + key.slice(i + 1), () => new Set()).add(name);
    if (key.length >= 3) {
      for (let i = 0; i < key.length; i++) {
        if (!isDistinguishing(key.charCodeAt(i))) getOrAdd(this.byDeletion, key.slice(0, i) + key.slice(i + 1), () => new Set()).add(key);
      }
    }
  }

  private node(key: string, create: boolean): TrieNode | null {
    let node = this.root;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      let next = node.children?.get(code);
      if (next === undefined) {
        if (!create) return null;
        node.children ??= new Map();
        node.children.set(code, (next = newNode()));
      }
      node = next;
    }
    return node;
  }

  private add(name: string, e: GazetteerEntry): void {
    const key = normalizeName(name);
    if (key === '') return;
    const node = this.node(key, true)!;
    node.entries ??= [];
    // a reading with fewer relaxations leaves no room for one with more there: a road's own name
    // for another road's spelling, 东内北小街 as 东直门内北小街 (abbreviated) for 东直门北小街 (side added too)
    if (e.kind === 'road') {
      if (node.entries.some((x) => x.kind === 'road' && x.edits.length < e.edits.length)) return;
      node.entries = node.entries.filter((x) => x.kind !== 'road' || x.edits.length <= e.edits.length);
    }
    if (!node.entries.some((x) => x.kind === e.kind && x.name === e.name && x.alias === e.alias && x.bare === e.bare)) node.entries.push(e);
  }

  /** End of the longest known name starting at `at` in normalised text (entries in `matched`), or `at` when none. */
  match(text: string, at: number): number {
    let node: TrieNode | undefined = this.root;
    let end = at;
    for (let i = at; i < text.length; i++) {
      node = node.children?.get(text.charCodeAt(i));
      if (node === undefined) break;
      if (node.entries !== null && node.entries.length > 0) {
        end = i + 1;
        this.matched = node.entries;
      }
    }
    return end;
  }

  /** The entries of exactly `text[start, end)` as a name (normalised text), or null when it names nothing. */
  entriesOf(text: string, start: number, end: number): GazetteerEntry[] | null {
    let node: TrieNode | undefined = this.root;
    for (let i = start; i < end && node !== undefined; i++) node = node.children?.get(text.charCodeAt(i));
    return node?.entries && node.entries.length > 0 ? node.entries : null;
  }

  /** The roads a whole normalised text names exactly or by a listed spelling. */
  roadsSpelt(text: string): RoadReading[] {
    return (this.spellings.get(text) ?? []).map(([name, edits]) => ({ name, edits: [...edits] }));
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
      for (const e of current.entries ?? []) if (e.kind === 'road' && e.edits.length === 0) names.add(e.name);
      if (current.children !== null) for (const child of current.children.values()) stack.push(child);
    }
    return names.size > max ? [] : [...names];
  }

  /**
   * Roads an unrecognised name may be a misspelling of, searched in the side tables: the name or
   * one of its generic-ending spellings sounds the same (homophones, 园 / 圆), lacks one
   * character (`missing`), or has one more (`extra`). A character that distinguishes roads
   * (numeral, direction, size) is never the one that differs, and the part that names the road
   * must keep two characters (homophone) or three (a character more or fewer): one character of
   * 红岩胡同 makes another hutong, 红星胡同. Every road found is returned; the caller decides
   * what several mean.
   */
  fuzzyRoads(text: string): RoadReading[] {
    if (text.length < 2 || text.length > 40) return [];
    const found = new Map<string, MatchEdit[]>();
    // the text itself, and the text with its generic ending exchanged (胡同 → 巷 …)
    const forms = [text, ...suffixSpellings(text)];
    for (const form of forms) {
      const extra = form === text ? [] : (['suffix'] as MatchEdit[]);
      const before = found.size;
      if (roadCore(form).length >= 2) {
        for (const spelling of this.bySound.get(soundKey(form)) ?? []) {
          if (!differOnlyInSound(form, spelling)) continue;
          // one ending exchanged at most: the query's, or the spelling's
          for (const [name, edits] of this.spellings.get(spelling)!) if (extra.length === 0 || edits.length === 0) addEdits(found, name, [...edits, ...extra, 'homophone']);
        }
      }
      // a character more or fewer only against a road's own name: on top of another relaxation
      // (东花市秋街: 东花市大街 with 大 → 秋) it reads too many names as roads we hold
      if (form === text && roadCore(form).length >= 2 && found.size === before) {
        const own = (spelling: string): string[] => (this.spellings.get(spelling) ?? []).filter(([, edits]) => edits.length === 0).map(([name]) => name);
        for (const spelling of this.byDeletion.get(form) ?? []) for (const name of own(spelling)) addEdits(found, name, ['missing']);
        // a character more only inside the name: at either end, our name is a shorter name inside
        // another one (鹰北官厅 is not 北官厅)
        const core = roadCore(form);
        for (let i = 1; i < core.length - 1; i++) {
          if (isDistinguishing(form.charCodeAt(i))) continue;
          const shorter = form.slice(0, i) + form.slice(i + 1);
          if (roadCore(shorter).length >= 3) for (const name of own(shorter)) addEdits(found, name, ['extra']);
        }
      }
    }
    if (found.size === 0) return [];
    // a road one character away that was not found (东四十一条 for 东四十李条 beside 东四十条 + 李)
    // competes: the text may mean either, so it is read as neither
    for (let i = 0; i < text.length; i++) {
      for (const name of this.byWildcard.get(text.slice(0, i) + '*' + text.slice(i + 1)) ?? []) if (!found.has(name)) return [];
    }
    return [...found].map(([name, edits]) => ({ name, edits }));
  }

  /** Whether the normalised text ends in a generic road ending (…胡同, …路): it looks like a road's name. */
  static looksLikeRoad(text: string): boolean {
    return genericEnding(text) !== '' || text.endsWith('条');
  }
}

/**
 * The keys a place is found by, from its name: the name (unless it is a door plate, 东兴隆街1号院,
 * found through the plate at door level); without a leading 北京(市) (北京天坛公园 is written
 * 天坛公园 as often); and both parts of a name written `X(Y)` (EASYOND(东方新天地): the shop, and
 * the mall it is in) — but a branch (超市发(金鱼池店)) names a neighbourhood, not the place.
 */
function poiKeys(name: string): string[] {
  const keys: string[] = [];
  if (!/\d号/.test(normalizeName(name))) keys.push(name);
  const local = name.replace(/^北京市?/, '');
  if (local !== name && local.length >= 2) keys.push(local);
  const parts = /^(.+?)[(（](.+?)[)）]$/u.exec(name);
  if (parts !== null) {
    const [, outer, inner] = parts as unknown as [string, string, string];
    if (outer.length >= 2) keys.push(outer);
    if (inner.length >= 2 && !inner.endsWith('店') && !/\d号/.test(inner)) keys.push(inner);
  }
  return keys;
}

function entry(kind: PlaceKind, name: string): GazetteerEntry {
  return { kind, name, bare: false, edits: NO_EDITS, alias: null };
}

function addEdits(found: Map<string, MatchEdit[]>, name: string, edits: MatchEdit[]): void {
  const seen = found.get(name);
  if (seen === undefined || edits.length < seen.length) found.set(name, edits);
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
