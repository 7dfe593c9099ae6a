import type { StoreChange } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { AutocompleteIndex } from './autocomplete.js';
import { ForwardGeocoder, inUse } from './forward.js';
import { NearestAddress } from './nearest-address.js';
import { ReverseGeocoder } from './reverse.js';

/** The in-memory indexes the geocoding endpoints and batch commands answer from. */
export interface Geocoders {
  reverse: ReverseGeocoder;
  nearestAddress: NearestAddress;
  forward: ForwardGeocoder;
  /** type-ahead suggestions (autocomplete.ts) */
  autocomplete: AutocompleteIndex;
}

/** Builds every geocoding index from the store (about a second for the default district). */
export function loadGeocoders(store: Store): Geocoders {
  const reverse = ReverseGeocoder.fromStore(store);
  return {
    reverse,
    nearestAddress: nearestAddressOf(store),
    forward: ForwardGeocoder.fromStore(store, reverse),
    autocomplete: AutocompleteIndex.fromStore(store, (lng, lat) => reverse.resolve(lng, lat)),
  };
}

function nearestAddressOf(store: Store): NearestAddress {
  return new NearestAddress(inUse(store.iterate('addresses')));
}

/**
 * Geocoders a running server keeps up to date: `applyChanges` rebuilds just the indexes a batch
 * of logged changes touches — areas and grids the reverse geocoder (and the forward one, which
 * places addresses with it), houses, door plates and roads the forward index and the nearest
 * door plate. Each rebuild swaps in whole, so a request never sees a half-built index.
 * Components touch none of them. Rebuild times for the default district: reverse ~0.6 s,
 * forward ~0.3 s, nearest door plate ~0.1 s.
 */
export class LiveGeocoders implements Geocoders {
  private current: Geocoders;

  constructor(
    private readonly store: Store,
    initial: Geocoders = loadGeocoders(store),
  ) {
    this.current = initial;
  }

  get reverse(): ReverseGeocoder {
    return this.current.reverse;
  }

  get nearestAddress(): NearestAddress {
    return this.current.nearestAddress;
  }

  get forward(): ForwardGeocoder {
    return this.current.forward;
  }

  get autocomplete(): AutocompleteIndex {
    return this.current.autocomplete;
  }

  applyChanges(changes: readonly StoreChange[]): void {
    // in place, a few ms for a write; context (street, community) is looked up in the current areas
    this.current.autocomplete.applyChanges(changes, this.store, (lng, lat) => this.reverse.resolve(lng, lat));
    const layers = new Set(changes.map((c) => c.layer));
    const regions = layers.has('areas') || layers.has('grids');
    if (!regions && !layers.has('houses') && !layers.has('addresses') && !layers.has('roads')) return;
    const reverse = regions ? ReverseGeocoder.fromStore(this.store) : this.current.reverse;
    this.current = {
      reverse,
      forward: ForwardGeocoder.fromStore(this.store, reverse),
      nearestAddress: layers.has('addresses') ? nearestAddressOf(this.store) : this.current.nearestAddress,
      autocomplete: this.current.autocomplete,
    };
  }
}
