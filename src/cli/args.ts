import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidRequestError } from '../errors.js';
import { parseCrs, type Crs } from '../geo/crs.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags strictly; a bad flag is a usage error that names the command's help. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')} (see wangge ${command} --help)`);
  }
}

/** A mistake in the command line itself: exit code 2. */
export class UsageError extends InvalidRequestError {}

/** Reads an integer flag, or the fallback when absent. */
export function integerFlag(value: string | undefined, name: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** Requires a flag's value to be one of a list. */
export function choiceFlag<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback?: T): T {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new UsageError(`--${name} is required: one of ${choices.join(', ')}`);
  }
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Reads a --crs flag (default WGS84); a system wangge does not know is a usage error. */
export function crsFlag(value: string | undefined): Crs {
  try {
    return parseCrs(value ?? 'wgs84');
  } catch (error) {
    throw new UsageError(`--crs: ${(error as Error).message}`);
  }
}
