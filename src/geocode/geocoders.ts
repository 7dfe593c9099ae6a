import type { Grid } from '../model.js';
import type { StoreChange } from '../store/changes.js';
import { gridRows } from '../store/rows.js';
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
 * Geocoders a running server keeps up to date. `applyChanges` takes a batch of logged changes
 * in place, so a write through the API costs milliseconds, not a rebuild:
 * - grids (a redraw, a new version): the reverse geocoder relabels just the raster cells the
 *   old and new shapes cover (reverse.ts `putVersions`), ~1 ms;
 * - houses, door plates, places: the forward index (forward.ts `applyChanges`), the nearest door
 *   plate (masked tree + small cells) and autocomplete change in place, well under a millisecond;
 * - areas, roads, aliases — which only imports change — rebuild what they touch: the reverse
 *   geocoder on areas (~0.6 s for the default district), the forward index (~0.3 s). Each
 *   rebuild swaps in whole, so a request never sees a half-built index.
 * Components touch none of them.
 */
export class LiveGeocoders implements Geocoders {
  private current: Geocoders;
  /** what the forward index resolves points with: whatever reverse geocoder is current */
  private readonly resolver = { resolve: (lng: number, lat: number) => this.current.reverse.resolve(lng, lat) };

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
    const layers = new Set(changes.map((c) => c.layer));
    const { store } = this;
    let { reverse, forward, nearestAddress } = this.current;
    // areas first: everything else places points in them
    if (layers.has('areas')) reverse = ReverseGeocoder.fromStore(store);
    else if (layers.has('grids')) reverse.putVersions(gridVersionsOf(changes));
    for (const change of changes) if (change.layer === 'addresses') nearestAddress.put(Number(change.key), store.getAddress(Number(change.key)));
    if (reverse !== this.current.reverse || !forward.applyChanges(changes, store)) forward = ForwardGeocoder.fromStore(store, this.resolver);
    this.current = { ...this.current, reverse, forward, nearestAddress };
    // in place, a few ms for a write; context (street, community) is looked up in the current areas
    this.current.autocomplete.applyChanges(changes, store, (lng, lat) => this.reverse.resolve(lng, lat));
  }
}

/** The grid versions a batch of changes wrote, in order: a new version, and the one it closed. */
function gridVersionsOf(changes: readonly StoreChange[]): Grid[] {
  const versions: Grid[] = [];
  for (const change of changes) {
    if (change.layer !== 'grids') continue;
    for (const row of [change.before, change.after]) if (row !== null) versions.push(gridRows.fromRow({ ...row, geometry: JSON.stringify(row.geometry) }));
  }
  return versions;
}
