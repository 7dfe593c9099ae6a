// A server for bench/edge.bench.ts: the app over a database as `wangge serve` wires it, on
// 127.0.0.1 and a free port, its URL printed on stdout. `full`: the production middleware — the
// request log (JSON lines on stderr), metrics, the rate limit at its default with client addresses
// from X-Forwarded-For so every request takes from a bucket. `bare`: none of the three. Route
// validation and the rest of the stack run in both.
import { DEFAULTS } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/http/metrics.js';
import { startServer } from '../../src/http/serve.js';
import { startLive } from '../../src/live.js';
import { Store } from '../../src/store/store.js';

const [dbPath, mode] = process.argv.slice(2);
if (dbPath === undefined || (mode !== 'full' && mode !== 'bare')) throw new Error(`usage: edge-server.ts DB full|bare, got ${process.argv.slice(2).join(' ')}`);
const full = mode === 'full';
const store = Store.open(dbPath, { busyTimeoutMs: 0 });
const live = startLive(store);
const metrics = full ? createMetrics({ tiles: live.tiles }) : false;
const app = createApp({
  store,
  geocoders: live.geocoders,
  tiles: live.tiles,
  writes: live.writes,
  logger: full ? createLogger() : undefined,
  metrics,
  rateLimit: full ? DEFAULTS.rateLimit : 0,
  // in both, so the two differ by the three middlewares only (without it a middleware drops X-Forwarded-Host)
  trustProxy: true,
});
const server = await startServer(app, { host: '127.0.0.1', port: 0 });
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => {
  void server.close({ graceMs: 0 }).then(() => {
    live.stop();
    store.close();
  });
});
