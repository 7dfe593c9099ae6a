import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import { AppError } from '../errors.js';
import { ioFailureOf } from '../store/io-failure.js';
import { UsageError } from './args.js';
import { processIo, type Io } from './io.js';

type Command = (argv: string[], io: Io) => Promise<number>;

// loaded on demand, so `wangge import` does not pay for the HTTP stack and `serve` not for the importers
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  generate: async () => (await import('./commands/generate.js')).generateCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  reverse: async () => (await import('./commands/reverse.js')).reverseCommand,
  geocode: async () => (await import('./commands/geocode.js')).geocodeCommand,
  tiles: async () => (await import('./commands/tiles.js')).tilesCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
};

const USAGE = `wangge — the spatial backbone of grid-based city management (网格化管理)

Usage: wangge <command> [options]     (wangge <command> --help for its options)

Commands:
  serve      serve the HTTP API (builds the default Dongcheng district on first run)
  generate   build the default district into a database (--seed, --scale)
  import     load GeoJSON / NDJSON / CSV into a layer, all-or-nothing, with CRS conversion
  export     write a layer as GeoJSON / NDJSON / CSV (--at DATE for grid history)
  reverse    append district/street/community/grid codes to the points of a CSV / NDJSON / GeoJSON file
  geocode    append lng/lat, match level and grid codes to the addresses of a CSV / NDJSON file
  tiles      tiles export: write the vector tile pyramid as MBTiles or PMTiles; tiles inspect: an archive's metadata and tile sizes
  keys       create, list and revoke the API keys the write endpoints ask for, each scoped to an area or grid

Options:
  -h, --help      this help
  -v, --version   the version
  --verbose       print stack traces on errors

Environment: WANGGE_DB (database file), PORT, HOST, WANGGE_SEED.`;

/** Runs the CLI and returns the exit code: 0 ok, 1 failed, 2 bad command line. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (name === 'help' && rest[0] !== undefined && COMMANDS[rest[0]]) return main([rest[0], '--help'], io);
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    io.out(version());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`error: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest, io);
  } catch (caught) {
    // a full or failing disk, or a database held by another writer, is said plainly (an AppError)
    const error = ioFailureOf(caught) ?? caught;
    // a flag's value is checked by config.ts, which knows no command: its help is named here
    const help = error instanceof ConfigError ? ` (see wangge ${name} --help)` : '';
    io.err(`error: ${error instanceof Error ? error.message : String(error)}${help}`);
    if (verbose && error instanceof Error && error.stack) io.err(error.stack);
    if (error instanceof UsageError || error instanceof ConfigError) return 2;
    if (!(error instanceof AppError) && !verbose) io.err('(run with --verbose for the stack trace)');
    return 1;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
