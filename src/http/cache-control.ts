import { InvalidRequestError } from '../errors.js';

/** Route groups whose Cache-Control an operator may set (`serve --cache-control GROUP=VALUE`). */
export const CACHE_GROUPS = ['tiles', 'tilejson', 'catalog'] as const;
export type CacheGroup = (typeof CACHE_GROUPS)[number];

/**
 * Cache-Control per route group; a group left out keeps its default: tiles `public, max-age=N`
 * (N = 60 s for live sources, whose tiles change with writes, 3600 s for archives), TileJSON and
 * the catalog `no-cache` (their URLs and source lists change with the request and the flags).
 */
export type CacheControlPolicy = Partial<Record<CacheGroup, string>>;

// a header value: visible ASCII and spaces, so nothing can end the header early
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * Reads `GROUP=VALUE` settings, each group at most once; the value is sent as it is.
 * @example parseCacheControl(['tiles=public, max-age=300, stale-while-revalidate=60']) // { tiles: 'public, max-age=300, stale-while-revalidate=60' }
 */
export function parseCacheControl(settings: readonly string[]): CacheControlPolicy {
  const policy: CacheControlPolicy = {};
  for (const setting of settings) {
    const at = setting.indexOf('=');
    const group = setting.slice(0, Math.max(at, 0)).trim();
    const value = setting.slice(at + 1).trim();
    if (at < 0 || !(CACHE_GROUPS as readonly string[]).includes(group)) {
      throw new InvalidRequestError(`cache control "${setting}" must be GROUP=VALUE with GROUP one of ${CACHE_GROUPS.join(', ')}`);
    }
    if (!HEADER_VALUE.test(value)) throw new InvalidRequestError(`cache control for ${group} must be a header value (printable ASCII), got "${value}"`);
    if (policy[group as CacheGroup] !== undefined) throw new InvalidRequestError(`cache control for ${group} is given twice`);
    policy[group as CacheGroup] = value;
  }
  return policy;
}
