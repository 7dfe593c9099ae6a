import type { Position } from 'geojson';
import { interiorPoint } from '../geo/interior-point.js';
import type { Address, AdminArea, AdminLevel, Alias, House, Poi, Road } from '../model.js';
import { formatDoorPlate } from '../model.js';
import type { StoreChange } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { runToEnd } from '../time-slices.js';
import { sameNamesInRemarks, separatedTails, withoutRemarks } from './address-normalize.js';
import { crossingOf, parseAddress, parseNormalizedAddress, type ParsedAddress, type PoiReading } from './address-parse.js';
import { AddressGazetteer, type RoadReading } from './gazetteer.js';
import type { GeocodeAnswer, GeocodeResult, MatchEdit, MatchLevel } from './geocode-result.js';
import type { Resolution } from './reverse.js';

/** What the forward geocoder is built from. */
export interface ForwardData {
  areas: readonly AdminArea[];
  roads: readonly Road[];
  addresses: readonly Address[];
  /** only the canonical addresses are used */
  houses: readonly Pick<House, 'id' | 'address'>[];
  pois?: readonly Poi[];
  aliases?: readonly Alias[];
}

/** Where a point lies: the reverse geocoder, or an object that always asks the current one. */
export interface PointResolver {
  resolve(lng: number, lat: number): Resolution;
}

/** Scores by how the place was found; relaxations, contradictions and ambiguity multiply them down. */
const SCORE = {
  door: 0.98,
  /** a named place (POI) */
  poi: 0.92,
  /** N号院 asked, the compound found, no single house */
  compoundGate: 0.9,
  /** N号院M号楼 asked, but N号 is a single house */
  doorIgnoringBuilding: 0.85,
  /** N号院M号楼 asked, compound N found, building M not */
  compoundWithoutBuilding: 0.75,
  /** 甲N号: beside plate N */
  besidePlate: 0.65,
  /** where two named roads meet (A与B交叉口) */
  crossing: 0.7,
  interpolated: 0.6,
  extrapolated: 0.5,
  /** number placed on the centreline of a road without plates */
  centreline: 0.5,
  /** the named end of a road (…胡同西口) */
  roadMouth: 0.55,
  roadOnly: 0.45,
  nearRoad: 0.3,
  /** an unknown name whose start is shared by roads all in one 街道 */
  locality: 0.2,
  community: 0.35,
  street: 0.25,
  district: 0.15,
} as const;

/**
 * What each relaxation multiplies the score by (README, "Forward geocoding: scores"). Reading a
 * spelling the gazetteer lists costs little; a misspelling found by search costs more, so that a
 * door found through one stays ≥ 0.8 only while the road is the only one it can mean.
 */
export const EDIT_FACTOR: Readonly<Record<MatchEdit, number>> = {
  alias: 0.99,
  ordinal: 0.99,
  abbreviation: 0.97,
  // the name may mean a road on the other side of the wall, outside the loaded area
  gateSide: 0.95,
  suffix: 0.96,
  homophone: 0.9,
  // a name before a space or comma we do not know (a compound's, a business district's — or a
  // city's we do not list): the answer stands, but below 0.8
  skipped: 0.8,
  missing: 0.88,
  extra: 0.88,
  // placed along the road or beside a plate: the SCORE above says how well
  number: 1,
  building: 1,
  street: 0.75,
  community: 0.85,
};

const PENALTY = {
  /** the road is not in the district the address names */
  otherDistrict: 0.6,
  /** the same name means several roads or places and nothing in the address says which */
  ambiguous: 0.85,
} as const;

/** Relaxations found by searching for a misspelling: believable only where the address says the road is. */
const SEARCHED: ReadonlySet<MatchEdit> = new Set(['homophone', 'missing', 'extra']);

const M_PER_DEG = 111_320;

/** From a road's centreline to its door line: about half a main road's width; hutongs are a few metres wide. */
const SIDE_OFFSET_M: Record<Road['kind'], number> = { main: 25, hutong: 5 };
/** Readings of the text after a separator tried per query (lookup); an address has a few parts. */
const MAX_TAILS = 4;
/** How far beside a road a named 街道 is looked for, where its boundary is drawn off the road (besideIn). */
const BESIDE_REACH_M = 30;
/** How much of a road around a point gives its direction there (toSide). */
const DIRECTION_REACH_M = 150;

interface PlateGroup {
  number: number;
  plain: Address | null;
  /** compound buildings, by building number */
  buildings: Address[];
  /** the plain plate, else the lowest building's */
  x: number;
  y: number;
}

/** Door plates of one side of a road (odd or even), by number. */
interface Side {
  numbers: Int32Array;
  x: Float64Array;
  y: Float64Array;
}

/** A road name within one district: its centreline pieces and door plates. */
interface RoadEntry {
  name: string;
  kind: Road['kind'];
  /** '' when the road lies outside every district */
  districtCode: string;
  lines: Position[][];
  /** the 街道 holding each line's middle */
  lineStreet: (string | null)[];
  plates: Map<number, PlateGroup>;
  odd: Side;
  even: Side;
  /** the 街道 any line or plate of the road lies in */
  streets: Set<string>;
  /** street code ('' = all lines) → length-weighted middle */
  middles: Map<string, [number, number]>;
}

interface AreaEntry {
  area: AdminArea;
  districtCode: string | null;
  streetCode: string | null;
  point: Position;
}

interface PoiEntry {
  poi: Poi;
  x: number;
  y: number;
  streetCode: string | null;
}

interface Candidate {
  x: number;
  y: number;
  score: number;
  level: MatchLevel;
  houseId: number | null;
  /** the canonical address when known (a house's, a place's), else built from the resolution */
  address: string | null;
  /** what follows the administrative prefix: 多福巷12号院, 多福巷, '' */
  tail: string;
  road: string | null;
  /** the door plate matched: 12号, 3号院2号楼 */
  plate: string | null;
  poi: string | null;
  alias: string | null;
  edits: MatchEdit[];
}

/** Roads or door plates filed per step of a geocoder built in steps (~2 ms). */
const ITEMS_PER_STEP = 500;

const EMPTY_SIDE: Side = { numbers: new Int32Array(0), x: new Float64Array(0), y: new Float64Array(0) };

/**
 * Forward geocoding (standards.md §8.3): normalise, parse against a gazetteer of the stored names
 * and their usual spellings, then door plate → interpolation along the road → road middle →
 * community → street → district, or a named place. Every answer carries the district, street,
 * community and grids of its point, and says what it rests on (`matched`). An address naming a
 * place outside the loaded area is refused with a reason; an unknown road is never read as a
 * shorter or differently-ended road.
 */
export class ForwardGeocoder {
  private readonly resolver: PointResolver;
  private gazetteer!: AddressGazetteer;
  private readonly roads = new Map<string, RoadEntry[]>();
  private readonly areas: Record<AdminLevel, Map<string, AreaEntry[]>> = { district: new Map(), street: new Map(), community: new Map() };
  private readonly houseAddress = new Map<number, string | null>();
  private readonly streetByCode = new Map<string, AreaEntry>();
  private readonly pois = new Map<string, PoiEntry[]>();
  private readonly poiById = new Map<number, Poi>();
  /** door plate id → the road entry holding it, for in-place updates */
  private readonly plateRoad = new Map<number, RoadEntry>();
  private districtNames = '';
  private readonly kx: number;

  static fromStore(store: Store, resolver: PointResolver): ForwardGeocoder {
    return runToEnd(ForwardGeocoder.inSteps(store, resolver));
  }

  /**
   * Built from the store in steps of a few milliseconds (a generator: a running server answers
   * requests between steps after an import of roads, aliases or areas — ~1 s of work on the
   * default district). The store is read a page at a time; a door plate or house written
   * meanwhile may be missed, so the caller applies the changes logged since it started.
   */
  static *inSteps(store: Store, resolver: PointResolver): Generator<void, ForwardGeocoder> {
    const data = {
      areas: [...store.iterate('areas')],
      roads: [...store.iterate('roads')],
      pois: [...store.iterate('pois')],
      aliases: [...store.iterate('aliases')],
      addresses: [] as Address[],
      houses: [] as Pick<House, 'id' | 'address'>[],
    };
    yield;
    for (const page of store.recordPages('addresses')) {
      data.addresses.push(...inUse(page));
      yield;
    }
    // id and address only: whole records (footprints parsed) cost ~0.4 s per build
    for (const page of store.scanPages('houses', ['id', 'address', 'status'])) {
      for (const [id, address, status] of page) if (status !== '废弃') data.houses.push({ id: id as number, address: address as string | null });
      yield;
    }
    const geocoder = new ForwardGeocoder(data, resolver, { inSteps: true });
    yield* geocoder.fill(data);
    return geocoder;
  }

  /** `inSteps`: leave the work to `fill`, run by the caller. */
  constructor(data: ForwardData, resolver: PointResolver, options: { inSteps?: boolean } = {}) {
    this.resolver = resolver;
    const lat0 = firstLatitude(data);
    this.kx = Math.cos((lat0 * Math.PI) / 180) * M_PER_DEG;
    if (!options.inSteps) runToEnd(this.fill(data));
  }

  private *fill(data: ForwardData): Generator<void, void> {
    const byCode = new Map(data.areas.map((a) => [a.code, a]));
    const ancestor = (area: AdminArea, level: AdminLevel): string | null => {
      for (let a: AdminArea | undefined = area; a !== undefined; a = a.parentCode === null ? undefined : byCode.get(a.parentCode)) {
        if (a.level === level) return a.code;
      }
      return null;
    };
    for (const area of data.areas) {
      const entry = { area, districtCode: ancestor(area, 'district'), streetCode: ancestor(area, 'street'), point: interiorPoint(area.geometry) };
      push(this.areas[area.level], area.name, entry);
      if (area.level === 'street') this.streetByCode.set(area.code, entry);
    }
    this.districtNames = [...this.areas.district.keys()].join('、');
    yield;

    for (const [k, road] of data.roads.entries()) {
      const coordinates = road.geometry.coordinates;
      if (road.name === '' || coordinates.length < 2) continue;
      const [mx, my] = this.pointAlong(coordinates, this.lengthM(coordinates) / 2);
      const at = this.resolveNear(mx, my);
      const entry = this.entryFor(road.name, at.district?.code ?? '', road.kind);
      entry.lines.push(coordinates);
      entry.lineStreet.push(at.street?.code ?? null);
      if (at.street !== null) entry.streets.add(at.street.code);
      if (k % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    }
    const touched = new Set<RoadEntry>();
    for (const [k, address] of data.addresses.entries()) {
      touched.add(this.addPlate(address));
      if (k % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) yield;
    }
    for (const entry of touched) this.sortPlates(entry);
    yield;
    for (const house of data.houses) this.houseAddress.set(house.id, house.address);
    for (const poi of data.pois ?? []) this.addPoi(poi);
    yield;

    this.gazetteer = yield* AddressGazetteer.inSteps({
      districts: this.areas.district.keys(),
      streets: this.areas.street.keys(),
      communities: this.areas.community.keys(),
      roads: this.roads.keys(),
      pois: [...this.poiById.values()],
      aliases: data.aliases ?? [],
    });
  }

  private entryFor(name: string, districtCode: string, kind: Road['kind']): RoadEntry {
    const list = this.roads.get(name) ?? [];
    let entry = list.find((e) => e.districtCode === districtCode);
    if (entry === undefined) {
      entry = { name, kind, districtCode, lines: [], lineStreet: [], plates: new Map(), odd: EMPTY_SIDE, even: EMPTY_SIDE, streets: new Set(), middles: new Map() };
      list.push(entry);
      this.roads.set(name, list);
    }
    return entry;
  }

  /** Files a door plate under its road; `sortPlates` must follow before the road is searched. */
  private addPlate(address: Address): RoadEntry {
    const [x, y] = address.geometry.coordinates as [number, number];
    const at = this.resolver.resolve(x, y);
    const entry = this.entryFor(address.road, at.district?.code ?? '', 'hutong');
    if (at.street !== null) entry.streets.add(at.street.code);
    let group = entry.plates.get(address.number);
    if (group === undefined) entry.plates.set(address.number, (group = { number: address.number, plain: null, buildings: [], x, y }));
    if (address.building === null) group.plain = address;
    else group.buildings.push(address);
    this.plateRoad.set(address.id, entry);
    return entry;
  }

  private removePlate(id: number): RoadEntry | null {
    const entry = this.plateRoad.get(id);
    if (entry === undefined) return null;
    this.plateRoad.delete(id);
    for (const [number, group] of entry.plates) {
      if (group.plain?.id === id) group.plain = null;
      group.buildings = group.buildings.filter((b) => b.id !== id);
      if (group.plain === null && group.buildings.length === 0) entry.plates.delete(number);
    }
    return entry;
  }

  /** Orders a road's plates by number and side, after plates were added or removed. */
  private sortPlates(entry: RoadEntry): void {
    const groups = [...entry.plates.values()].sort((a, b) => a.number - b.number);
    for (const group of groups) {
      group.buildings.sort((a, b) => a.building! - b.building!);
      const first = group.plain ?? group.buildings[0]!;
      [group.x, group.y] = first.geometry.coordinates as [number, number];
    }
    entry.odd = side(groups.filter((g) => g.number % 2 === 1));
    entry.even = side(groups.filter((g) => g.number % 2 === 0));
    entry.middles.clear();
  }

  private addPoi(poi: Poi): void {
    const [x, y] = poi.geometry.type === 'Point' ? (poi.geometry.coordinates as [number, number]) : (interiorPoint(poi.geometry) as [number, number]);
    const at = this.resolver.resolve(x, y);
    push(this.pois, poi.name, { poi, x, y, streetCode: at.street?.code ?? null });
    this.poiById.set(poi.id, poi);
  }

  private removePoi(id: number): void {
    const poi = this.poiById.get(id);
    if (poi === undefined) return;
    this.poiById.delete(id);
    const list = (this.pois.get(poi.name) ?? []).filter((e) => e.poi.id !== id);
    if (list.length > 0) this.pois.set(poi.name, list);
    else this.pois.delete(poi.name);
    this.gazetteer.removePoi(poi.name, poi.aliases);
    // another place may share the name or an alias
    for (const other of this.poiById.values()) if (other.name === poi.name || other.aliases.some((a) => poi.aliases.includes(a))) this.gazetteer.addPoi(other.name, other.aliases);
  }

  /**
   * Takes logged changes of houses, door plates and places in place (a few milliseconds; no
   * rebuild). Returns false when a change needs a rebuild: areas, roads and aliases change the
   * gazetteer and the roads' 街道 wholesale (they come by import, not by the write API).
   * Grid and component changes touch nothing here.
   */
  applyChanges(changes: readonly StoreChange[], store: Store): boolean {
    if (changes.some((c) => c.layer === 'areas' || c.layer === 'roads' || c.layer === 'aliases')) return false;
    const touched = new Set<RoadEntry>();
    for (const change of changes) {
      if (change.layer === 'houses') {
        const house = store.getHouse(Number(change.key));
        if (house === null || house.status === '废弃') this.houseAddress.delete(Number(change.key));
        else this.houseAddress.set(house.id, house.address);
      } else if (change.layer === 'addresses') {
        const id = Number(change.key);
        const old = this.removePlate(id);
        if (old !== null) touched.add(old);
        const address = store.getAddress(id);
        if (address !== null && address.status !== '废弃') {
          touched.add(this.addPlate(address));
          this.gazetteer.addRoad(address.road);
        }
      } else if (change.layer === 'pois') {
        const id = Number(change.key);
        this.removePoi(id);
        const poi = store.getPoi(id);
        if (poi !== null) {
          this.addPoi(poi);
          this.gazetteer.addPoi(poi.name, poi.aliases);
        }
      }
    }
    for (const entry of touched) this.sortPlates(entry);
    return true;
  }

  /**
   * The areas at a point, or a metre away when it is in none: a road drawn on a district's
   * boundary belongs to the areas on either side (pip.ts gives no polygon its east and north edges).
   */
  private resolveNear(x: number, y: number): Resolution {
    return this.nudgeInside(x, y)[2];
  }

  /** The point and its areas, moved a metre into a district when it lies on none (a road on the boundary). */
  private nudgeInside(x: number, y: number): [number, number, Resolution] {
    const at = this.resolver.resolve(x, y);
    if (at.district !== null) return [x, y, at];
    const dx = 1 / this.kx;
    const dy = 1 / M_PER_DEG;
    for (const [ox, oy] of [[-dx, 0], [0, -dy], [dx, 0], [0, dy]] as const) {
      const near = this.resolver.resolve(x + ox, y + oy);
      if (near.district !== null) return [x + ox, y + oy, near];
    }
    return [x, y, at];
  }

  /**
   * Ranked candidates for an address, best first, at most `limit` (default 5); empty when nothing
   * in it is recognised or it names a place outside the loaded area. Never throws on any text.
   * @example geocoder.geocode('东城区东华门街道多福巷十二号')[0] // { level: 'door', score: 0.98, houseId: …, … }
   */
  geocode(query: string, options: { limit?: number } = {}): GeocodeResult[] {
    return this.lookup(query, options).results;
  }

  /** `geocode` with the reason an address gets no answer (outside the loaded area, nothing known). */
  lookup(query: string, { limit = 5 }: { limit?: number } = {}): GeocodeAnswer {
    if (typeof query !== 'string' || !(limit >= 1)) return { results: [], reason: 'no address given' };
    // addresses are short; a bound keeps a pasted document from costing much
    const text = query.length > 200 ? query.slice(0, 200) : query;
    let best = this.lookupText(text, limit);
    // a remark in brackets (近北新桥, 前门店, 东门) is read as part of the address too; the address
    // without it answers unless the whole reads better (王府井大街(138号): the number is inside)
    const plain = withoutRemarks(text);
    if (plain !== null && plain.trim() !== '') best = better(this.lookupText(plain, limit), best, true);
    // a name before a space or comma (簋街 东石槽胡同149号, 金宝街商圈, 东兴隆街1号: a business
    // district's or a compound's name) is no part of the road after it: what follows the separator
    // is read too, unless the whole found a door or place, or names a place outside or an area we
    // do not know (that refusal stands)
    // (at most MAX_TAILS of them, longest first: a query is bounded work, whatever its spaces)
    if (!best.refused && !foundDoorOrPlace(best.answer)) for (const tail of separatedTails(plain ?? text).slice(0, MAX_TAILS)) best = better(skipped(this.lookupText(tail, limit, false)), best, false);
    // a place named by its old name, with today's in brackets (太庙（今劳动人民文化宫）): today's is read too
    if (!best.refused && !foundDoorOrPlace(best.answer)) for (const name of sameNamesInRemarks(text).slice(0, MAX_TAILS)) best = better(skipped(this.lookupText(name, limit, false)), best, false);
    return best.answer;
  }

  /** One reading of the text; `crossings`: also as two roads meeting (the whole text's readings only). */
  private lookupText(text: string, limit: number, crossings = true): Reading {
    const parsed = parseAddress(text, this.gazetteer);
    const refused = parsed.outside !== null || parsed.unknownArea !== null;
    const crossing = refused || !crossings ? null : this.atCrossing(parsed.normalized, limit);
    return { answer: crossing ?? this.answer(parsed, limit), refused };
  }

  /**
   * `A与B交叉口` (路口, 交汇处 …): the point where two roads we hold meet — their closest approach,
   * when that is within CROSSING_GAP_M — at level road. Null when the text names no such pair.
   */
  private atCrossing(normalized: string, limit: number): GeocodeAnswer | null {
    for (const { first, second } of crossingOf(normalized)) {
      const parsed = parseNormalizedAddress(first, this.gazetteer);
      // a road name alone may read as a place of that name (a bus stop): here it is the road
      const firsts = parsed.roads.length > 0 || parsed.poi === null ? parsed.roads : this.gazetteer.roadsSpelt(parsed.poi.name);
      const seconds = this.gazetteer.roadsSpelt(second);
      if (firsts.length === 0 || parsed.number !== null || parsed.outside !== null || seconds.length === 0) continue;
      let best: { x: number; y: number; m: number; a: RoadReading; b: RoadReading } | null = null;
      for (const a of firsts) {
        for (const b of seconds) {
          if (a.name === b.name) continue;
          for (const ea of this.roads.get(a.name) ?? []) {
            for (const eb of this.roads.get(b.name) ?? []) {
              const meet = closestApproach(ea.lines, eb.lines, this.kx);
              if (meet !== null && meet.m <= CROSSING_GAP_M && (best === null || meet.m < best.m)) best = { ...meet, a, b };
            }
          }
        }
      }
      if (best === null) continue;
      const edits = [...best.a.edits, ...best.b.edits];
      const candidate = this.candidate(best.x, best.y, edits.reduce<number>((score, edit) => score * EDIT_FACTOR[edit], SCORE.crossing), 'road', best.a.name, null, edits);
      candidate.tail = `${best.a.name}与${best.b.name}交叉口`;
      return { results: this.finish([candidate], parsed, limit), reason: null };
    }
    return null;
  }

  private answer(parsed: ParsedAddress, limit: number): GeocodeAnswer {
    if (parsed.outside !== null) {
      return { results: [], reason: `the address names ${parsed.outside}, outside the loaded area (${this.districtNames})` };
    }
    const context = this.context(parsed);
    const candidates: Candidate[] = [];
    if (parsed.roads.length > 0) this.onRoads(parsed.roads, parsed, context, candidates);
    else if (parsed.poi !== null) this.onPoi(parsed.poi, context, candidates);
    if (candidates.length === 0) {
      // the road is unknown: a known road named before it, a locality, and the areas named
      if (parsed.nearRoad !== null) this.onRoads([{ name: parsed.nearRoad, edits: [] }], { ...parsed, number: null }, context, candidates, SCORE.nearRoad / SCORE.roadOnly);
      if (parsed.roadMatch === 'unknown' && context.streets === null && context.communities === null) this.onLocality(parsed.road!, context, candidates);
      this.onAreas(context, candidates);
    }
    const results = this.finish(candidates, parsed, limit);
    if (results.length > 0) return { results, reason: null };
    if (parsed.unknownArea !== null) return { results, reason: `${parsed.unknownArea} is not a 街道 or 社区 of the loaded area (${this.districtNames})` };
    if (parsed.road !== null) return { results, reason: `no road, place or area in the loaded area (${this.districtNames}) is named ${parsed.road}` };
    return { results, reason: 'nothing in the address names a place in the loaded area' };
  }

  /** The areas the address names, each level narrowed by the one above it when that is given. */
  private context(parsed: ParsedAddress): Context {
    const districts = parsed.district === null ? null : (this.areas.district.get(parsed.district) ?? null);
    const districtCodes = districts === null ? null : new Set(districts.map((d) => d.area.code));
    const narrow = (list: AreaEntry[] | undefined, parents: Set<string> | null, parentOf: (e: AreaEntry) => string | null): AreaEntry[] | null => {
      if (list === undefined) return null;
      if (parents === null) return list;
      const inside = list.filter((e) => parents.has(parentOf(e) ?? ''));
      return inside.length > 0 ? inside : list;
    };
    const streets = parsed.street === null ? null : narrow(this.areas.street.get(parsed.street), districtCodes, (e) => e.districtCode);
    const namedStreetCodes = streets === null ? null : new Set(streets.map((s) => s.area.code));
    const communities =
      parsed.community === null
        ? null
        : narrow(this.areas.community.get(parsed.community), namedStreetCodes ?? districtCodes, (e) => (namedStreetCodes !== null ? e.streetCode : e.districtCode));
    // a 社区 named alone says the 街道 too: the part of a long road to answer in
    const streetCodes = namedStreetCodes ?? (communities === null ? null : new Set(communities.map((c) => c.streetCode ?? '')));
    return { districts, districtCodes, streets, streetCodes, communities };
  }

  /**
   * Candidates on the roads the address may mean. When several roads are possible, the one
   * holding the door plate asked for wins if it is the only one; otherwise all are ambiguous.
   */
  private onRoads(readings: readonly RoadReading[], parsed: ParsedAddress, context: Context, out: Candidate[], factor = 1): void {
    // a misspelling found by search is only believable where the address says the road is
    const believable = readings.filter((r) => !r.edits.some((e) => SEARCHED.has(e)) || context.streetCodes === null || (this.roads.get(r.name) ?? []).some((e) => [...context.streetCodes!].some((code) => e.streets.has(code))));
    const found: Candidate[][] = believable.map((reading) => {
      const list: Candidate[] = [];
      this.onRoad(reading, parsed, context, list, factor);
      return list;
    });
    const withDoor = found.filter((list) => list.some((c) => c.level === 'door'));
    for (const list of found) {
      const alone = found.length === 1 || (withDoor.length === 1 && withDoor[0] === list);
      for (const c of list) {
        if (!alone) c.score *= PENALTY.ambiguous;
        out.push(c);
      }
    }
  }

  /** Candidates on one road: door plates, else a point placed along it. */
  private onRoad(reading: RoadReading, parsed: ParsedAddress, context: Context, out: Candidate[], factor: number): void {
    let entries = this.roads.get(reading.name);
    if (entries === undefined) return;
    // pieces of a road outside every district we hold (a name running on past the boundary) count only alone
    if (entries.length > 1 && entries.some((e) => e.districtCode === '')) entries = entries.filter((e) => e.districtCode !== '');
    let doorAllowed = true;
    if (context.districtCodes !== null) {
      const inside = entries.filter((e) => context.districtCodes!.has(e.districtCode));
      if (inside.length > 0) entries = inside;
      else (factor *= PENALTY.otherDistrict), (doorAllowed = false);
    }
    if (entries.length > 1) factor *= PENALTY.ambiguous;
    for (const edit of reading.edits) factor *= EDIT_FACTOR[edit];
    for (const entry of entries) {
      const before = out.length;
      if (parsed.number !== null) this.onNumber(entry, parsed, context, out);
      if (out.length === before) {
        const mouth = parsed.mouth === null ? null : this.mouthOf(entry, parsed.mouth, context.streetCodes);
        if (mouth !== null) out.push(this.candidate(mouth[0], mouth[1], SCORE.roadMouth, 'road', entry.name));
        else {
          const [x, y] = (context.streetCodes === null ? null : this.besideIn(entry, context.streetCodes)) ?? this.middle(entry, context.streetCodes);
          out.push(this.candidate(x, y, SCORE.roadOnly, 'road', entry.name));
        }
      }
      for (let k = before; k < out.length; k++) {
        const candidate = out[k]!;
        candidate.score *= factor;
        candidate.edits = [...reading.edits, ...candidate.edits];
        if (candidate.level === 'door' && !doorAllowed) {
          candidate.level = 'road';
          candidate.houseId = null;
          candidate.address = null;
          candidate.tail = entry.name;
        }
      }
    }
  }

  /** Candidates for a named place: every place of that name, those in the named 街道 first. */
  private onPoi(reading: PoiReading, context: Context, out: Candidate[]): void {
    let entries = this.pois.get(reading.name) ?? [];
    if (context.streetCodes !== null) {
      const inside = entries.filter((e) => context.streetCodes!.has(e.streetCode ?? ''));
      if (inside.length > 0) entries = inside;
    }
    let factor = entries.length > 1 ? PENALTY.ambiguous : 1;
    for (const edit of reading.edits) factor *= EDIT_FACTOR[edit];
    for (const e of entries) {
      out.push({
        x: e.x,
        y: e.y,
        score: SCORE.poi * factor,
        level: 'poi',
        houseId: null,
        address: e.poi.address,
        tail: e.poi.name,
        road: null,
        plate: null,
        poi: e.poi.name,
        alias: reading.alias,
        edits: [...reading.edits],
      });
    }
  }

  private onNumber(entry: RoadEntry, parsed: ParsedAddress, context: Context, out: Candidate[]): void {
    const number = parsed.number!;
    const group = entry.plates.get(number);
    const plateText = `${parsed.numberPrefix ?? ''}${number}号`;
    if (group !== undefined) {
      if (parsed.numberPrefix !== null) {
        out.push(this.candidate(group.x, group.y, SCORE.besidePlate, 'road', entry.name, plateText, ['number']));
        return;
      }
      const gate = `${number}号院`;
      if (parsed.building !== null) {
        const plate = group.buildings.find((b) => b.building === parsed.building);
        if (plate !== undefined) out.push(this.door(plate, SCORE.door));
        else if (group.plain !== null) out.push({ ...this.door(group.plain, SCORE.doorIgnoringBuilding), edits: ['building'] });
        else out.push({ ...this.candidate(group.x, group.y, SCORE.compoundWithoutBuilding, 'door', entry.name, gate, ['building']), tail: entry.name + gate });
      } else if (group.plain !== null) out.push(this.door(group.plain, SCORE.door));
      else out.push({ ...this.candidate(group.x, group.y, SCORE.compoundGate, 'door', entry.name, gate), tail: entry.name + gate });
      return;
    }
    let placed = this.interpolate(entry, number);
    // on a road through several 街道, the part in the 街道 the address names, when the plates' numbering puts it elsewhere
    const named = context.streetCodes;
    if (placed !== null && named !== null && [...named].some((code) => entry.streets.has(code)) && !named.has(this.resolver.resolve(placed.x, placed.y).street?.code ?? '')) {
      placed = this.nearestPlateIn(entry, number, named);
    }
    placed ??= this.alongCentreline(entry, number, named);
    if (placed !== null) out.push(this.candidate(placed.x, placed.y, placed.score, 'road', entry.name, plateText, ['number']));
  }

  /** The plate of the road in the named 街道 whose number is nearest `number`, or null when none lies there. */
  private nearestPlateIn(entry: RoadEntry, number: number, streetCodes: Set<string>): { x: number; y: number; score: number } | null {
    let best: PlateGroup | null = null;
    for (const group of entry.plates.values()) {
      if (best !== null && Math.abs(group.number - number) >= Math.abs(best.number - number)) continue;
      if (streetCodes.has(this.resolver.resolve(group.x, group.y).street?.code ?? '')) best = group;
    }
    return best === null ? null : { x: best.x, y: best.y, score: SCORE.extrapolated };
  }

  private candidate(x: number, y: number, score: number, level: MatchLevel, road: string, plate: string | null = null, edits: MatchEdit[] = []): Candidate {
    return { x, y, score, level, houseId: null, address: null, tail: road, road, plate, poi: null, alias: null, edits };
  }

  private door(plate: Address, score: number): Candidate {
    const [x, y] = plate.geometry.coordinates as [number, number];
    const address = plate.houseId === null ? null : (this.houseAddress.get(plate.houseId) ?? null);
    const text = formatDoorPlate(plate);
    return { x, y, score, level: 'door', houseId: plate.houseId, address, tail: text, road: plate.road, plate: text.slice(plate.road.length), poi: null, alias: null, edits: [] };
  }

  /** A number between plates of its side: linear by number; beyond them, the end plate moved along the road. */
  private interpolate(entry: RoadEntry, number: number): { x: number; y: number; score: number } | null {
    let side = number % 2 === 1 ? entry.odd : entry.even;
    if (side.numbers.length === 0) side = number % 2 === 1 ? entry.even : entry.odd;
    const count = side.numbers.length;
    if (count === 0) return null;
    // first index with a number above `number`
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (side.numbers[mid]! <= number) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && lo < count) {
      const a = lo - 1;
      const t = (number - side.numbers[a]!) / (side.numbers[lo]! - side.numbers[a]!);
      return { x: side.x[a]! + t * (side.x[lo]! - side.x[a]!), y: side.y[a]! + t * (side.y[lo]! - side.y[a]!), score: SCORE.interpolated };
    }
    const end = lo === 0 ? 0 : count - 1;
    let x = side.x[end]!;
    let y = side.y[end]!;
    if (count > 1) {
      // continue the plates' spacing beyond the end, at most as far again as they reach
      const other = lo === 0 ? count - 1 : 0;
      const t = Math.max(-1, (number - side.numbers[end]!) / (side.numbers[other]! - side.numbers[end]!));
      x += t * (side.x[other]! - x);
      y += t * (side.y[other]! - y);
    }
    // then onto the road
    if (entry.lines.length > 0) [x, y] = this.nearestOnLines(entry.lines, x, y);
    return { x, y, score: SCORE.extrapolated };
  }

  /**
   * A number on a road without plates. How far along the road a number lies depends on plate
   * spacing we do not know, so it goes to the length-weighted middle (of the named 街道's part of
   * the road); the numbering rule does tell the side: DB11 门牌、楼牌设置规范 puts odd numbers on
   * the north side of east–west roads and the west side of north–south ones. The named 街道 wins
   * over the rule when the two disagree.
   */
  private alongCentreline(entry: RoadEntry, number: number, streetCodes: Set<string> | null): { x: number; y: number; score: number } | null {
    if (entry.lines.length === 0) return null;
    const beside = streetCodes === null ? null : this.besideIn(entry, streetCodes);
    if (beside !== null) return { x: beside[0], y: beside[1], score: SCORE.centreline };
    const middle = this.middle(entry, streetCodes);
    const lines = this.linesIn(entry, streetCodes);
    const fits = ([x, y]: [number, number]): boolean => {
      const at = this.resolver.resolve(x, y);
      return at.district !== null && (streetCodes === null || streetCodes.has(at.street?.code ?? ''));
    };
    // the rule's side, unless it leaves the named 街道 or (on a boundary road) every district; on
    // a road between two 街道 the named one's side says more than the rule
    const ruled = this.toSide(lines, middle, number % 2 === 1, SIDE_OFFSET_M[entry.kind]);
    if (fits(ruled)) return { x: ruled[0], y: ruled[1], score: SCORE.centreline };
    const other = this.toSide(lines, middle, number % 2 === 0, SIDE_OFFSET_M[entry.kind]);
    if (streetCodes !== null && fits(other)) return { x: other[0], y: other[1], score: SCORE.centreline };
    return { x: middle[0], y: middle[1], score: SCORE.centreline };
  }

  /**
   * Moves a point on a road to the side where a number's plates are: odd north of east–west
   * stretches and west of north–south ones. The stretch's direction is that of the road within
   * DIRECTION_REACH_M of the point, weighted by length: a road's pieces jog at crossings, and the
   * piece nearest the point may run across the road's course.
   */
  private toSide(lines: Position[][], point: [number, number], odd: boolean, offsetM: number): [number, number] {
    const [x, y] = point;
    let alongX = 0;
    let alongY = 0;
    let bestD = Infinity;
    let nearestEastWest = true;
    for (const line of lines) {
      for (let k = 1; k < line.length; k++) {
        const a = line[k - 1]!;
        const b = line[k]!;
        const dx = Math.abs((b[0]! - a[0]!) * this.kx);
        const dy = Math.abs((b[1]! - a[1]!) * M_PER_DEG);
        const d = distanceToSegment2((a[0]! - x) * this.kx, (a[1]! - y) * M_PER_DEG, (b[0]! - x) * this.kx, (b[1]! - y) * M_PER_DEG);
        if (d < bestD) (bestD = d), (nearestEastWest = dx >= dy);
        if (d <= DIRECTION_REACH_M * DIRECTION_REACH_M) (alongX += dx), (alongY += dy);
      }
    }
    const eastWest = alongX + alongY > 0 ? alongX >= alongY : nearestEastWest;
    // a road drawn as two carriageways has its doors beyond the outer one
    const sign = eastWest === odd ? 1 : -1;
    const beyond = outerCrossingM(lines, x, y, eastWest, sign, this.kx);
    if (eastWest) return [x, y + (sign * (beyond + offsetM)) / M_PER_DEG];
    return [x + (sign * (beyond + offsetM)) / this.kx, y];
  }

  /**
   * The end of a road an address names (干面胡同西口: its west end): the point of its lines
   * farthest that way, when the road runs that way (its extent along that axis at least half
   * the other's); null for a road running across it (东口 of a north–south lane says little).
   */
  private mouthOf(entry: RoadEntry, mouth: NonNullable<ParsedAddress['mouth']>, streetCodes: Set<string> | null): [number, number] | null {
    const lines = this.linesIn(entry, streetCodes);
    const eastWest = mouth === '东' || mouth === '西';
    const sign = mouth === '东' || mouth === '北' ? 1 : -1;
    let best: Position | null = null;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const line of lines) {
      for (const p of line) {
        const [x, y] = p as [number, number];
        (minX = Math.min(minX, x)), (maxX = Math.max(maxX, x)), (minY = Math.min(minY, y)), (maxY = Math.max(maxY, y));
        if (best === null || sign * ((eastWest ? x : y) - (eastWest ? best[0]! : best[1]!)) > 0) best = p;
      }
    }
    if (best === null) return null;
    const along = eastWest ? (maxX - minX) * this.kx : (maxY - minY) * M_PER_DEG;
    const across = eastWest ? (maxY - minY) * M_PER_DEG : (maxX - minX) * this.kx;
    return along >= across / 2 ? [best[0]!, best[1]!] : null;
  }

  /**
   * A point beside a road in a named 街道 that none of its lines lies in: a road along the
   * boundary, named from the other side (朝阳门街道干面胡同49号, 干面胡同 drawn in 建国门街道). Points
   * a door line away from each vertex, on either side (and BESIDE_REACH_M, where a boundary is
   * drawn off the centreline), are tried; the one in the named 街道 nearest the road's middle
   * wins. Null when the road has a line in the named 街道 (linesIn takes those) or none is beside it.
   */
  private besideIn(entry: RoadEntry, streetCodes: Set<string>): [number, number] | null {
    if (entry.lineStreet.some((code) => streetCodes.has(code ?? ''))) return null;
    const [mx, my] = this.middle(entry, null);
    let best: [number, number] | null = null;
    let bestD = Infinity;
    for (const line of entry.lines) {
      for (let k = 0; k < line.length; k++) {
        const a = line[Math.max(0, k - 1)]!;
        const b = line[Math.min(line.length - 1, k + 1)]!;
        const dx = (b[0]! - a[0]!) * this.kx;
        const dy = (b[1]! - a[1]!) * M_PER_DEG;
        const length = Math.hypot(dx, dy);
        if (length === 0) continue;
        for (const offset of [SIDE_OFFSET_M[entry.kind], BESIDE_REACH_M]) {
          for (const side of [1, -1]) {
            const x = line[k]![0]! + (side * -dy * offset) / length / this.kx;
            const y = line[k]![1]! + (side * dx * offset) / length / M_PER_DEG;
            const d = ((x - mx) * this.kx) ** 2 + ((y - my) * M_PER_DEG) ** 2;
            if (d < bestD && streetCodes.has(this.resolver.resolve(x, y).street?.code ?? '')) (best = [x, y]), (bestD = d);
          }
        }
      }
    }
    return best;
  }

  /** The lines of a road inside the given 街道, or all of them when none is. */
  private linesIn(entry: RoadEntry, streetCodes: Set<string> | null): Position[][] {
    if (streetCodes === null) return entry.lines;
    const inside = entry.lines.filter((_, k) => streetCodes.has(entry.lineStreet[k] ?? ''));
    return inside.length > 0 ? inside : entry.lines;
  }

  /** The length-weighted middle of a road (within the named 街道 when it holds part of it), on the road. */
  private middle(entry: RoadEntry, streetCodes: Set<string> | null): [number, number] {
    const key = streetCodes === null ? '' : [...streetCodes].join(',');
    let middle = entry.middles.get(key);
    if (middle !== undefined) return middle;
    if (entry.lines.length === 0) {
      // plates only: the middle plate
      const groups = [...entry.plates.values()];
      const g = groups[Math.floor(groups.length / 2)]!;
      middle = [g.x, g.y];
    } else {
      const lines = this.linesIn(entry, streetCodes);
      if (lines.length === 1) middle = this.pointAlong(lines[0]!, this.lengthM(lines[0]!) / 2);
      else {
        let sx = 0;
        let sy = 0;
        let sw = 0;
        for (const line of lines) {
          for (let k = 1; k < line.length; k++) {
            const a = line[k - 1]!;
            const b = line[k]!;
            const w = this.distanceM(a, b);
            sx += ((a[0]! + b[0]!) / 2) * w;
            sy += ((a[1]! + b[1]!) / 2) * w;
            sw += w;
          }
        }
        const first = lines[0]![0]!;
        middle = sw > 0 ? this.nearestOnLines(lines, sx / sw, sy / sw) : [first[0]!, first[1]!];
      }
    }
    entry.middles.set(key, middle);
    return middle;
  }

  /**
   * An unknown name sharing its start with known roads (和平里五区: 和平里北街, 和平里东街, …)
   * names a locality; when all those roads lie in one 街道, that 街道 is the answer.
   */
  private onLocality(text: string, context: Context, out: Candidate[]): void {
    const names = this.gazetteer.roadsSharingStart(text);
    if (names.length === 0) return;
    let street: string | null = null;
    for (const name of names) {
      for (const entry of this.roads.get(name) ?? []) {
        if (context.districtCodes !== null && !context.districtCodes.has(entry.districtCode)) continue;
        if (entry.districtCode === '') continue;
        for (const code of entry.streets) {
          if (street !== null && street !== code) return;
          street = code;
        }
      }
    }
    if (street === null) return;
    const area = this.streetByCode.get(street);
    if (area !== undefined) out.push(areaCandidate(area, SCORE.locality, 'street'));
  }

  /** Community, street and district fallbacks, most precise first. */
  private onAreas(context: Context, out: Candidate[]): void {
    const add = (list: AreaEntry[] | null, level: 'community' | 'street' | 'district'): boolean => {
      if (list === null || list.length === 0) return false;
      const factor = list.length > 1 ? PENALTY.ambiguous : 1;
      for (const entry of list) out.push(areaCandidate(entry, SCORE[level] * factor, level));
      return true;
    };
    add(context.communities, 'community');
    add(context.streets, 'street');
    add(context.districts, 'district');
  }

  private finish(candidates: Candidate[], parsed: ParsedAddress, limit: number): GeocodeResult[] {
    const results: GeocodeResult[] = [];
    const aliasEdits: MatchEdit[] = parsed.aliases.length > 0 ? ['alias'] : [];
    for (const c of candidates) {
      const [lng, lat, at] = this.nudgeInside(c.x, c.y);
      let score = c.score;
      const edits = [...aliasEdits, ...c.edits];
      for (const edit of aliasEdits) score *= EDIT_FACTOR[edit];
      if (c.level === 'door' || c.level === 'road' || c.level === 'poi') {
        // a place outside every area we hold is outside the one named too (天安门西, a station over the boundary)
        if (parsed.district !== null && at.district?.name !== parsed.district) score *= PENALTY.otherDistrict;
        if (parsed.street !== null && at.street?.name !== parsed.street) (score *= EDIT_FACTOR.street), edits.push('street');
        if (parsed.community !== null && at.community?.name !== parsed.community) (score *= EDIT_FACTOR.community), edits.push('community');
      }
      results.push({
        address: c.address ?? prefix(at, c.level) + c.tail,
        lng,
        lat,
        score: Math.round(score * 1000) / 1000,
        level: c.level,
        houseId: c.houseId,
        district: at.district,
        street: at.street,
        community: at.community,
        unitGrid: at.unitGrid,
        socialGrid: at.socialGrid,
        matched: { road: c.road, number: c.plate, poi: c.poi, alias: c.alias ?? parsed.aliases[0] ?? null, edits },
      });
    }
    // stable: equal scores keep the order found
    results.sort((a, b) => b.score - a.score);
    if (results.length > limit) results.length = limit;
    return results;
  }

  private lengthM(line: Position[]): number {
    let length = 0;
    for (let k = 1; k < line.length; k++) length += this.distanceM(line[k - 1]!, line[k]!);
    return length;
  }

  private distanceM(a: Position, b: Position): number {
    return Math.hypot((b[0]! - a[0]!) * this.kx, (b[1]! - a[1]!) * M_PER_DEG);
  }

  private pointAlong(line: Position[], atM: number): [number, number] {
    let left = atM;
    for (let k = 1; k < line.length; k++) {
      const a = line[k - 1]!;
      const b = line[k]!;
      const d = this.distanceM(a, b);
      if (left <= d && d > 0) {
        const t = left / d;
        return [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)];
      }
      left -= d;
    }
    const end = line[line.length - 1]!;
    return [end[0]!, end[1]!];
  }

  private nearestOnLines(lines: Position[][], x: number, y: number): [number, number] {
    let best: [number, number] = [x, y];
    let bestD = Infinity;
    for (const line of lines) {
      for (let k = 1; k < line.length; k++) {
        const a = line[k - 1]!;
        const b = line[k]!;
        const ax = (a[0]! - x) * this.kx;
        const ay = (a[1]! - y) * M_PER_DEG;
        const bx = (b[0]! - x) * this.kx;
        const by = (b[1]! - y) * M_PER_DEG;
        const t = closestOnSegment(ax, ay, bx, by);
        const px = ax + t * (bx - ax);
        const py = ay + t * (by - ay);
        const d = px * px + py * py;
        if (d < bestD) {
          bestD = d;
          best = [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)];
        }
      }
    }
    return best;
  }
}

interface Context {
  districts: AreaEntry[] | null;
  districtCodes: Set<string> | null;
  streets: AreaEntry[] | null;
  streetCodes: Set<string> | null;
  communities: AreaEntry[] | null;
}

/** Where on the segment a–b (0 at a, 1 at b) the point nearest the origin lies. */
function closestOnSegment(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
}

/** Two roads this close (m) meet: a crossing drawn with a gap, or centrelines of wide roads ending short of each other. */
const CROSSING_GAP_M = 60;

/** Where two roads come closest (the middle of the closest points) and how far apart they are there (m); null without lines. */
function closestApproach(a: Position[][], b: Position[][], kx: number): { x: number; y: number; m: number } | null {
  let best: { x: number; y: number; m: number } | null = null;
  for (const la of a) {
    for (let i = 1; i < la.length; i++) {
      for (const lb of b) {
        for (let j = 1; j < lb.length; j++) {
          const meet = segmentsClosest(la[i - 1]!, la[i]!, lb[j - 1]!, lb[j]!, kx);
          if (best === null || meet.m < best.m) best = meet;
        }
      }
    }
  }
  return best;
}

/** The closest points of segments p–q and r–s (their crossing when they cross), as one middle point and the gap (m). */
function segmentsClosest(p: Position, q: Position, r: Position, s: Position, kx: number): { x: number; y: number; m: number } {
  // metres from p, so both axes weigh alike
  const X = (v: Position) => (v[0]! - p[0]!) * kx;
  const Y = (v: Position) => (v[1]! - p[1]!) * M_PER_DEG;
  const [qx, qy, rx, ry, sx, sy] = [X(q), Y(q), X(r), Y(r), X(s), Y(s)];
  const cross = (ax: number, ay: number, bx: number, by: number) => ax * by - ay * bx;
  const d = cross(qx, qy, sx - rx, sy - ry);
  if (d !== 0) {
    const t = cross(rx, ry, sx - rx, sy - ry) / d;
    const u = cross(rx, ry, qx, qy) / d;
    if (t >= 0 && t <= 1 && u >= 0 && u <= 1) return { x: p[0]! + (t * qx) / kx, y: p[1]! + (t * qy) / M_PER_DEG, m: 0 };
  }
  // no crossing: the nearest of the four ends to the other segment
  let best = { x: 0, y: 0, m: Infinity };
  const consider = (ox: number, oy: number, ax: number, ay: number, bx: number, by: number) => {
    const t = closestOnSegment(ax - ox, ay - oy, bx - ox, by - oy);
    const cx = ax + t * (bx - ax);
    const cy = ay + t * (by - ay);
    const m = Math.hypot(cx - ox, cy - oy);
    if (m < best.m) best = { x: (cx + ox) / 2, y: (cy + oy) / 2, m };
  };
  consider(0, 0, rx, ry, sx, sy);
  consider(qx, qy, rx, ry, sx, sy);
  consider(rx, ry, 0, 0, qx, qy);
  consider(sx, sy, 0, 0, qx, qy);
  return { x: p[0]! + best.x / kx, y: p[1]! + best.y / M_PER_DEG, m: best.m };
}

/** The widest gap between two carriageways of one road (a dual carriageway's median and lanes). */
const CARRIAGEWAY_GAP_M = 80;

/**
 * How far (m) from (x, y) the farthest line of the road crosses the ray going north (eastWest,
 * sign 1) or south (-1), or west (!eastWest, sign -1) or east (1), within CARRIAGEWAY_GAP_M; 0 when none.
 */
function outerCrossingM(lines: Position[][], x: number, y: number, eastWest: boolean, sign: number, kx: number): number {
  let farthest = 0;
  for (const line of lines) {
    for (let k = 1; k < line.length; k++) {
      // the ray runs along one axis: the crossing is where the segment passes the point's other coordinate
      const [a0, a1, b0, b1] = eastWest ? [line[k - 1]![0]!, line[k - 1]![1]!, line[k]![0]!, line[k]![1]!] : [line[k - 1]![1]!, line[k - 1]![0]!, line[k]![1]!, line[k]![0]!];
      const across = eastWest ? x : y;
      if ((a0 - across) * (b0 - across) > 0 || a0 === b0) continue;
      const at = a1 + ((across - a0) / (b0 - a0)) * (b1 - a1);
      const m = (at - (eastWest ? y : x)) * sign * (eastWest ? M_PER_DEG : kx);
      if (m > farthest && m <= CARRIAGEWAY_GAP_M) farthest = m;
    }
  }
  return farthest;
}

/** Squared distance from the origin to the segment a–b. */
function distanceToSegment2(ax: number, ay: number, bx: number, by: number): number {
  const t = closestOnSegment(ax, ay, bx, by);
  const px = ax + t * (bx - ax);
  const py = ay + t * (by - ay);
  return px * px + py * py;
}

function areaCandidate(entry: AreaEntry, score: number, level: MatchLevel): Candidate {
  return { x: entry.point[0]!, y: entry.point[1]!, score, level, houseId: null, address: null, tail: '', road: null, plate: null, poi: null, alias: null, edits: [] };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function side(groups: PlateGroup[]): Side {
  return {
    numbers: Int32Array.from(groups, (g) => g.number),
    x: Float64Array.from(groups, (g) => g.x),
    y: Float64Array.from(groups, (g) => g.y),
  };
}

function firstLatitude(data: ForwardData): number {
  const road = data.roads[0]?.geometry.coordinates[0];
  if (road !== undefined) return road[1]!;
  const address = data.addresses[0]?.geometry.coordinates;
  if (address !== undefined) return address[1]!;
  const area = data.areas[0]?.geometry;
  if (area === undefined) return 0;
  return (area.type === 'Polygon' ? area.coordinates[0]![0]! : area.coordinates[0]![0]![0]!)[1]!;
}

/** The province before a district's name: 北京市 for Beijing district codes (11xxxx). */
function prefix(at: Resolution, level: MatchLevel): string {
  let text = at.district?.code.startsWith('11') ? '北京市' : '';
  text += at.district?.name ?? '';
  if (level !== 'district') text += at.street?.name ?? '';
  if (level !== 'district' && level !== 'street') text += at.community?.name ?? '';
  return text;
}

/** Retired (废弃) houses and door plates stay in the store for the record but are not found any more. */
export function inUse<T extends { status: string }>(records: Iterable<T>): T[] {
  return [...records].filter((r) => r.status !== '废弃');
}

/** One reading of a query: its answer, and whether the address itself says it is not here. */
interface Reading {
  answer: GeocodeAnswer;
  refused: boolean;
}

/** A reading of the text after a separator: what came before it was not understood, and is named and paid for (`skipped`). */
function skipped(reading: Reading): Reading {
  for (const result of reading.answer.results) {
    result.score = Math.round(result.score * EDIT_FACTOR.skipped * 1000) / 1000;
    result.matched.edits.push('skipped');
  }
  return reading;
}

/** The better of two readings: more precise by score; a tie goes to `a` when `aOnTie`. */
function better(a: Reading, b: Reading, aOnTie: boolean): Reading {
  const sa = a.answer.results[0]?.score ?? -1;
  const sb = b.answer.results[0]?.score ?? -1;
  return sa > sb || (aOnTie && sa >= 0 && sa === sb) ? a : b;
}

function foundDoorOrPlace(answer: GeocodeAnswer): boolean {
  const level = answer.results[0]?.level;
  return level === 'door' || level === 'poi';
}
