import { existsSync } from 'node:fs';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../../auth/api-keys.js';
import { NotFoundError } from '../../errors.js';
import { Store } from '../../store/store.js';
import { parseFlags, UsageError } from '../args.js';
import { chosenDatabase, DATABASE_FLAGS, DATABASE_HELP, onChosenDatabase } from '../command-database.js';
import type { Io } from '../io.js';

export const keysHelp = `wangge keys create --scope CODE --name NAME [--db PATH | --store URL]
wangge keys list [--db PATH | --store URL]
wangge keys revoke ID|PREFIX [--db PATH | --store URL]

Manages the API keys the write endpoints (POST/PATCH/DELETE under /v1) ask for as
"Authorization: Bearer <key>". A key may change only features inside its scope (四级管理).
  create             makes a key and prints its secret on standard output, once: only its
                     hash is stored, so it cannot be shown again
    --scope CODE     what the key may change: a district (6 digits), street (9), community (12)
                     or social grid static code (16); it must be in the database
    --name NAME      who holds the key (e.g. 东华门街道分中心), at most 100 characters; the
                     change log records it as the author of every change made with the key
  list               every key: id, prefix, name, scope, when created and revoked
  revoke ID|PREFIX   revokes a key at once, by its id or prefix as list shows them
${DATABASE_HELP}
                       (replicas serving a PostGIS database take a new or revoked key up at once)`;

const SUBCOMMANDS = ['create', 'list', 'revoke'] as const;

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('keys', argv, {
    scope: { type: 'string' },
    name: { type: 'string' },
    ...DATABASE_FLAGS,
  });
  if (values.help) return io.out(keysHelp), 0;
  const [subcommand, ...rest] = positionals;
  if (!SUBCOMMANDS.some((s) => s === subcommand)) {
    throw new UsageError(`usage: wangge keys ${SUBCOMMANDS.join('|')} … (see wangge keys --help)`);
  }
  if (subcommand !== 'create' && (values.scope !== undefined || values.name !== undefined)) {
    throw new UsageError('--scope and --name go with wangge keys create only');
  }
  if (subcommand !== 'revoke' && rest.length > 0) throw new UsageError(`wangge keys ${subcommand} takes no arguments, got "${rest.join(' ')}"`);
  if (subcommand === 'revoke' && rest.length !== 1) throw new UsageError('usage: wangge keys revoke ID|PREFIX (wangge keys list shows both)');
  if (subcommand === 'create' && (values.scope === undefined || values.name === undefined)) {
    throw new UsageError('wangge keys create needs --scope CODE and --name NAME (see wangge keys --help)');
  }

  const chosen = chosenDatabase(values);
  // opening a missing file would create an empty database and then refuse every scope
  if (chosen.dbPath !== undefined && !existsSync(chosen.dbPath)) throw new NotFoundError(`no database at ${chosen.dbPath}; build one with wangge generate or point --db at one`);
  // a key's scope is an area: the rest of a PostGIS district need not be copied
  return onChosenDatabase(chosen, { writes: subcommand !== 'list', io, layers: ['areas'] }, async (dbPath) => {
    const store = Store.open(dbPath, { readonly: subcommand === 'list' });
    try {
      if (subcommand === 'create') createKey(store, { scope: values.scope!, name: values.name! }, io);
      else if (subcommand === 'list') listKeys(store, io);
      else revokeKey(store, rest[0]!, io);
    } finally {
      store.close();
    }
    return 0;
  });
}

function createKey(store: Store, request: { scope: string; name: string }, io: Io): void {
  const { secret, key } = createApiKey(store, request);
  io.out(secret);
  io.err(`created key ${key.id} "${key.name}" (prefix ${key.prefix}) for ${key.scopeLevel.replace('_', ' ')} ${scopeText(key)}`);
  io.err('the secret above will not be shown again: only its hash is stored');
}

function listKeys(store: Store, io: Io): void {
  const keys = listApiKeys(store);
  if (keys.length === 0) {
    io.err('no API keys yet; make one with wangge keys create --scope CODE --name NAME');
    return;
  }
  const rows = keys.map((k) => [String(k.id), k.prefix, k.name, scopeText(k), k.createdAt, k.revokedAt ?? '-']);
  for (const line of alignColumns([['id', 'prefix', 'name', 'scope', 'created', 'revoked'], ...rows])) io.out(line);
}

function revokeKey(store: Store, idOrPrefix: string, io: Io): void {
  const key = revokeApiKey(store, idOrPrefix);
  // a second revoke keeps the first time, which this shows
  io.err(`key ${key.id} "${key.name}" (prefix ${key.prefix}, scope ${scopeText(key)}) is revoked as of ${key.revokedAt}`);
}

function scopeText(key: ApiKey): string {
  return key.scopeName === null ? key.scope : `${key.scope} ${key.scopeName}`;
}

/** Rows as lines of columns padded to the widest cell, counting CJK characters as two columns. */
function alignColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column]!))));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - displayWidth(cell))))
      .join('  '),
  );
}

// East Asian Wide and Fullwidth ranges (UAX #11) that names of areas and holders use
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}
