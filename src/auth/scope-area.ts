import type { AreaGeometry } from '../model.js';
import type { Store } from '../store/store.js';
import { scopeLevel } from './scope.js';

/**
 * The area a scope covers as stored now: its district's, street's or community's boundary, or its
 * social grid's current one; null when it is no longer stored. Lines and polygons a key writes
 * must lie in it, and a key reads the changes made in it.
 * @example scopeArea(store, '110101001') // 东华门街道's boundary
 */
export function scopeArea(store: Store, scope: string): AreaGeometry | null {
  const stored = scopeLevel(scope) === 'social_grid' ? store.getGrid('social', scope) : store.getArea(scope);
  return stored?.geometry ?? null;
}
