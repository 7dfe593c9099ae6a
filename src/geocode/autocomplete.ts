import type { LineString, MultiPolygon, Point, Polygon, Position } from 'geojson';
import { pinyin } from 'pinyin-pro';
import { interiorPoint } from '../geo/interior-point.js';
import { isChineseNumeral, parseChineseNumeral } from './chinese-numerals.js';
import type { Address, AdminArea, Grid, Poi, Road } from '../model.js';
import { formatDoorPlate } from '../model.js';
import type { StoreChange } from '../store/changes.js';
import { roadRows } from '../store/rows.js';
import type { Store } from '../store/store.js';

/** What a suggestion is, in the order a tie is broken: a 街道 before a 社区 before a road … before a door plate. */
export const SUGGESTION_KINDS = ['street', 'community', 'road', 'poi', 'grid', 'door'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

/**
 * How the query met the suggestion: the start of its name (or the whole name), of an alias
 * (places), of its toneless pinyin, of its pinyin initials, of its code (digits), or somewhere
 * inside its name (`infix`, the last resort).
 */
export type SuggestionMatch = 'name' | 'alias' | 'pinyin' | 'initials' | 'code' | 'infix';

/** One autocomplete answer. Optional members belong to some kinds only. */
export interface Suggestion {
  /** what the search box shows: a name, or a door plate such as 多福巷12号 */
  text: string;
  kind: SuggestionKind;
  /** a point on or in the place (WGS84): the middle of a road, a polygon's interior point */
  lng: number;
  lat: number;
  /** street (9 digits), community (12), unit grid (15) or social grid static code (16) */
  code?: string;
  /** social grids: the current boundary version */
  dynamicCode?: string;
  /** grids: unit or social */
  scheme?: Grid['scheme'];
  /** roads, places and door plates: the record's id (a road name stored as several records: the first) */
  id?: number;
  /** door plates: the house behind the plate, when known */
  houseId?: number | null;
  /** places: what kind of place */
  category?: string;
  /** the 街道 and 社区 the point lies in, for context (null for a street itself, and outside every area) */
  street: string | null;
  community: string | null;
  /** the whole query was the name, pinyin, initials or code (else it was a start of it) */
  exact: boolean;
  match: SuggestionMatch;
}

/** Street and community at a point: what a suggestion shows as its context (ReverseGeocoder.resolve fits). */
export type Locate = (lng: number, lat: number) => { street: { name: string } | null; community: { name: string } | null };

/** Largest number of suggestions one query returns (the HTTP limit). */
export const MAX_SUGGESTIONS = 20;

const KIND_WEIGHT: Readonly<Record<SuggestionKind, number>> = { street: 0, community: 1, road: 2, poi: 3, grid: 4, door: 5 };

/**
 * Match tiers, best first; a suggestion's rank is (tier, kind weight, text length, text).
 * Exact beats a prefix of the name beats a prefix of its pinyin beats pinyin typed syllable by
 * syllable in part (`dongsbdj`) beats a piece from inside the name.
 */
const TIER = { exact: 0, prefix: 1, pinyinPrefix: 2, syllables: 3, infix: 4 } as const;

/** Longest query the syllable-by-syllable matcher tries (it backtracks; names are shorter than this in pinyin). */
const MAX_SYLLABLE_QUERY = 40;

/** A suggestion found a few times over (same kind, text, street and community) is shown once: room for the duplicates. */
const DEDUPE_SLACK = 4;

/** A place a query can name (everything but door plates). */
interface Entry {
  /** `street:110101001`, `road:多福巷`, `poi:12`, `unit:…`, `social:…` */
  id: string;
  kind: Exclude<SuggestionKind, 'door'>;
  text: string;
  lng: number;
  lat: number;
  code?: string;
  dynamicCode?: string;
  scheme?: Grid['scheme'];
  recordId?: number;
  category?: string;
  /** lower-case names (and aliases) looked through for infix matches; empty for unit grids */
  names: string[];
  /** the pinyin syllables of each name reading, for the syllable-by-syllable matcher */
  readings: string[][];
  /** this entry's keys in the sorted key list, kept to take them out again */
  keys: Key[];
  context?: Context;
}

/** The street and community names at a suggestion's point, looked up once per area generation. */
interface Context {
  generation: number;
  street: string | null;
  community: string | null;
}

type KeyHow = 'name' | 'alias' | 'pinyin' | 'initials' | 'code';

interface Key {
  text: string;
  how: KeyHow;
  entry: Entry;
}

/** A door plate that can be suggested. */
interface Plate {
  id: number;
  houseId: number | null;
  road: string;
  /** the plate after its road: 12号, 12号院3号楼 */
  tail: string;
  lng: number;
  lat: number;
  context?: Context;
}

interface Candidate {
  ref: Entry | Plate;
  kind: SuggestionKind;
  text: string;
  tier: number;
  weight: number;
  match: SuggestionMatch;
}

/**
 * Type-ahead over the names a grid worker searches for (Pelias-style autocomplete): streets,
 * communities, roads, places, social grid names and door plates, by the start of the name, by
 * toneless pinyin (`dongsibei`) and pinyin initials (`dsbdj` → 东四北大街), and grids and areas by
 * the leading digits of their codes. Door plates are suggested once the query reaches the number:
 * a whole road name (or its pinyin or initials) followed by digits, `多福巷12` → 多福巷12号,
 * 多福巷120号, …. Ranking: exact before prefix before pinyin before infix, then street, community,
 * road, place, grid, door, then shorter text. Readings are computed once per character (pinyin-pro,
 * cached), plus the in-context reading of names with a polyphonic character when it differs (both
 * are keys). Writes apply in place (`applyChanges`), no rebuild.
 * @example AutocompleteIndex.fromStore(store, (x, y) => reverse.resolve(x, y)).suggest('dsbdj')[0].text // 东四北大街
 */
export class AutocompleteIndex {
  /**
   * Keys by class (names and codes, then pinyin) and kind, in rank order, each list sorted by
   * text (UTF-16 order) so a prefix is a contiguous range: a short prefix stops once the kinds
   * before have filled the answer, instead of walking thousands of grid codes.
   */
  private readonly keyLists: Key[][] = KEY_LISTS.map(() => []);
  /** names joined, for infix search with one native indexOf (rebuilt on the next query after a change) */
  private infix: { text: string; starts: number[]; owners: Entry[] } | null = null;
  /** while building: keys are appended and sorted once at the end */
  private building = true;
  private readonly entries = new Map<string, Entry>();
  /** entries by the two letters a syllable-by-syllable query can start with (dong si: do, ds), for the matcher */
  private readonly byStart = new Map<string, Set<Entry>>();
  /** road name → its records' ids and lengths and middles (several records may share a name) */
  private readonly roadParts = new Map<string, Map<number, { length: number; lng: number; lat: number }>>();
  private readonly roadNames = new Map<number, string>();
  private readonly plates = new Map<number, Plate>();
  /** road name → its door plates */
  private readonly platesByRoad = new Map<string, Plate[]>();
  /** a road name, its pinyin and its initials → the road names door plates are on */
  private readonly plateRoads = new Map<string, Set<string>>();
  private readonly plateRoadsKnown = new Set<string>();
  private readonly retiredHouses = new Set<number>();
  /** districts (and 北京市) a query may start with: stripped */
  private prefixes: string[] = ['北京市', '北京'];
  private readonly readings = new Readings();
  /** bumped when areas change: cached contexts of older generations are looked up again */
  private areaGeneration = 0;

  private constructor(private locate: Locate) {}

  /** Builds the index from the store's current records (about 0.2 s for the default district, most of it pinyin). */
  static fromStore(store: Store, locate: Locate): AutocompleteIndex {
    const index = new AutocompleteIndex(locate);
    const areas = [...store.iterate('areas')];
    for (const area of areas) index.putArea(area);
    for (const road of store.iterate('roads')) index.putRoad(road.id, road);
    for (const grid of store.iterate('grids')) index.putGrid(grid);
    for (const poi of store.iterate('pois')) index.putPoi(poi.id, poi);
    for (const [id, status] of store.scan('houses', ['id', 'status'])) if (status === '废弃') index.retiredHouses.add(id as number);
    // the raw columns: parsing 28k point geometries would double the build time (a point is its box)
    for (const row of store.scan('addresses', PLATE_COLUMNS)) {
      const [id, road, number, compound, building, unit, houseId, status, x, y] = row as [number, string, number, number, number | null, number | null, number | null, Address['status'], number, number];
      index.putPlate(id, { road, number, compound: compound === 1, building, unit, houseId, status, lng: x, lat: y });
    }
    for (const list of index.keyLists) list.sort(byText);
    index.building = false;
    return index;
  }

  /** Number of places and door plates held (for logs and tests). */
  get size(): { entries: number; plates: number; keys: number } {
    return { entries: this.entries.size, plates: this.plates.size, keys: this.keyLists.reduce((n, list) => n + list.length, 0) };
  }

  /**
   * Suggestions for what has been typed so far, best first, at most `limit` (1–20, default 10).
   * Blank or unmatched text gives none; never throws on any text.
   */
  suggest(query: string, { limit = 10 }: { limit?: number } = {}): Suggestion[] {
    const wanted = Math.max(1, Math.min(MAX_SUGGESTIONS, Math.floor(limit)));
    const q = this.stripPrefixes(normalize(query));
    if (q === '') return [];
    const top = new TopK(wanted + DEDUPE_SLACK);
    this.matchKeys(q, top);
    this.matchPlates(q, top);
    // one or two letters are a start of the pinyin or of the initials, both already keys
    if (q.length >= 3 && q.length <= MAX_SYLLABLE_QUERY && /^[a-z][a-z0-9]*$/.test(q) && top.accepts(TIER.syllables)) this.matchSyllables(q, top);
    if (q.length >= 2 && top.accepts(TIER.infix)) this.matchInfix(q, top);
    return this.present(top.items, wanted);
  }

  /**
   * Takes logged changes into the index in place: door plates, houses (a retired house's plates
   * are no longer suggested), places, roads, grids and areas. A door plate written through the
   * API is suggested (or gone) a few milliseconds later, without a rebuild. `locate` replaces the
   * context lookup when the areas it answers from were rebuilt.
   */
  applyChanges(changes: readonly StoreChange[], store: Store, locate?: Locate): void {
    if (locate) this.locate = locate;
    if (changes.some((c) => c.layer === 'areas')) this.areaGeneration++;
    for (const change of changes) {
      switch (change.layer) {
        case 'addresses': {
          const address = store.getAddress(Number(change.key));
          const [lng, lat] = (address?.geometry.coordinates ?? []) as [number, number];
          this.putPlate(Number(change.key), address && { ...address, lng, lat });
          break;
        }
        case 'houses': {
          const house = store.getHouse(Number(change.key));
          if (house === null || house.status !== '废弃') this.retiredHouses.delete(Number(change.key));
          else this.retiredHouses.add(house.id);
          break;
        }
        case 'roads':
          this.putRoad(Number(change.key), loggedRoad(change.after));
          break;
        case 'pois':
          this.putPoi(Number(change.key), store.getPoi(Number(change.key)));
          break;
        case 'grids': {
          const [scheme, code] = change.key.split(':') as [Grid['scheme'], string];
          const current = store.getGrid(scheme, code);
          if (current === null) this.remove(`${scheme}:${code}`);
          else this.putGrid(current);
          break;
        }
        case 'areas': {
          const area = store.getArea(change.key);
          if (area === null) this.remove(`street:${change.key}`), this.remove(`community:${change.key}`);
          else this.putArea(area);
          break;
        }
        default:
          break;
      }
    }
  }

  // ---- queries ----

  /**
   * Keys starting with the query. Exact keys open each list's range and are taken first; then the
   * lists in rank order, each skipped once its tier and kind can no longer enter the answer.
   */
  private matchKeys(q: string, top: TopK): void {
    const starts = this.keyLists.map((list) => lowerBound(list, q));
    this.keyLists.forEach((list, n) => {
      for (let k = starts[n]!; k < list.length && list[k]!.text === q; k++) this.offerKey(list[k]!, TIER.exact, top);
    });
    this.keyLists.forEach((list, n) => {
      const { tier, kind } = KEY_LISTS[n]!;
      if (!top.accepts(tier, KIND_WEIGHT[kind])) return;
      for (let k = starts[n]!; k < list.length; k++) {
        const key = list[k]!;
        if (!key.text.startsWith(q)) break;
        if (key.text.length > q.length) this.offerKey(key, tier, top);
      }
    });
  }

  private offerKey(key: Key, tier: number, top: TopK): void {
    const entry = key.entry;
    top.offer({ ref: entry, kind: entry.kind, text: entry.text, tier, weight: KIND_WEIGHT[entry.kind], match: key.how });
  }

  /**
   * Road (name, pinyin or initials, whole) + the start of a door number in digits or Chinese
   * numerals (多福巷十二 reads as 多福巷12): that road's plates.
   */
  private matchPlates(q: string, top: TopK): void {
    for (let split = 1; split < q.length; split++) {
      const code = q.charCodeAt(split);
      if (!(isDigit(code) || isChineseNumeral(code)) || isDigit(q.charCodeAt(split - 1))) continue;
      const roads = this.plateRoads.get(q.slice(0, split));
      if (roads === undefined) continue;
      let typed = q.slice(split);
      if (!isDigit(code)) {
        let end = split;
        while (end < q.length && isChineseNumeral(q.charCodeAt(end))) end++;
        const value = parseChineseNumeral(q, split, end);
        if (value < 0) continue;
        typed = String(value) + q.slice(end);
      }
      const match: SuggestionMatch = /^[a-z]/.test(q) ? (roads.has(q.slice(0, split)) ? 'name' : 'pinyin') : 'name';
      for (const road of roads) {
        for (const plate of this.platesByRoad.get(road) ?? []) {
          if (!plate.tail.startsWith(typed)) continue;
          if (plate.houseId !== null && this.retiredHouses.has(plate.houseId)) continue;
          const exact = plate.tail === typed || plate.tail === `${typed}号`;
          top.offer({ ref: plate, kind: 'door', text: plate.road + plate.tail, tier: exact ? TIER.exact : TIER.prefix, weight: KIND_WEIGHT.door, match });
        }
      }
    }
  }

  /** Pinyin typed as a start of each syllable in turn (`dongsbdj`, `dsibei`): the entries its first two letters can start. */
  private matchSyllables(q: string, top: TopK): void {
    for (const entry of this.byStart.get(q.slice(0, 2)) ?? []) {
      if (entry.readings.some((syllables) => syllablePrefix(q, syllables, 0, 0))) {
        top.offer({ ref: entry, kind: entry.kind, text: entry.text, tier: TIER.syllables, weight: KIND_WEIGHT[entry.kind], match: 'pinyin' });
      }
    }
  }

  /** Names holding the query anywhere: one indexOf over all names joined, each hit mapped to its entry. */
  private matchInfix(q: string, top: TopK): void {
    const infix = (this.infix ??= this.joinNames());
    for (let at = infix.text.indexOf(q); at >= 0; ) {
      let lo = 0;
      let hi = infix.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (infix.starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      const entry = infix.owners[lo]!;
      top.offer({ ref: entry, kind: entry.kind, text: entry.text, tier: TIER.infix, weight: KIND_WEIGHT[entry.kind], match: 'infix' });
      // the next name: an entry is offered once per name at most
      at = lo + 1 < infix.starts.length ? infix.text.indexOf(q, infix.starts[lo + 1]!) : -1;
    }
  }

  private joinNames(): { text: string; starts: number[]; owners: Entry[] } {
    const parts: string[] = [];
    const starts: number[] = [];
    const owners: Entry[] = [];
    let length = 0;
    for (const entry of this.entries.values()) {
      for (const name of entry.names) {
        starts.push(length);
        owners.push(entry);
        parts.push(name);
        // a separator no normalised query holds, so no hit spans two names
        length += name.length + 1;
      }
    }
    return { text: parts.join('\n'), starts, owners };
  }

  /** The best candidates as suggestions with their context, one per kind + text + street + community. */
  private present(candidates: readonly Candidate[], limit: number): Suggestion[] {
    const out: Suggestion[] = [];
    const shown = new Set<string>();
    for (const candidate of candidates) {
      const suggestion = this.suggestion(candidate);
      const key = `${suggestion.kind}\u0000${suggestion.text}\u0000${suggestion.street}\u0000${suggestion.community}`;
      if (shown.has(key)) continue;
      shown.add(key);
      out.push(suggestion);
      if (out.length === limit) break;
    }
    return out;
  }

  private suggestion({ ref, kind, text, tier, match }: Candidate): Suggestion {
    // members in the order they are shown: what identifies it, then where, then how it matched
    const out = { text, kind } as Suggestion;
    if (kind === 'door') {
      const plate = ref as Plate;
      out.id = plate.id;
      out.houseId = plate.houseId;
    } else {
      const entry = ref as Entry;
      if (entry.code !== undefined) out.code = entry.code;
      if (entry.scheme !== undefined) out.scheme = entry.scheme;
      if (entry.dynamicCode !== undefined) out.dynamicCode = entry.dynamicCode;
      if (entry.recordId !== undefined) out.id = entry.recordId;
      if (entry.category !== undefined) out.category = entry.category;
    }
    out.lng = round7(ref.lng);
    out.lat = round7(ref.lat);
    const context = this.contextOf(ref, kind);
    out.street = context.street;
    out.community = context.community;
    out.exact = tier === TIER.exact;
    out.match = match;
    return out;
  }

  /** Street and community at the point (none for a street, no community for a community), cached on the place. */
  private contextOf(ref: Entry | Plate, kind: SuggestionKind): Context {
    if (ref.context?.generation === this.areaGeneration) return ref.context;
    const here = kind === 'street' ? null : this.locate(ref.lng, ref.lat);
    ref.context = {
      generation: this.areaGeneration,
      street: here?.street?.name ?? null,
      community: kind === 'community' ? null : (here?.community?.name ?? null),
    };
    return ref.context;
  }

  private stripPrefixes(q: string): string {
    for (let stripped = true; stripped; ) {
      stripped = false;
      for (const prefix of this.prefixes) {
        if (q.length > prefix.length && q.startsWith(prefix)) {
          q = q.slice(prefix.length);
          stripped = true;
        }
      }
    }
    return q;
  }

  // ---- building and updating ----

  private putArea(area: AdminArea): void {
    if (area.level === 'district') {
      if (!this.prefixes.includes(area.name)) this.prefixes.push(area.name);
      return;
    }
    const [lng, lat] = interiorPoint(area.geometry) as [number, number];
    this.put({ id: `${area.level}:${area.code}`, kind: area.level, text: area.name, lng, lat, code: area.code }, [area.name], [area.code]);
  }

  private putGrid(grid: Grid): void {
    const [lng, lat] = interiorPoint(grid.geometry) as [number, number];
    const entry = { id: `${grid.scheme}:${grid.code}`, kind: 'grid' as const, text: grid.name, lng, lat, code: grid.code, scheme: grid.scheme };
    // unit grid names are generic (…社区1号单元网格): found by code only
    if (grid.scheme === 'unit') this.put(entry, [], [grid.code]);
    else this.put({ ...entry, dynamicCode: grid.dynamicCode ?? undefined }, [grid.name], [grid.code]);
  }

  /** A road record written or removed (null); the suggestion is the name's longest record's middle. */
  private putRoad(id: number, road: Pick<Road, 'name' | 'geometry'> | null): void {
    const oldName = this.roadNames.get(id);
    if (oldName !== undefined) {
      const parts = this.roadParts.get(oldName)!;
      parts.delete(id);
      this.roadNames.delete(id);
      if (parts.size === 0) this.roadParts.delete(oldName), this.remove(`road:${oldName}`);
      else this.putRoadEntry(oldName, parts);
    }
    if (road === null) return;
    this.roadNames.set(id, road.name);
    let parts = this.roadParts.get(road.name);
    if (parts === undefined) this.roadParts.set(road.name, (parts = new Map()));
    parts.set(id, lineMiddle(road.geometry));
    this.putRoadEntry(road.name, parts);
    this.addPlateRoad(road.name);
  }

  private putRoadEntry(name: string, parts: Map<number, { length: number; lng: number; lat: number }>): void {
    let best: [number, { length: number; lng: number; lat: number }] | null = null;
    for (const part of parts) if (best === null || part[1].length > best[1].length || (part[1].length === best[1].length && part[0] < best[0])) best = part;
    const [recordId, { lng, lat }] = best!;
    this.put({ id: `road:${name}`, kind: 'road', text: name, lng, lat, recordId }, [name], []);
  }

  private putPoi(id: number, poi: Pick<Poi, 'name' | 'aliases' | 'category' | 'geometry'> | null): void {
    if (poi === null) return this.remove(`poi:${id}`);
    const [lng, lat] = pointOf(poi.geometry);
    const aliases = poi.aliases.filter((a) => a !== poi.name);
    this.put({ id: `poi:${id}`, kind: 'poi', text: poi.name, lng, lat, recordId: id, category: poi.category }, [poi.name], [], aliases);
  }

  /** A door plate written (in use: suggested), retired or missing (null: not suggested). */
  private putPlate(id: number, address: PlateFields | null): void {
    const old = this.plates.get(id);
    if (old !== undefined) {
      this.plates.delete(id);
      const list = this.platesByRoad.get(old.road)!;
      list.splice(list.indexOf(old), 1);
    }
    if (address === null || address.status === '废弃') return;
    const { lng, lat } = address;
    const plate: Plate = { id, houseId: address.houseId, road: address.road, tail: formatDoorPlate(address).slice(address.road.length), lng, lat };
    this.plates.set(id, plate);
    let list = this.platesByRoad.get(address.road);
    if (list === undefined) this.platesByRoad.set(address.road, (list = []));
    list.push(plate);
    this.addPlateRoad(address.road);
  }

  /** The keys a door query's road part is looked up by: the name, each reading's pinyin and initials. */
  private addPlateRoad(name: string): void {
    if (this.plateRoadsKnown.has(name)) return;
    this.plateRoadsKnown.add(name);
    const lower = normalize(name);
    const keys = new Set([lower]);
    for (const syllables of this.readings.of(name)) keys.add(syllables.join('')).add(initials(syllables));
    for (const key of keys) {
      let roads = this.plateRoads.get(key);
      if (roads === undefined) this.plateRoads.set(key, (roads = new Set()));
      roads.add(name);
    }
  }

  /** Adds or replaces an entry with keys for its names (and their pinyin), aliases and codes. */
  private put(fields: Omit<Entry, 'names' | 'readings' | 'keys'>, names: string[], codes: string[], aliases: string[] = []): void {
    this.remove(fields.id);
    const entry: Entry = { ...fields, names: [], readings: [], keys: [] };
    const add = (text: string, how: KeyHow) => {
      if (text !== '' && !entry.keys.some((k) => k.text === text)) entry.keys.push({ text, how, entry });
    };
    for (const [list, how] of [
      [names, 'name'],
      [aliases, 'alias'],
    ] as const) {
      for (const name of list) {
        const lower = normalize(name);
        add(lower, how);
        entry.names.push(lower);
        for (const syllables of this.readings.of(name)) {
          entry.readings.push(syllables);
          add(syllables.join(''), 'pinyin');
          add(initials(syllables), 'initials');
        }
      }
    }
    for (const code of codes) add(code, 'code');
    this.entries.set(entry.id, entry);
    this.infix = null;
    for (const key of entry.keys) {
      const list = this.keyLists[keyList(key.how, entry.kind)]!;
      if (this.building) list.push(key);
      else insertSorted(list, key);
    }
    for (const start of startsOf(entry.readings)) {
      let set = this.byStart.get(start);
      if (set === undefined) this.byStart.set(start, (set = new Set()));
      set.add(entry);
    }
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.infix = null;
    for (const key of entry.keys) {
      const list = this.keyLists[keyList(key.how, entry.kind)]!;
      let k = lowerBound(list, key.text);
      while (k < list.length && list[k] !== key) k++;
      if (k < list.length) list.splice(k, 1);
    }
    for (const start of startsOf(entry.readings)) this.byStart.get(start)?.delete(entry);
  }
}

/**
 * The best candidates seen so far, sorted by rank, one per entry or plate; holds `capacity`.
 * Offers are cheap to refuse: most are worse than the last kept one.
 */
class TopK {
  readonly items: Candidate[] = [];

  constructor(private readonly capacity: number) {}

  /** Whether a candidate of this tier (and kind weight) could still be kept. */
  accepts(tier: number, weight = 0): boolean {
    if (this.items.length < this.capacity) return true;
    const last = this.items[this.items.length - 1]!;
    return last.tier > tier || (last.tier === tier && last.weight >= weight);
  }

  offer(candidate: Candidate): void {
    const items = this.items;
    if (items.length === this.capacity && compare(candidate, items[items.length - 1]!) >= 0) return;
    const same = items.findIndex((c) => c.ref === candidate.ref);
    if (same >= 0) {
      if (compare(candidate, items[same]!) >= 0) return;
      items.splice(same, 1);
    }
    let at = items.length;
    while (at > 0 && compare(candidate, items[at - 1]!) < 0) at--;
    items.splice(at, 0, candidate);
    if (items.length > this.capacity) items.pop();
  }
}

function compare(a: Candidate, b: Candidate): number {
  return a.tier - b.tier || a.weight - b.weight || a.text.length - b.text.length || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
}

/**
 * Toneless pinyin syllables of names, one array per reading: the characters' own readings (cached
 * per character), and the in-context reading of pinyin-pro when a polyphonic character makes it
 * differ (银行 yin hang; but pinyin-pro reads 广渠门 an qu men, so the per-character one stays too).
 * Letters and digits inside a name are one syllable each run (SOHO → soho, 12 → 12).
 */
class Readings {
  private readonly chars = new Map<string, { reading: string; polyphonic: boolean }>();
  /** pinyin-pro's in-context reading of a run of characters (grid names repeat their community's) */
  private readonly runs = new Map<string, string[] | null>();
  private readonly names = new Map<string, string[][]>();

  of(name: string): string[][] {
    let readings = this.names.get(name);
    if (readings === undefined) this.names.set(name, (readings = this.read(name)));
    return readings;
  }

  private read(name: string): string[][] {
    const text = name.normalize('NFKC').toLowerCase();
    const own: string[] = [];
    const runs: { start: number; chars: string[]; polyphonic: boolean }[] = [];
    let run: (typeof runs)[number] | null = null;
    let word = '';
    for (const char of text) {
      if (HAN.test(char)) {
        if (word !== '') own.push(word), (word = '');
        const known = this.char(char);
        if (run === null) runs.push((run = { start: own.length, chars: [], polyphonic: false }));
        run.chars.push(char);
        run.polyphonic ||= known.polyphonic;
        own.push(known.reading);
      } else {
        run = null;
        if (/[a-z0-9]/.test(char)) word += char;
        else if (word !== '') own.push(word), (word = '');
      }
    }
    if (word !== '') own.push(word);
    const readings = [own];
    let context: string[] | null = null;
    for (const r of runs) {
      if (!r.polyphonic || r.chars.length < 2) continue;
      const read = this.run(r.chars.join(''));
      if (read === null) continue;
      for (let k = 0; k < read.length; k++) {
        if (read[k] === own[r.start + k]) continue;
        context ??= [...own];
        context[r.start + k] = read[k]!;
      }
    }
    if (context !== null) readings.push(context);
    return readings;
  }

  private run(text: string): string[] | null {
    let read = this.runs.get(text);
    if (read === undefined) {
      const syllables = pinyin(text, { toneType: 'none', type: 'array', v: true });
      read = syllables.length === [...text].length && syllables.every((s) => /^[a-z]+$/.test(s)) ? syllables : null;
      this.runs.set(text, read);
    }
    return read;
  }

  private char(char: string): { reading: string; polyphonic: boolean } {
    let known = this.chars.get(char);
    if (known === undefined) {
      const all = pinyin(char, { toneType: 'none', type: 'array', multiple: true, v: true });
      const reading = pinyin(char, { toneType: 'none', v: true });
      // a character pinyin-pro does not know reads as itself: no syllable
      known = { reading: /^[a-z]+$/.test(reading) ? reading : '', polyphonic: new Set(all).size > 1 };
      this.chars.set(char, known);
    }
    return known;
  }
}

const HAN = /\p{Script=Han}/u;

/** The key lists in rank order: names, aliases and codes of each kind, then pinyin and initials of each kind. */
const KEY_LISTS = (['prefix', 'pinyinPrefix'] as const).flatMap((tier) =>
  SUGGESTION_KINDS.filter((kind): kind is Entry['kind'] => kind !== 'door').map((kind) => ({ tier: TIER[tier], kind })),
);

function keyList(how: KeyHow, kind: Entry['kind']): number {
  const tier = how === 'pinyin' || how === 'initials' ? TIER.pinyinPrefix : TIER.prefix;
  return KEY_LISTS.findIndex((l) => l.tier === tier && l.kind === kind);
}

/** A door plate's columns as the index reads them (a point's coordinates are its box). */
type PlateFields = Pick<Address, 'road' | 'number' | 'compound' | 'building' | 'unit' | 'houseId' | 'status'> & { lng: number; lat: number };
const PLATE_COLUMNS = ['id', 'road', 'number', 'compound', 'building', 'unit', 'house_id', 'status', 'min_x', 'min_y'] as const;

function initials(syllables: readonly string[]): string {
  let out = '';
  // a run of letters or digits from the name (SOHO, 12) stays whole
  for (const s of syllables) out += PINYIN_SYLLABLES.has(s) ? s[0]! : s;
  return out;
}

/** Every toneless pinyin syllable (with v for ü), so a Latin word in a name is not cut down to its first letter. */
const PINYIN_SYLLABLES = new Set(
  (
    'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo ' +
    'da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ' +
    'ha hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo ' +
    'la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lue lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu n na nai nan nang nao ne nei nen neng ng ni nian niang niao nie nin ning niu nong nou nu nuan nue nun nuo nv nve ' +
    'o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo ' +
    'sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo ' +
    'wa wai wan wang wei wen weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo'
  ).split(' '),
);

/** The first two letters of a query the syllable matcher can match: two of the first syllable, or one each of the first two. */
function startsOf(readings: readonly string[][]): Set<string> {
  const starts = new Set<string>();
  for (const [first, second] of readings) {
    if (first === undefined) continue;
    if (first.length >= 2) starts.add(first.slice(0, 2));
    if (second !== undefined) starts.add(first[0]! + second[0]!);
  }
  return starts;
}

/** Whether `q` from `j` is a sequence of non-empty starts of `syllables` from `i` on (it may stop inside the name). */
function syllablePrefix(q: string, syllables: readonly string[], i: number, j: number): boolean {
  if (j === q.length) return true;
  if (i === syllables.length) return false;
  const s = syllables[i]!;
  for (let k = 0; k < s.length && j + k < q.length && q.charCodeAt(j + k) === s.charCodeAt(k); k++) {
    if (syllablePrefix(q, syllables, i + 1, j + k + 1)) return true;
  }
  return false;
}

/** What a query and a name are compared as: NFKC (full-width → ASCII), lower case, without spaces and apostrophes. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s'’·]+/g, '');
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function byText(a: Key, b: Key): number {
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

/** The first position whose key text is ≥ `text`. */
function lowerBound(keys: readonly Key[], text: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]!.text < text) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(keys: Key[], key: Key): void {
  let at = lowerBound(keys, key.text);
  while (at < keys.length && keys[at]!.text === key.text) at++;
  keys.splice(at, 0, key);
}

function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7;
}

/** The point halfway along a line (planar, longitude scaled by the latitude) and the line's length in degrees of latitude. */
function lineMiddle(line: LineString): { length: number; lng: number; lat: number } {
  const c = line.coordinates;
  const kx = Math.cos(((c[0]?.[1] ?? 0) * Math.PI) / 180);
  const lengths: number[] = [];
  let total = 0;
  for (let k = 1; k < c.length; k++) {
    const d = Math.hypot((c[k]![0]! - c[k - 1]![0]!) * kx, c[k]![1]! - c[k - 1]![1]!);
    lengths.push(d);
    total += d;
  }
  let left = total / 2;
  for (let k = 1; k < c.length; k++) {
    const d = lengths[k - 1]!;
    if (left <= d && d > 0) {
      const t = left / d;
      return { length: total, lng: c[k - 1]![0]! + t * (c[k]![0]! - c[k - 1]![0]!), lat: c[k - 1]![1]! + t * (c[k]![1]! - c[k - 1]![1]!) };
    }
    left -= d;
  }
  const [lng, lat] = (c[0] ?? [0, 0]) as Position;
  return { length: total, lng: lng!, lat: lat! };
}

function pointOf(geometry: Point | Polygon | MultiPolygon): [number, number] {
  return (geometry.type === 'Point' ? geometry.coordinates : interiorPoint(geometry)) as [number, number];
}

/** A road from its change-log row (geometry kept parsed there; the store has no road lookup), or null when the row is gone. */
function loggedRoad(row: Record<string, unknown> | null): Road | null {
  return row === null ? null : roadRows.fromRow({ ...row, geometry: JSON.stringify(row.geometry) });
}
