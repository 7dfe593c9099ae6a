import type { NamedCode, Resolution } from './reverse.js';

/** How precisely an address was placed, best first. */
export type MatchLevel = 'door' | 'poi' | 'road' | 'community' | 'street' | 'district';

/**
 * A relaxation the matcher applied to read the query; each lowers the score by a documented
 * factor (README, "Forward geocoding: scores"):
 * - `alias`: a former or colloquial name read as today's (崇文区 → 东城区)
 * - `ordinal`: a series number written in another numeral form (东四10条 → 东四十条)
 * - `suffix`: a generic ending added, dropped or exchanged (大街 ↔ 街, 胡同 dropped, 路 ↔ 道)
 * - `abbreviation`: a usual short form (安外大街 → 安定门外大街)
 * - `gateSide`: the side of the gate (内 / 外) written where the road's name leaves it out (朝内南小街 → 朝阳门南小街)
 * - `homophone`: one character spelt with another of the same reading (园 → 圆)
 * - `skipped`: text before a space or comma that names nothing known was left out (簋街 东石槽胡同149号)
 * - `missing` / `extra`: one character fewer / more than the name
 * - `number`: the door number is not on the road: placed by interpolation along it
 * - `building`: the building asked for is not in the compound
 * - `street` / `community`: the place found lies outside the 街道 / 社区 the query names
 */
export const MATCH_EDITS = ['alias', 'ordinal', 'suffix', 'abbreviation', 'gateSide', 'homophone', 'skipped', 'missing', 'extra', 'number', 'building', 'street', 'community'] as const;
export type MatchEdit = (typeof MATCH_EDITS)[number];

/** What in the query the answer rests on. */
export interface MatchExplanation {
  /** the stored road name the query was read as, else null */
  road: string | null;
  /** the door plate matched (12号, 甲12号, 3号院2号楼), else null */
  number: string | null;
  /** the place name matched, else null */
  poi: string | null;
  /** the alias read as a canonical name (崇文区 → 东城区), else null */
  alias: string | null;
  /** the relaxations applied, in the order met */
  edits: MatchEdit[];
}

/** One forward-geocoding candidate, as `GET /v1/geocode` returns it. */
export interface GeocodeResult {
  /** the canonical address of the place found, e.g. 北京市东城区东华门街道多福巷社区多福巷12号 */
  address: string;
  lng: number;
  lat: number;
  /** 0–1: how sure the match is; door-level exact matches score highest (README: calibration) */
  score: number;
  level: MatchLevel;
  /** the house behind a door-level match, else null */
  houseId: number | null;
  district: NamedCode | null;
  street: NamedCode | null;
  community: NamedCode | null;
  unitGrid: Resolution['unitGrid'];
  socialGrid: Resolution['socialGrid'];
  matched: MatchExplanation;
}

/** A forward lookup: ranked results, and why there are none when the query is refused. */
export interface GeocodeAnswer {
  results: GeocodeResult[];
  /** set when results is empty: the query names a place outside the loaded area, or nothing in it is known */
  reason: string | null;
}
