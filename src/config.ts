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
}

export const DEFAULTS = {
  // next to the package's data/ inputs, so `npm start` works from any directory
  dbPath: fileURLToPath(new URL('../data/dongcheng.db', import.meta.url)),
  port: 8080,
  host: '0.0.0.0',
  seed: 1,
  tileCacheMb: 256,
} as const;

/** Builds the config from flags and the environment (WANGGE_DB, PORT, HOST, WANGGE_SEED, WANGGE_TILE_CACHE_MB). */
export function loadConfig(flags: Partial<Record<keyof Config, string | undefined>> = {}, env = process.env): Readonly<Config> {
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? (env[name] || undefined);
  return Object.freeze({
    dbPath: pick(flags.dbPath, 'WANGGE_DB') ?? DEFAULTS.dbPath,
    port: integer(pick(flags.port, 'PORT'), DEFAULTS.port, 'port', 0, 65535),
    host: pick(flags.host, 'HOST') ?? DEFAULTS.host,
    seed: integer(pick(flags.seed, 'WANGGE_SEED'), DEFAULTS.seed, 'seed', 0, 2 ** 32 - 1),
    tileCacheMb: integer(pick(flags.tileCacheMb, 'WANGGE_TILE_CACHE_MB'), DEFAULTS.tileCacheMb, 'tile cache size (MiB)', 0, 1 << 20),
  });
}

function integer(text: string | undefined, fallback: number, name: string, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number ${min}–${max}, got "${text}"`);
  return value;
}
