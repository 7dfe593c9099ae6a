import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidRequestError } from './errors.js';

/** Settings for the service and CLI; flags win over environment variables, which win over defaults. */
export interface Config {
  /** SQLite database file; built from the default district when missing (serve) */
  dbPath: string;
  /** HTTP port */
  port: number;
  /** HTTP listen address */
  host: string;
  /** generator seed for the default district */
  seed: number;
  /** budget of the in-memory cache of encoded tiles, MiB */
  tileCacheMb: number;
  /** origins allowed cross-origin reads and writes (`*` for any); undefined: any may read, none may write */
  corsOrigins: readonly string[] | undefined;
  /** requests per second each API key or client address may make; 0 turns the limit off */
  rateLimit: number;
  /** requests a client may make at once after a quiet spell; undefined: two seconds' worth (rate-limit.ts) */
  rateBurst: number | undefined;
  /** take client addresses from X-Forwarded-For (only behind a proxy that sets it) */
  trustProxy: boolean;
  /** reads need an API key too, not only writes */
  readsNeedKey: boolean;
  /** most positions one feature's geometry may have, in API writes and imports */
  maxVertices: number;
  /** largest answer a batch request may get (POST /v1/reverse, /v1/geocode), MiB */
  maxResponseMb: number;
  /** largest request body accepted, MiB */
  maxBodyMb: number;
  /** how long an API write waits for another writer (an import) before answering 503, seconds */
  writeWaitS: number;
}

export const DEFAULTS = {
  // next to the package's data/ inputs, so `npm start` works from any directory
  dbPath: fileURLToPath(new URL('../data/dongcheng.db', import.meta.url)),
  port: 8080,
  host: '0.0.0.0',
  seed: 1,
  tileCacheMb: 256,
  // generous: a map page asks for ~50 tiles per view; loopback (bench, load tests) is not limited
  rateLimit: 200,
  // 100,000 points for POST /v1/reverse fit in ~5 MiB of JSON
  maxBodyMb: 16,
  // the real Dongcheng boundaries have at most 1,230; a house of 2,000 holds the event loop ~10–50 ms
  maxVertices: 2000,
  // 100,000 points with address=1 answer ~41 MiB on the default district
  maxResponseMb: 64,
  // longer than an import of some 100,000 features holds the database
  writeWaitS: 30,
} as const;

/** A setting (a flag or an environment variable) has a value it cannot take: a bad command line, exit 2. */
export class ConfigError extends InvalidRequestError {}

/**
 * Builds the config from flags and the environment (WANGGE_DB, PORT, HOST, WANGGE_SEED,
 * WANGGE_TILE_CACHE_MB, WANGGE_CORS_ORIGINS, WANGGE_RATE_LIMIT, WANGGE_RATE_BURST,
 * WANGGE_TRUST_PROXY, WANGGE_READS_NEED_KEY, WANGGE_MAX_VERTICES, WANGGE_MAX_RESPONSE_MB, WANGGE_MAX_BODY_MB, WANGGE_WRITE_WAIT_S). Boolean flags pass "1".
 * Without --db or WANGGE_DB the database is the package's data/dongcheng.db, or the user's data
 * folder's when the package folder is not writable; `notice` gets one line saying so.
 */
export function loadConfig(
  flags: Partial<Record<keyof Config, string | undefined>> = {},
  env = process.env,
  notice: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Readonly<Config> {
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] || undefined);
  return Object.freeze({
    dbPath: pick(flags.dbPath, 'WANGGE_DB') ?? defaultDbPath(env, notice),
    port: integer(pick(flags.port, 'PORT'), DEFAULTS.port, 'port', 0, 65535),
    host: pick(flags.host, 'HOST') ?? DEFAULTS.host,
    seed: integer(pick(flags.seed, 'WANGGE_SEED'), DEFAULTS.seed, 'seed', 0, 2 ** 32 - 1),
    tileCacheMb: integer(pick(flags.tileCacheMb, 'WANGGE_TILE_CACHE_MB'), DEFAULTS.tileCacheMb, 'tile cache size (MiB)', 0, 1 << 20),
    corsOrigins: origins(pick(flags.corsOrigins, 'WANGGE_CORS_ORIGINS')),
    rateLimit: decimal(pick(flags.rateLimit, 'WANGGE_RATE_LIMIT'), DEFAULTS.rateLimit, 'rate limit (requests per second)', 0, 1e6),
    rateBurst: optionalInteger(pick(flags.rateBurst, 'WANGGE_RATE_BURST'), 'rate burst (requests)', 1, 1e7),
    trustProxy: boolean(pick(flags.trustProxy, 'WANGGE_TRUST_PROXY'), 'trust proxy'),
    readsNeedKey: boolean(pick(flags.readsNeedKey, 'WANGGE_READS_NEED_KEY'), 'reads need key'),
    maxVertices: integer(pick(flags.maxVertices, 'WANGGE_MAX_VERTICES'), DEFAULTS.maxVertices, 'vertices per feature', 4, 1e8),
    maxResponseMb: integer(pick(flags.maxResponseMb, 'WANGGE_MAX_RESPONSE_MB'), DEFAULTS.maxResponseMb, 'response size limit (MiB)', 1, 4096),
    maxBodyMb: integer(pick(flags.maxBodyMb, 'WANGGE_MAX_BODY_MB'), DEFAULTS.maxBodyMb, 'body size limit (MiB)', 1, 4096),
    writeWaitS: decimal(pick(flags.writeWaitS, 'WANGGE_WRITE_WAIT_S'), DEFAULTS.writeWaitS, 'write wait (seconds)', 0, 3600),
  });
}

/**
 * The package's data/dongcheng.db while its folder is writable; else (a global install by root, run
 * by a user) the user's data folder, $XDG_DATA_HOME/wangge or ~/.local/share/wangge (issue 12).
 */
function defaultDbPath(env: NodeJS.ProcessEnv, notice: (line: string) => void): string {
  const packaged = DEFAULTS.dbPath;
  if (writable(dirname(packaged))) return packaged;
  const xdg = env.XDG_DATA_HOME;
  const folder = join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share'), 'wangge');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new ConfigError(`the package folder ${dirname(packaged)} is not writable and ${folder} cannot be made (${(error as Error).message}); give --db or WANGGE_DB`);
  }
  const path = join(folder, 'dongcheng.db');
  notice(`database: ${path} (the package folder ${dirname(packaged)} is not writable)`);
  return path;
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function integer(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be a whole number ${min}–${max}, got "${text}"`);
  return value;
}

function optionalInteger(text: string | undefined, name: string, min: number, max: number): number | undefined {
  // the fallback is never used: text is there
  return text === undefined ? undefined : integer(text, min, name, min, max);
}

function decimal(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new ConfigError(`${name} must be a number ${min}–${max}, got "${text}"`);
  return value;
}

function boolean(text: string | undefined, name: string): boolean {
  if (text === undefined) return false;
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (true / false), got "${text}"`);
}

/** A comma list of origins (`*` or scheme://host[:port]); an empty value allows no origin at all. */
function origins(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of list) {
    if (origin !== '*' && !isOrigin(origin)) throw new ConfigError(`CORS origin "${origin}" must be * or scheme://host[:port] with nothing after it`);
  }
  return Object.freeze(list);
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}
