import type { Store } from '../store/store.js';
import { ForwardGeocoder } from './forward.js';
import { NearestAddress } from './nearest-address.js';
import { ReverseGeocoder } from './reverse.js';

/** The in-memory indexes the geocoding endpoints and batch commands answer from. */
export interface Geocoders {
  reverse: ReverseGeocoder;
  nearestAddress: NearestAddress;
  forward: ForwardGeocoder;
}

/** Builds every geocoding index from the store (about a second for the default district). */
export function loadGeocoders(store: Store): Geocoders {
  const reverse = ReverseGeocoder.fromStore(store);
  return { reverse, nearestAddress: new NearestAddress([...store.iterate('addresses')]), forward: ForwardGeocoder.fromStore(store, reverse) };
}
