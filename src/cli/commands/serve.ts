import { existsSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { createApp } from '../../http/app.js';
import { startServer } from '../../http/serve.js';
import { buildDistrictDatabase } from '../../store/build-district.js';
import { findApiKey } from '../../auth/api-keys.js';
import { startLive, type LiveService } from '../../live.js';
import { Store } from '../../store/store.js';
import { MbtilesTileProvider } from '../../tiles/mbtiles.js';
import type { TileProvider } from '../../tiles/tile-provider.js';
import { parseFlags } from '../args.js';
import type { Io } from '../io.js';

export const serveHelp = `wangge serve [--db PATH] [--port N] [--host ADDR] [--mbtiles FILE] [--tile-cache-mb N]

Serves the HTTP API, the vector tiles and the map page (/). With no database yet, the default
district (Dongcheng) is generated first. Imports into the database while it runs show in the
tiles within a second.
  --db PATH            database file (default data/dongcheng.db, or $WANGGE_DB)
  --port N             port (default 8080, or $PORT)
  --host ADDR          listen address (default 0.0.0.0, or $HOST)
  --mbtiles FILE       serve the tiles of this MBTiles file (from wangge tiles export) instead
                       of cutting them live; its source name is its "name" metadata
  --tile-cache-mb N    memory for encoded tiles (default 256, or $WANGGE_TILE_CACHE_MB)`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    db: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    mbtiles: { type: 'string' },
    'tile-cache-mb': { type: 'string' },
  });
  if (values.help) return io.out(serveHelp), 0;
  const config = loadConfig({ dbPath: values.db, port: values.port, host: values.host, tileCacheMb: values['tile-cache-mb'] });
  if (!existsSync(config.dbPath)) {
    io.err(`no database at ${config.dbPath}: generating the default district (seed ${config.seed}) …`);
    const started = performance.now();
    buildDistrictDatabase(config.dbPath, { seed: config.seed, onProgress: (m) => io.err(m) });
    io.err(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const store = Store.open(config.dbPath);
  const cacheBytes = config.tileCacheMb * 2 ** 20;
  let mbtiles: MbtilesTileProvider | undefined;
  let live: LiveService | undefined;
  let server;
  try {
    const started = performance.now();
    live = startLive(store, { cacheBytes });
    // a pre-generated file replaces the live tiles (writes still reach the store and the geocoders)
    const tiles: TileProvider = values.mbtiles !== undefined ? (mbtiles = MbtilesTileProvider.open(values.mbtiles, { cacheBytes })) : live.tiles;
    io.err(`indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const writes = { ...live.writes, findKey: (secret: string) => findApiKey(store, secret) };
    server = await startServer(createApp({ store, geocoders: live.geocoders, tiles, writes }), { host: config.host, port: config.port });
  } catch (error) {
    live?.stop();
    mbtiles?.close();
    store.close();
    throw error;
  }
  io.err(`wangge serving ${config.dbPath}${values.mbtiles ? ` with tiles from ${values.mbtiles}` : ''} at ${server.url} (map: ${server.url}/)`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  live.stop();
  mbtiles?.close();
  store.close();
  return 0;
}
