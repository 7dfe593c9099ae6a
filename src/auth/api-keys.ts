import { createHash, randomBytes } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { Store } from '../store/store.js';
import { scopeLevel, type ScopeLevel } from './scope.js';

/** An API key as listed: never its secret, nor the secret's hash. */
export interface ApiKey {
  id: number;
  name: string;
  /** district, street or community code, or social grid static code */
  scope: string;
  scopeLevel: ScopeLevel;
  /** the area's or grid's name as stored now; null if it no longer is */
  scopeName: string | null;
  /** the secret's first characters, to recognise a key in a list */
  prefix: string;
  /** ISO timestamp */
  createdAt: string;
  revokedAt: string | null;
}

/** Characters of the secret kept as its prefix: `wg_` and 7 of the random part. */
export const PREFIX_LENGTH = 10;

const MAX_NAME_LENGTH = 100;

type KeyRow = { id: number; name: string; scope: string; scope_name: string | null; prefix: string; created_at: string; revoked_at: string | null };

// admin and social codes differ in length, so at most one of the two names exists
const SELECT_KEYS = `
  SELECT k.id, k.name, k.scope, k.prefix, k.created_at, k.revoked_at,
    COALESCE(
      (SELECT a.name FROM admin_areas a WHERE a.code = k.scope),
      (SELECT g.name FROM grids g WHERE g.scheme = 'social' AND g.code = k.scope ORDER BY g.valid_from DESC LIMIT 1)
    ) AS scope_name
  FROM api_keys k`;

/**
 * Makes a key for a stored scope and returns its secret, the only time it is seen: the store keeps
 * its SHA-256. Throws InvalidRequestError for an empty or long name or an unknown scope.
 * @example const { secret, key } = createApiKey(store, { name: '东华门街道分中心', scope: '110101001' });
 */
export function createApiKey(store: Store, request: { name: string; scope: string }): { secret: string; key: ApiKey } {
  const name = checkedName(request.name);
  requireStoredScope(store, request.scope);
  const secret = `wg_${randomBytes(32).toString('base64url')}`;
  const { lastInsertRowid } = store.db
    .prepare('INSERT INTO api_keys (name, scope, secret_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(name, request.scope, secretHash(secret), secret.slice(0, PREFIX_LENGTH), new Date().toISOString());
  return { secret, key: keyById(store, Number(lastInsertRowid))! };
}

/** Every key, revoked ones included, oldest first. */
export function listApiKeys(store: Store): ApiKey[] {
  return (store.db.prepare(`${SELECT_KEYS} ORDER BY k.id`).all() as KeyRow[]).map(toApiKey);
}

/**
 * Revokes a key by its id or its prefix (as `listApiKeys` shows them). Revoking a revoked key
 * keeps the first revocation time. Throws NotFoundError when no key matches.
 */
export function revokeApiKey(store: Store, idOrPrefix: string): ApiKey {
  const key = keyByIdOrPrefix(store, idOrPrefix);
  store.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(new Date().toISOString(), key.id);
  return keyById(store, key.id)!;
}

/** The unrevoked key whose secret this is, or null; looked up by hash, so the secret is never compared or stored. */
export function findApiKey(store: Store, secret: string): ApiKey | null {
  const row = store.db.prepare(`${SELECT_KEYS} WHERE k.secret_hash = ? AND k.revoked_at IS NULL`).get(secretHash(secret)) as KeyRow | undefined;
  return row === undefined ? null : toApiKey(row);
}

function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new InvalidRequestError('a key needs a name saying who holds it (e.g. 东华门街道分中心), got an empty one');
  const length = [...trimmed].length;
  if (length > MAX_NAME_LENGTH) throw new InvalidRequestError(`a key's name must be at most ${MAX_NAME_LENGTH} characters, got ${length}`);
  // one key per line in listings and change logs
  if (/\p{Cc}/u.test(trimmed)) throw new InvalidRequestError("a key's name must not contain control characters such as line breaks");
  return trimmed;
}

/** Throws InvalidRequestError unless the scope is a stored area or a current social grid. */
function requireStoredScope(store: Store, scope: string): void {
  const level = scopeLevel(scope);
  const stored =
    level === 'social_grid'
      ? store.db.prepare("SELECT 1 FROM grids WHERE scheme = 'social' AND code = ? AND valid_to IS NULL").get(scope)
      : store.db.prepare('SELECT 1 FROM admin_areas WHERE code = ?').get(scope);
  if (stored !== undefined) return;
  const what = level === 'social_grid' ? 'current social grid' : level;
  throw new InvalidRequestError(`scope ${scope}: no ${what} with this code is stored (wangge export --layer ${level === 'social_grid' ? 'grids' : 'areas'} lists them)`);
}

function keyById(store: Store, id: number): ApiKey | null {
  const row = store.db.prepare(`${SELECT_KEYS} WHERE k.id = ?`).get(id) as KeyRow | undefined;
  return row === undefined ? null : toApiKey(row);
}

function keyByIdOrPrefix(store: Store, idOrPrefix: string): ApiKey {
  if (/^[0-9]+$/.test(idOrPrefix)) {
    const key = keyById(store, Number(idOrPrefix));
    if (key === null) throw new NotFoundError(`no API key has id ${idOrPrefix}`);
    return key;
  }
  if (idOrPrefix.length !== PREFIX_LENGTH) {
    // never repeat the text: it may be a pasted secret
    throw new NotFoundError(`a key is named by its id or its ${PREFIX_LENGTH}-character prefix (wangge keys list shows both), got ${idOrPrefix.length} characters`);
  }
  const rows = store.db.prepare(`${SELECT_KEYS} WHERE k.prefix = ? ORDER BY k.id`).all(idOrPrefix) as KeyRow[];
  if (rows.length === 0) throw new NotFoundError(`no API key has prefix ${idOrPrefix}`);
  if (rows.length > 1) throw new InvalidRequestError(`prefix ${idOrPrefix} is shared by keys ${rows.map((r) => r.id).join(', ')}; name one by its id`);
  return toApiKey(rows[0]!);
}

function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    scopeLevel: scopeLevel(row.scope),
    scopeName: row.scope_name,
    prefix: row.prefix,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
