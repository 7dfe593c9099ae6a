import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config.js';
import { createApp } from '../../http/app.js';
import { createLogger, type Logger } from '../../logger.js';
import { createMetrics, metricsApp } from '../../http/metrics.js';
import { DEFAULT_GRACE_MS, startServer, type RunningServer } from '../../http/serve.js';
import { buildDistrictDatabase } from '../../store/build-district.js';
import { startLive, type LiveService } from '../../live.js';
import { Store } from '../../store/store.js';
import { MbtilesTileProvider } from '../../tiles/mbtiles.js';
import type { TileProvider } from '../../tiles/tile-provider.js';
import { archiveFormatOf, archiveSourceName, openArchive, type ArchiveSource } from '../../tiles/archive-source.js';
import { parseCacheControl, type CacheControlPolicy } from '../../http/cache-control.js';
import { InvalidRequestError, StoreError } from '../../errors.js';
import { redacted } from '../../store/postgis/build-district-postgis.js';
import { copyPostgisToFile } from '../../store/postgis/replica.js';
import { followPostgis, type PostgisFollower } from '../../store/postgis/follow.js';
import { writeThroughPostgis } from '../../store/postgis/write-through.js';
import { parseFlags, UsageError } from '../args.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP } from '../command-database.js';
import type { Io } from '../io.js';

export const serveHelp = `wangge serve [--db PATH | --store URL] [--port N] [--host ADDR] [--mbtiles FILE] [--tile-cache-mb N]
             [--archive FILE]... [--cache-control GROUP=VALUE]...
             [--cors-origins LIST] [--rate-limit N] [--rate-burst N] [--trust-proxy]
             [--reads-need-key] [--max-body-mb N] [--write-wait-s N]
             [--max-vertices N] [--max-response-mb N] [--metrics-port N] [--metrics-host ADDR]

Serves the HTTP API, the vector tiles and the map page (/). With no database yet, the default
district (Dongcheng) is generated first. Imports into the database while it runs show in the
tiles within a second.
${DATABASE_HELP}
                       A PostGIS database (load one with wangge generate --store) is copied
                       at start-up into a local file the indexes are built from, which follows the
                       database's change log (LISTEN, and a poll every second): writes made in
                       PostGIS (SQL, QGIS, other replicas) show within a second. A write
                       through the API is committed in PostGIS (a row changed since this
                       replica read it: 409) and answered once the copy has it
  --port N             port (default 8080, or $PORT)
  --host ADDR          listen address (default 0.0.0.0, or $HOST)
  --mbtiles FILE       serve the tiles of this MBTiles file (from wangge tiles export) instead
                       of cutting them live; its source name is its "name" metadata
  --archive FILE       serve this MBTiles or PMTiles archive beside the other sources, under its
                       file name without extension (/tiles/NAME/{z}/{x}/{y}); repeatable. A name
                       taken by another source is refused
  --cache-control GROUP=VALUE
                       Cache-Control of tiles, tilejson or catalog answers, e.g.
                       --cache-control "tiles=public, max-age=300"; repeatable. Defaults: tiles
                       public, max-age=60 (3600 for archives), tilejson and catalog no-cache
  --tile-cache-mb N    memory for encoded tiles (default 256, or $WANGGE_TILE_CACHE_MB)
  --cors-origins LIST  comma-separated origins whose pages may read and write (* for any);
                       default any page may read and none may write ($WANGGE_CORS_ORIGINS)
  --rate-limit N       requests per second per API key, or per client address without one;
                       0 turns it off (default 200, or $WANGGE_RATE_LIMIT). This machine's own
                       addresses (loopback) are not limited
  --rate-burst N       requests a client may make at once (default twice the rate, or
                       $WANGGE_RATE_BURST)
  --trust-proxy        take client addresses from X-Forwarded-For and the public URL of TileJSON,
                       styles and the catalog from X-Forwarded-Proto / -Host: only behind a proxy
                       that sets them ($WANGGE_TRUST_PROXY=1); without it they are ignored
  --reads-need-key     GET requests need an API key too ($WANGGE_READS_NEED_KEY=1), /metrics
                       included unless it has its own port
  --metrics-port N     serve GET /metrics on this port instead of the API's, with no key asked:
                       for a Prometheus on the same host (0: any free port; default: on the API port)
  --metrics-host ADDR  listen address of --metrics-port (default 127.0.0.1, this host only)
  --max-body-mb N      largest request body (default 16, or $WANGGE_MAX_BODY_MB)
  --max-vertices N     most positions a geometry of a write may have (default 2000, or
                       $WANGGE_MAX_VERTICES); more is a 413
  --max-response-mb N  largest answer to a batch (POST /v1/reverse, /v1/geocode; default 64,
                       or $WANGGE_MAX_RESPONSE_MB); a batch whose answer would be larger is a 413
  --write-wait-s N     how long a write waits while another process (wangge import) writes,
                       then 503 with Retry-After (default 30, or $WANGGE_WRITE_WAIT_S)

Logs are JSON lines on stderr, one per request. SIGTERM or SIGINT stops the server gracefully:
no new connections, requests in flight get ${DEFAULT_GRACE_MS / 1000} s to finish, then the database is
closed; a second signal stops it at once.`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    ...DATABASE_FLAGS,
    port: { type: 'string' },
    host: { type: 'string' },
    mbtiles: { type: 'string' },
    archive: { type: 'string', multiple: true },
    'cache-control': { type: 'string', multiple: true },
    'tile-cache-mb': { type: 'string' },
    'cors-origins': { type: 'string' },
    'rate-limit': { type: 'string' },
    'rate-burst': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    'reads-need-key': { type: 'boolean' },
    'max-body-mb': { type: 'string' },
    'max-vertices': { type: 'string' },
    'max-response-mb': { type: 'string' },
    'write-wait-s': { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
  });
  if (values.help) return io.out(serveHelp), 0;
  const chosen = chosenDatabase(values);
  const postgisUrl = chosen.postgisUrl;
  const config = loadConfig({
    dbPath: chosen.dbPath,
    port: values.port,
    host: values.host,
    tileCacheMb: values['tile-cache-mb'],
    corsOrigins: values['cors-origins'],
    rateLimit: values['rate-limit'],
    rateBurst: values['rate-burst'],
    trustProxy: values['trust-proxy'] ? '1' : undefined,
    readsNeedKey: values['reads-need-key'] ? '1' : undefined,
    maxBodyMb: values['max-body-mb'],
    maxVertices: values['max-vertices'],
    maxResponseMb: values['max-response-mb'],
    writeWaitS: values['write-wait-s'],
  });
  const cacheControl = cacheControlFlag(values['cache-control'] ?? []);
  const metricsPort = metricsPortFlag(values['metrics-port']);
  if (values['metrics-host'] !== undefined && metricsPort === undefined) throw new UsageError('--metrics-host needs --metrics-port');
  const archivePaths = values.archive ?? [];
  for (const path of archivePaths) {
    if (archiveFormatOf(path) === undefined) throw new UsageError(`--archive ${path}: the file must end in .mbtiles or .pmtiles`);
    if (!/^[A-Za-z0-9_-]+$/.test(archiveSourceName(path))) {
      throw new UsageError(`--archive ${path}: its name "${archiveSourceName(path)}" is the source name and may hold only letters, digits, _ and -`);
    }
  }
  // JSON lines on stderr, written asynchronously: flushed before the command returns
  const log = createLogger();
  const replicaDir = postgisUrl === undefined ? undefined : mkdtempSync(join(tmpdir(), 'wangge-replica-'));
  const dbPath = replicaDir === undefined ? config.dbPath : join(replicaDir, 'replica.db');
  let changeSeq = 0;
  if (postgisUrl !== undefined) {
    const started = performance.now();
    try {
      ({ changeSeq } = await copyPostgisToFile(postgisUrl, dbPath));
      log.info(`copied ${redacted(postgisUrl)} (change ${changeSeq}) in ${((performance.now() - started) / 1000).toFixed(1)} s`, { change_seq: changeSeq });
    } catch (error) {
      rmSync(replicaDir!, { recursive: true, force: true });
      await log.flush();
      throw new StoreError(`cannot read ${redacted(postgisUrl)}: ${(error as Error).message}`, { cause: error });
    }
  } else if (!existsSync(config.dbPath)) {
    // the build holds the event loop, so its progress is written synchronously to show as it happens
    const progress = createLogger((line) => io.err(line));
    progress.info(`no database at ${config.dbPath}: generating the default district (seed ${config.seed}) …`);
    const started = performance.now();
    buildDistrictDatabase(config.dbPath, { seed: config.seed, onProgress: (m) => progress.info(m) });
    progress.info(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  // writes wait for an import between attempts (write-lock.ts), never blocking the event loop
  const store = Store.open(dbPath, { busyTimeoutMs: 0 });
  const cacheBytes = config.tileCacheMb * 2 ** 20;
  let mbtiles: MbtilesTileProvider | undefined;
  const archives: ArchiveSource[] = [];
  let live: LiveService | undefined;
  let follower: PostgisFollower | undefined;
  let writeThrough: ReturnType<typeof writeThroughPostgis> | undefined;
  let server;
  let metricsServer: RunningServer | undefined;
  try {
    const started = performance.now();
    live = startLive(store, { cacheBytes });
    const { afterWrite } = live.writes;
    // a replica applies the PostGIS change log to its copy, which the live service then follows like any write
    if (postgisUrl !== undefined) {
      follower = followPostgis(postgisUrl, store, { fromSeq: changeSeq, onApplied: afterWrite, log });
      writeThrough = writeThroughPostgis(postgisUrl, store, follower);
    }
    // a pre-generated file replaces the live tiles (writes still reach the store and the geocoders)
    const tiles: TileProvider = values.mbtiles !== undefined ? (mbtiles = MbtilesTileProvider.open(values.mbtiles, { cacheBytes })) : live.tiles;
    log.info(`indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const taken = new Set(tiles.sources);
    for (const path of archivePaths) {
      const name = archiveSourceName(path);
      if (taken.has(name)) throw new UsageError(`--archive ${path}: a source named "${name}" is served already (${[...taken].join(', ')}); rename the file`);
      taken.add(name);
    }
    for (const path of archivePaths) archives.push(await openArchive(path));
    const metrics = createMetrics({ tiles });
    const writes = { ...live.writes, onWrite: metrics.countWrite, writeWaitMs: config.writeWaitS * 1000, commit: writeThrough?.commit };
    const app = createApp({
      store,
      geocoders: live.geocoders,
      tiles,
      archives,
      cacheControl,
      componentsNear: (lng, lat, radiusM, limit) => live!.tiles.componentsNear(lng, lat, radiusM, limit),
      writes,
      logger: log,
      metrics,
      metricsElsewhere: metricsPort !== undefined,
      corsOrigins: config.corsOrigins,
      rateLimit: config.rateLimit,
      rateBurst: config.rateBurst,
      trustProxy: config.trustProxy,
      readsNeedKey: config.readsNeedKey,
      maxBodyBytes: config.maxBodyMb * 2 ** 20,
      maxVertices: config.maxVertices,
      maxResponseBytes: config.maxResponseMb * 2 ** 20,
      databaseStatus: follower?.status,
    });
    server = await startServer(app, { host: config.host, port: config.port });
    if (metricsPort !== undefined) metricsServer = await startServer(metricsApp(metrics), { host: values['metrics-host'] ?? '127.0.0.1', port: metricsPort });
  } catch (error) {
    await server?.close({ graceMs: 0 });
    await writeThrough?.close();
    await follower?.stop();
    live?.stop();
    mbtiles?.close();
    for (const archive of archives) await archive.close();
    store.close();
    if (replicaDir !== undefined) rmSync(replicaDir, { recursive: true, force: true });
    await log.flush();
    throw error;
  }
  // bench/ and serve-child.ts find the URL in this line
  const beside = archives.length > 0 ? ` and archives ${archives.map((a) => a.name).join(', ')}` : '';
  const serving = postgisUrl === undefined ? config.dbPath : `a read-only replica of ${redacted(postgisUrl)}`;
  log.info(`wangge serving ${serving}${values.mbtiles ? ` with tiles from ${values.mbtiles}` : ''}${beside} at ${server.url} (map: ${server.url}/)`, {
    url: server.url,
  });
  if (metricsServer) log.info(`metrics: ${metricsServer.url}/metrics`, { metrics_url: `${metricsServer.url}/metrics` });
  const signal = await shutdownSignal();
  await drain(server, signal, log);
  await metricsServer?.close({ graceMs: 0 });
  await writeThrough?.close();
  await follower?.stop();
  live.stop();
  log.info('change watcher stopped');
  mbtiles?.close();
  for (const archive of archives) await archive.close();
  store.close();
  if (replicaDir !== undefined) rmSync(replicaDir, { recursive: true, force: true });
  log.info('database closed; exiting');
  await log.flush();
  return 0;
}

/** Resolves with the first SIGTERM or SIGINT; a second one gets node's default: exit at once. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Stops accepting connections and waits for the requests in flight, at most DEFAULT_GRACE_MS (10 s). */
async function drain(server: RunningServer, signal: NodeJS.Signals, log: Logger): Promise<void> {
  log.info(`${signal}: shutting down; no new connections, ${server.inFlight} requests in flight get up to ${DEFAULT_GRACE_MS / 1000} s`, {
    signal,
    in_flight: server.inFlight,
  });
  const { dropped } = await server.close();
  if (dropped > 0) log.warn(`closed the connections of ${dropped} requests still running after ${DEFAULT_GRACE_MS / 1000} s`, { dropped });
  log.info('HTTP server closed');
}

/** The --metrics-port value: a port number (0: any free one), or undefined when not given. */
function metricsPortFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--metrics-port: expected a port number 0-65535, got "${value}"`);
  return port;
}

/** Reads --cache-control settings (http/cache-control.ts); a bad one is a usage error. */
function cacheControlFlag(settings: readonly string[]): CacheControlPolicy {
  try {
    return parseCacheControl(settings);
  } catch (error) {
    if (error instanceof InvalidRequestError) throw new UsageError(`--cache-control: ${error.message}`);
    throw error;
  }
}
