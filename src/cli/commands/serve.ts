import { existsSync } from 'node:fs';
import { loadConfig } from '../../config.js';
import { createApp } from '../../http/app.js';
import { startServer } from '../../http/serve.js';
import { loadGeocoders } from '../../geocode/geocoders.js';
import { buildDistrictDatabase } from '../../store/build-district.js';
import { Store } from '../../store/store.js';
import { parseFlags } from '../args.js';
import type { Io } from '../io.js';

export const serveHelp = `wangge serve [--db PATH] [--port N] [--host ADDR]

Serves the HTTP API. With no database yet, the default district (Dongcheng) is generated first.
  --db PATH     database file (default data/dongcheng.db, or $WANGGE_DB)
  --port N      port (default 8080, or $PORT)
  --host ADDR   listen address (default 0.0.0.0, or $HOST)`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('serve', argv, { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } });
  if (values.help) return io.out(serveHelp), 0;
  const config = loadConfig({ dbPath: values.db, port: values.port, host: values.host });
  if (!existsSync(config.dbPath)) {
    io.err(`no database at ${config.dbPath}: generating the default district (seed ${config.seed}) …`);
    const started = performance.now();
    buildDistrictDatabase(config.dbPath, { seed: config.seed, onProgress: (m) => io.err(m) });
    io.err(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const store = Store.open(config.dbPath);
  const started = performance.now();
  const geocoders = loadGeocoders(store);
  io.err(`indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  let server;
  try {
    server = await startServer(createApp({ store, geocoders }), { host: config.host, port: config.port });
  } catch (error) {
    store.close();
    throw error;
  }
  io.err(`wangge serving ${config.dbPath} at ${server.url}`);
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
  store.close();
  return 0;
}
