import { loadGeocoders } from '../../geocode/geocoders.js';
import { Store } from '../../store/store.js';
import { TileService } from '../../tiles/tile-service.js';
import { createApp, type AppOptions } from '../app.js';

/** An app built around an empty in-memory store: every middleware and route, nothing to generate. */
export interface EmptyApp {
  app: ReturnType<typeof createApp>;
  store: Store;
  tiles: TileService;
}

/** createApp over an empty store with the given options; close `store` when done. */
export function emptyApp(options: Omit<Partial<AppOptions>, 'store' | 'geocoders' | 'tiles'> = {}): EmptyApp {
  const store = Store.open(':memory:');
  const tiles = TileService.fromStore(store);
  return { app: createApp({ ...options, store, geocoders: loadGeocoders(store), tiles }), store, tiles };
}
