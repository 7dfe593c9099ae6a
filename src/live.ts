import { LiveGeocoders } from './geocode/geocoders.js';
import { findApiKey } from './auth/api-keys.js';
import type { GuardedWriteApi, WriteApi } from './http/routes/write.js';
import { watchChanges, type ChangeWatcher } from './store/change-watcher.js';
import { lastChangeSeq } from './store/changes.js';
import type { Store } from './store/store.js';
import { TileService, type TileServiceOptions } from './tiles/tile-service.js';
import { FeatureWriter } from './write/feature-writer.js';
import { GridRedraw } from './write/grid-redraw.js';

/** A running wangge over one store: indexes that follow the change log, and the writers. */
export interface LiveService {
  geocoders: LiveGeocoders;
  tiles: TileService;
  /** the write endpoints' dependencies, API keys looked up in the store */
  writes: GuardedWriteApi;
  watcher: ChangeWatcher;
  stop(): void;
}

/**
 * Builds the geocoding and tile indexes and keeps them current: writes through the API refresh
 * them before the response goes out; writes by other processes (`wangge import`) are picked up
 * from the change log within the poll interval.
 */
export function startLive(store: Store, options: TileServiceOptions & { intervalMs?: number; onWrite?: WriteApi['onWrite'] } = {}): LiveService {
  // taken before the indexes are read, so a write landing meanwhile is applied after
  const fromSeq = lastChangeSeq(store.db);
  const geocoders = new LiveGeocoders(store);
  const tiles = TileService.fromStore(store, options);
  const watcher = watchChanges(
    store,
    (changes) => {
      tiles.applyChanges(changes);
      geocoders.applyChanges(changes);
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
