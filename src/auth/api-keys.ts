import { createHash, randomBytes } from 'node:crypto';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import { insertKeyRow, keyRows, revokeKeyRow, scopeStored, type ListedKeyRow } from '../store/api-key-rows.js';
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

/** Finds the unrevoked key a secret belongs to; `(secret) => findApiKey(store, secret)` in the service. */
export type ApiKeyLookup = (secret: string) => ApiKey | null;

/** Characters of the secret kept as its prefix: `wg_` and 7 of the random part. */
export const PREFIX_LENGTH = 10;

const MAX_NAME_LENGTH = 100;

/**
 * Makes a key for a stored scope and returns its secret, the only time it is seen: the store keeps
 * its SHA-256. Throws InvalidRequestError for an empty or long name or an unknown scope.
 * @example const { secret, key } = createApiKey(store, { name: '东华门街道分中心', scope: '110101001' });
 */
export function createApiKey(store: Store, request: { name: string; scope: string }): { secret: string; key: ApiKey } {
  const name = checkedName(request.name);
  requireStoredScope(store, request.scope);
  const secret = `wg_${randomBytes(32).toString('base64url')}`;
  const id = insertKeyRow(store, { name, scope: request.scope, secretHash: secretHash(secret), prefix: secret.slice(0, PREFIX_LENGTH), createdAt: new Date().toISOString() });
  return { secret, key: keyById(store, id)! };
}

/** Every key, revoked ones included, oldest first. */
export function listApiKeys(store: Store): ApiKey[] {
  return keyRows(store, {}).map(toApiKey);
}

/**
 * Revokes a key by its id or its prefix (as `listApiKeys` shows them). Revoking a revoked key
 * keeps the first revocation time. Throws NotFoundError when no key matches.
 */
export function revokeApiKey(store: Store, idOrPrefix: string): ApiKey {
  const key = keyByIdOrPrefix(store, idOrPrefix);
  revokeKeyRow(store, key.id, new Date().toISOString());
  return keyById(store, key.id)!;
}

/** The unrevoked key whose secret this is, or null; looked up by hash, so the secret is never compared or stored. */
export function findApiKey(store: Store, secret: string): ApiKey | null {
  const [row] = keyRows(store, { secretHash: secretHash(secret) });
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
  if (scopeStored(store, scope, level === 'social_grid' ? 'social_grid' : 'area')) return;
  const what = level === 'social_grid' ? 'current social grid' : level;
  throw new InvalidRequestError(`scope ${scope}: no ${what} with this code is stored (wangge export --layer ${level === 'social_grid' ? 'grids' : 'areas'} lists them)`);
}

function keyById(store: Store, id: number): ApiKey | null {
  const [row] = keyRows(store, { id });
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
  const rows = keyRows(store, { prefix: idOrPrefix });
  if (rows.length === 0) throw new NotFoundError(`no API key has prefix ${idOrPrefix}`);
  if (rows.length > 1) throw new InvalidRequestError(`prefix ${idOrPrefix} is shared by keys ${rows.map((r) => r.id).join(', ')}; name one by its id`);
  return toApiKey(rows[0]!);
}

function toApiKey(row: ListedKeyRow): ApiKey {
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
