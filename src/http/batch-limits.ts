import type { Context, MiddlewareHandler } from 'hono';
import { TooLargeError } from '../errors.js';
import type { ApiKeyLookup } from '../auth/api-keys.js';
import { requireApiKey } from './auth.js';

/**
 * Items per batch request, without and with an API key (issue 12). Without a key the batch is what
 * a page or a script asks at once (10,000 points answer in ~0.3 s); a key, which names who asks,
 * allows ten times more. Addresses cost 10–100 times a point (a forward lookup parses and ranks),
 * so their batches are ten times smaller. Files of any size go through `wangge reverse` and
 * `wangge geocode`.
 */
export const BATCH_LIMITS = {
  points: { withoutKey: 10_000, withKey: 100_000 },
  addresses: { withoutKey: 1_000, withKey: 10_000 },
} as const;

export type BatchMember = keyof typeof BATCH_LIMITS;

/**
 * Middleware for the batch endpoints: a request carrying `Authorization` must name a valid key (401
 * otherwise), which lifts its batch limit; without the header the request goes on without a key.
 * A key already checked (`--reads-need-key`) is kept.
 */
export function batchKey(lookup: ApiKeyLookup | undefined): MiddlewareHandler {
  const check = lookup === undefined ? undefined : (requireApiKey(lookup) as unknown as MiddlewareHandler);
  return async function batchKeyCheck(c, next) {
    if (check === undefined || c.get('apiKey') !== undefined || c.req.header('Authorization') === undefined) return next();
    return check(c, next);
  };
}

/** Refuses (413) a batch of more items than this request may send: the limit depends on whether it carries a key. */
export function requireBatchSize(c: Context, member: BatchMember, count: number): void {
  const { withoutKey, withKey } = BATCH_LIMITS[member];
  if (c.get('apiKey') !== undefined || count <= withoutKey) return;
  throw new TooLargeError(
    `body ${member} has ${count.toLocaleString('en')} items; at most ${withoutKey.toLocaleString('en')} per request without an API key ` +
      `(${withKey.toLocaleString('en')} with one: Authorization: Bearer <key>) — split the batch`,
  );
}
