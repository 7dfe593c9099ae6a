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

/** Grid versions in one batch beyond which the reverse geocoder is rebuilt in slices rather than changed in place (an import). */
const MAX_GRIDS_IN_PLACE = 64;

/** Longest stretch (ms) a rebuild keeps the event loop before requests waiting get their turn. */
const REBUILD_SLICE_MS = 8;

/** How a rebuild of the reverse geocoder went: how long, and how long it held the event loop at most. */
export interface RebuildReport {
  totalMs: number;
  slices: number;
  longestSliceMs: number;
}

/**
 * Geocoders a running server keeps up to date. `applyChanges` takes a batch of logged changes
 * in place, so a write through the API costs milliseconds, not a rebuild:
 * - grids (a redraw, a new version): the reverse geocoder relabels just the raster cells where
 *   the old and new shapes differ (reverse.ts `putVersions`), well under a millisecond;
 * - houses, door plates, places: the forward index (forward.ts `applyChanges`), the nearest door
 *   plate (masked tree + small cells) and autocomplete change in place, well under a millisecond.
 * Areas, roads and aliases, which only imports change, need rebuilds:
 * - areas, or an import of more than MAX_GRIDS_IN_PLACE grid versions at once: a new
 *   reverse geocoder is built in slices of at most ~8 ms between which requests are
 *   answered (from the old one, kept up to date meanwhile), then swapped in with the grid versions
 *   written since it read the store; then the forward index is rebuilt against it. An import
 *   of areas shows in `/v1/reverse` a second or two later on the default district instead of
 *   blocking the server for that long;
 * - roads, aliases: the forward index is rebuilt (~1 s of work), in slices too; the door plates,
 *   houses and places written meanwhile go into the old index at once and into the new one when
 *   it is swapped in.
 * Each rebuild swaps in whole, so a request never sees a half-built index. Components touch none.
 */
export class LiveGeocoders implements Geocoders {
  private current: Geocoders;
  /** what the forward index resolves points with: whatever reverse geocoder is current */
  private readonly resolver = { resolve: (lng: number, lat: number) => this.current.reverse.resolve(lng, lat) };
  /** a reverse geocoder being built after areas changed, and the grid versions written since it read the store */
  private rebuild: { steps: Generator<void, ReverseGeocoder>; grids: Grid[]; started: number; slices: number; longestMs: number } | null = null;
  /** the forward index being rebuilt after roads, aliases or areas changed, and the changes to apply to it once built */
  private forwardRebuild: { steps: Generator<void, ForwardGeocoder>; changes: StoreChange[] } | null = null;
  private readonly waiting: (() => void)[] = [];
  /** the last rebuild of the reverse geocoder that finished, or null */
  lastRebuild: RebuildReport | null = null;

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
    const { store } = this;
    const areas = changes.some((c) => c.layer === 'areas');
    // grids go in place, but an import of many is cheaper as a sliced rebuild; writes through the
    // API go in place always, so they show when their response does
    const imported = changes.filter((c) => c.layer === 'grids' && c.actor === 'import').length;
    const large = imported * 2 > MAX_GRIDS_IN_PLACE;
    const grids = gridVersionsOf(large ? changes.filter((c) => c.actor !== 'import') : changes);
    if (grids.length > 0) {
      this.current.reverse.putVersions(grids);
      this.rebuild?.grids.push(...grids);
    }
    // a rebuild reads the store as it is now, this batch included
    if (areas || large) this.startRebuild();
    for (const change of changes) if (change.layer === 'addresses') this.current.nearestAddress.put(Number(change.key), store.getAddress(Number(change.key)));
    // areas reach the forward index when the new reverse geocoder does (it is rebuilt then)
    const rest = areas ? changes.filter((c) => c.layer !== 'areas') : changes;
    // in place; roads and aliases need a rebuild, in slices, while the current index answers
    if (!this.current.forward.applyChanges(rest, store)) this.startForwardRebuild();
    else this.forwardRebuild?.changes.push(...rest);
    // in place, a few ms for a write; context (street, community) is looked up in the current areas
    this.current.autocomplete.applyChanges(changes, store, (lng, lat) => this.reverse.resolve(lng, lat));
  }

  /** Resolves once no rebuild is running (at once when none is). */
  settled(): Promise<void> {
    return this.rebuild === null && this.forwardRebuild === null ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Drops the rebuilds in progress (the server is stopping). */
  stop(): void {
    this.rebuild = null;
    this.forwardRebuild = null;
    this.wake();
  }

  private wake(): void {
    if (this.rebuild === null && this.forwardRebuild === null) for (const done of this.waiting.splice(0)) done();
  }

  /**
   * Starts building the forward index again, in slices (a running one starts over: it read the
   * roads and aliases before this change). Its first step reads them now; door plates, houses
   * and places written from then on are applied to it when it is done.
   */
  private startForwardRebuild(): void {
    const steps = ForwardGeocoder.inSteps(this.store, this.resolver);
    steps.next();
    const running = this.forwardRebuild !== null;
    this.forwardRebuild = { steps, changes: [] };
    if (!running) setImmediate(this.forwardSlice);
  }

  /** One slice of the forward rebuild; once built, the changes since it started go in and it is swapped in. */
  private readonly forwardSlice = (): void => {
    const job = this.forwardRebuild;
    if (job === null) return;
    const from = performance.now();
    let step = job.steps.next();
    while (!step.done && performance.now() - from < REBUILD_SLICE_MS) step = job.steps.next();
    if (!step.done) {
      setImmediate(this.forwardSlice);
      return;
    }
    const forward = step.value;
    // changes of roads or aliases meanwhile started a new job, so these are door plates, houses and places
    forward.applyChanges(job.changes, this.store);
    this.forwardRebuild = null;
    this.current = { ...this.current, forward };
    this.wake();
  };

  private startRebuild(): void {
    const steps = ReverseGeocoder.inSteps(this.store);
    // its first step reads the store: grid versions written after it are queued for it
    steps.next();
    const running = this.rebuild !== null;
    this.rebuild = { steps, grids: [], started: performance.now(), slices: 0, longestMs: 0 };
    if (!running) setImmediate(this.slice);
  }

  /** One slice of the rebuild: steps until REBUILD_SLICE_MS have passed, then the rest after pending I/O. */
  private readonly slice = (): void => {
    const job = this.rebuild;
    if (job === null) return;
    const from = performance.now();
    let step = job.steps.next();
    while (!step.done && performance.now() - from < REBUILD_SLICE_MS) step = job.steps.next();
    job.slices++;
    job.longestMs = Math.max(job.longestMs, performance.now() - from);
    if (!step.done) {
      setImmediate(this.slice);
      return;
    }
    const reverse = step.value;
    reverse.putVersions(job.grids);
    this.rebuild = null;
    this.current = { ...this.current, reverse };
    this.lastRebuild = { totalMs: performance.now() - job.started, slices: job.slices, longestSliceMs: job.longestMs };
    // the forward index places door plates and roads in the new areas: rebuilt against them, in slices too
    this.startForwardRebuild();
  };
}

/** The grid versions a batch of changes wrote, in order: a new version, and the one it closed. */
function gridVersionsOf(changes: readonly StoreChange[]): Grid[] {
  const versions: Grid[] = [];
  for (const change of changes) {
    if (change.layer !== 'grids') continue;
    // the log keeps the geometry parsed already: map the other columns, and take it as it is
    for (const row of [change.before, change.after]) if (row !== null) versions.push({ ...gridRows.fromRow({ ...row, geometry: 'null' }), geometry: row.geometry as Grid['geometry'] });
  }
  return versions;
}
