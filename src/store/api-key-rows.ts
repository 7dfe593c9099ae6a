import type { Store } from './store.js';

/** An API key as the api_keys table holds it, with the name of its scope as stored now. */
export type ListedKeyRow = { id: number; name: string; scope: string; scope_name: string | null; prefix: string; created_at: string; revoked_at: string | null };

// admin and social codes differ in length, so at most one of the two names exists
const SELECT_KEYS = `
  SELECT k.id, k.name, k.scope, k.prefix, k.created_at, k.revoked_at,
    COALESCE(
      (SELECT a.name FROM admin_areas a WHERE a.code = k.scope),
      (SELECT g.name FROM grids g WHERE g.scheme = 'social' AND g.code = k.scope ORDER BY g.valid_from DESC LIMIT 1)
    ) AS scope_name
  FROM api_keys k`;

/** Stores a key (its secret's hash, never the secret); returns its id. */
export function insertKeyRow(store: Store, key: { name: string; scope: string; secretHash: string; prefix: string; createdAt: string }): number {
  const { lastInsertRowid } = store.db
    .prepare('INSERT INTO api_keys (name, scope, secret_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(key.name, key.scope, key.secretHash, key.prefix, key.createdAt);
  return Number(lastInsertRowid);
}

/**
 * Key rows, oldest first: all of them, the one with an id, those with a prefix, or the unrevoked
 * one whose secret has this hash.
 */
export function keyRows(store: Store, by: { id?: number; prefix?: string; secretHash?: string }): ListedKeyRow[] {
  if (by.id !== undefined) return store.db.prepare(`${SELECT_KEYS} WHERE k.id = ?`).all(by.id) as ListedKeyRow[];
  if (by.prefix !== undefined) return store.db.prepare(`${SELECT_KEYS} WHERE k.prefix = ? ORDER BY k.id`).all(by.prefix) as ListedKeyRow[];
  if (by.secretHash !== undefined) return store.db.prepare(`${SELECT_KEYS} WHERE k.secret_hash = ? AND k.revoked_at IS NULL`).all(by.secretHash) as ListedKeyRow[];
  return store.db.prepare(`${SELECT_KEYS} ORDER BY k.id`).all() as ListedKeyRow[];
}

/** Marks a key revoked at `at`; a revoked key keeps its first revocation time. */
export function revokeKeyRow(store: Store, id: number, at: string): void {
  store.db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id);
}

/** Whether a key may name this scope: a stored area, or a current social grid. */
export function scopeStored(store: Store, scope: string, kind: 'area' | 'social_grid'): boolean {
  const row =
    kind === 'social_grid'
      ? store.db.prepare("SELECT 1 FROM grids WHERE scheme = 'social' AND code = ? AND valid_to IS NULL").get(scope)
      : store.db.prepare('SELECT 1 FROM admin_areas WHERE code = ?').get(scope);
  return row !== undefined;
}
