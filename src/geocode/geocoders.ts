import type { Store } from '../store/store.js';
import type { GeocodeResult } from './geocode-result.js';
import { NearestAddress } from './nearest-address.js';
import { ReverseGeocoder } from './reverse.js';

/** The in-memory indexes the geocoding endpoints and batch commands answer from. */
export interface Geocoders {
  reverse: ReverseGeocoder;
  nearestAddress: NearestAddress;
  /** null until the forward index is built (forward.ts) */
  forward: { geocode(query: string, options?: { limit?: number }): GeocodeResult[] } | null;
}

/** Builds every geocoding index from the store (about a second for the default district). */
export function loadGeocoders(store: Store): Geocoders {
  const reverse = ReverseGeocoder.fromStore(store);
  return { reverse, nearestAddress: new NearestAddress([...store.iterate('addresses')]), forward: null };
}
