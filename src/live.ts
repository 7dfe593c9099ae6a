import { LiveGeocoders } from './geocode/geocoders.js';
import { findApiKey } from './auth/api-keys.js';
import { watchChanges, type ChangeWatcher } from './store/change-watcher.js';
import { lastChangeSeq, type StoreChange } from './store/changes.js';
import type { Store } from './store/store.js';
import { afterPendingIo, forEachInSlices, runInSlices } from './time-slices.js';
import { TileService, type TileServiceOptions } from './tiles/tile-service.js';
import { FeatureWriter } from './write/feature-writer.js';
import { GridRedraw } from './write/grid-redraw.js';
import type { GuardedWriteApi, WriteApi } from './write/write-api.js';

/** A running wangge over one store: indexes that follow the change log, and the writers. */
export interface LiveService {
  geocoders: LiveGeocoders;
  tiles: TileService;
  /** the write endpoints' dependencies, API keys looked up in the store */
  writes: GuardedWriteApi;
  watcher: ChangeWatcher;
  stop(): void;
}

/** Changes applied to the tile indexes at a time: ~0.2 ms each for components, so a page stays within a slice. */
const TILE_PAGE = 16;

/**
 * Changes in pages of TILE_PAGE, except that a grid or area change is a page of its own: it places
 * a label point (polylabel over every edge: ~10 ms for a 2,000-vertex boundary) and cuts all its
 * tiles, so two of them in one turn of the event loop would hold it too long.
 */
function tilePages(changes: readonly StoreChange[]): StoreChange[][] {
  const pages: StoreChange[][] = [];
  let page: StoreChange[] = [];
  for (const change of changes) {
    const heavy = change.layer === 'grids' || change.layer === 'areas';
    if (page.length === TILE_PAGE || (heavy && page.length > 0)) {
      pages.push(page);
      page = [];
    }
    page.push(change);
    if (heavy) {
      pages.push(page);
      page = [];
    }
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/**
 * Builds the geocoding and tile indexes and keeps them current: writes through the API refresh
 * them before the response goes out (without holding the event loop when an import's changes are
 * being applied at the same time); writes by other processes (`wangge import`) are picked up
 * from the change log within the poll interval.
 */
export function startLive(store: Store, options: TileServiceOptions & { intervalMs?: number; onWrite?: WriteApi['onWrite'] } = {}): LiveService {
  // taken before the indexes are read, so a write landing meanwhile is applied after
  const fromSeq = lastChangeSeq(store.db);
  const geocoders = new LiveGeocoders(store);
  const tiles = TileService.fromStore(store, options);
  const watcher = watchChanges(
    store,
    async (changes) => {
      geocoders.applyChanges(changes);
      await afterPendingIo();
      // an import's thousands of changes go into the tile indexes a page at a time, requests answered between pages
      const pages = tilePages(changes);
      await forEachInSlices(pages.length, (k) => tiles.applyChanges(pages[k]!));
      // after many changes the trees are rebuilt, in steps too; no change is applied meanwhile (one drain at a time)
      if (tiles.needsCompaction) await runInSlices(tiles.compact());
    },
    { fromSeq, intervalMs: options.intervalMs },
  );
  const writer = new FeatureWriter(store, (lng, lat) => {
    const found = geocoders.reverse.resolve(lng, lat);
    return { unitGridCode: found.unitGrid?.code ?? null, socialStaticCode: found.socialGrid?.staticCode ?? null };
  });
  return {
    geocoders,
    tiles,
    watcher,
    writes: {
      store,
      writer,
      grids: new GridRedraw(store),
      afterWrite: () => watcher.poll(true),
      onWrite: options.onWrite,
      findKey: (secret) => findApiKey(store, secret),
    },
    stop: () => {
      watcher.stop();
      geocoders.stop();
    },
  };
}
