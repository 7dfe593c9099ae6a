import type { NamedCode, Resolution } from './reverse.js';

/** How precisely an address was placed, best first. */
export type MatchLevel = 'door' | 'road' | 'community' | 'street' | 'district';

/** One forward-geocoding candidate, as `GET /v1/geocode` returns it. */
export interface GeocodeResult {
  /** the canonical address of the place found, e.g. 北京市东城区东华门街道多福巷社区多福巷12号 */
  address: string;
  lng: number;
  lat: number;
  /** 0–1: how sure the match is; door-level exact matches score highest */
  score: number;
  level: MatchLevel;
  /** the house behind a door-level match, else null */
  houseId: number | null;
  district: NamedCode | null;
  street: NamedCode | null;
  community: NamedCode | null;
  unitGrid: Resolution['unitGrid'];
  socialGrid: Resolution['socialGrid'];
}
