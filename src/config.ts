import { fileURLToPath } from 'node:url';

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
  // longer than an import of some 100,000 features holds the database
  writeWaitS: 30,
} as const;

/**
 * Builds the config from flags and the environment (WANGGE_DB, PORT, HOST, WANGGE_SEED,
 * WANGGE_TILE_CACHE_MB, WANGGE_CORS_ORIGINS, WANGGE_RATE_LIMIT, WANGGE_RATE_BURST,
 * WANGGE_TRUST_PROXY, WANGGE_READS_NEED_KEY, WANGGE_MAX_BODY_MB, WANGGE_WRITE_WAIT_S). Boolean flags pass "1".
 */
export function loadConfig(flags: Partial<Record<keyof Config, string | undefined>> = {}, env = process.env): Readonly<Config> {
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] || undefined);
  return Object.freeze({
    dbPath: pick(flags.dbPath, 'WANGGE_DB') ?? DEFAULTS.dbPath,
    port: integer(pick(flags.port, 'PORT'), DEFAULTS.port, 'port', 0, 65535),
    host: pick(flags.host, 'HOST') ?? DEFAULTS.host,
    seed: integer(pick(flags.seed, 'WANGGE_SEED'), DEFAULTS.seed, 'seed', 0, 2 ** 32 - 1),
    tileCacheMb: integer(pick(flags.tileCacheMb, 'WANGGE_TILE_CACHE_MB'), DEFAULTS.tileCacheMb, 'tile cache size (MiB)', 0, 1 << 20),
    corsOrigins: origins(pick(flags.corsOrigins, 'WANGGE_CORS_ORIGINS')),
    rateLimit: decimal(pick(flags.rateLimit, 'WANGGE_RATE_LIMIT'), DEFAULTS.rateLimit, 'rate limit (requests per second)', 0, 1e6),
    rateBurst: optionalInteger(pick(flags.rateBurst, 'WANGGE_RATE_BURST'), 'rate burst (requests)', 1, 1e7),
    trustProxy: boolean(pick(flags.trustProxy, 'WANGGE_TRUST_PROXY'), 'trust proxy'),
    readsNeedKey: boolean(pick(flags.readsNeedKey, 'WANGGE_READS_NEED_KEY'), 'reads need key'),
    maxBodyMb: integer(pick(flags.maxBodyMb, 'WANGGE_MAX_BODY_MB'), DEFAULTS.maxBodyMb, 'body size limit (MiB)', 1, 4096),
    writeWaitS: decimal(pick(flags.writeWaitS, 'WANGGE_WRITE_WAIT_S'), DEFAULTS.writeWaitS, 'write wait (seconds)', 0, 3600),
  });
}

function integer(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number ${min}–${max}, got "${text}"`);
  return value;
}

function optionalInteger(text: string | undefined, name: string, min: number, max: number): number | undefined {
  // the fallback is never used: text is there
  return text === undefined ? undefined : integer(text, min, name, min, max);
}

function decimal(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number ${min}–${max}, got "${text}"`);
  return value;
}

function boolean(text: string | undefined, name: string): boolean {
  if (text === undefined) return false;
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new Error(`${name} must be 1 or 0 (true / false), got "${text}"`);
}

/** A comma list of origins (`*` or scheme://host[:port]); an empty value allows no origin at all. */
function origins(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of list) {
    if (origin !== '*' && !isOrigin(origin)) throw new Error(`CORS origin "${origin}" must be * or scheme://host[:port] with nothing after it`);
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
