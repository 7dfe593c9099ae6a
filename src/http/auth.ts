import type { MiddlewareHandler } from 'hono';
import type { ApiKey, ApiKeyLookup } from '../auth/api-keys.js';
import { UnauthorizedError } from '../errors.js';

/** Variables `requireApiKey` sets: the caller's key, for scope checks and the change log's actor. */
export type AuthEnv = { Variables: { apiKey: ApiKey } };

/**
 * Middleware that lets a request through only with `Authorization: Bearer <key>` naming an
 * unrevoked key, and puts that key on the context as `apiKey`. Anything else is a 401
 * (UnauthorizedError) whose detail says what was wrong without repeating the secret.
 * @example routes.post('/v1/components', requireApiKey(lookup), componentCreate)
 */
export function requireApiKey(lookup: ApiKeyLookup): MiddlewareHandler<AuthEnv> {
  return async function apiKeyCheck(c, next) {
    const secret = bearerSecret(c.req.header('Authorization'));
    const key = lookup(secret);
    if (key === null) {
      throw new UnauthorizedError(
        secret.startsWith('wg_') ? 'the API key is unknown or revoked' : 'the API key is not a wangge key (wangge keys start with "wg_")',
      );
    }
    c.set('apiKey', key);
    await next();
  };
}

/**
 * `requireApiKey` for a read that shows some keys more (the change log): a request without an
 * Authorization header goes on without a key; one with a header needs a valid key (401 otherwise).
 */
export function optionalApiKey(lookup: ApiKeyLookup): MiddlewareHandler<AuthEnv> {
  const required = requireApiKey(lookup);
  return async function optionalApiKeyCheck(c, next) {
    // under --reads-need-key the key is checked already
    if ((c.get('apiKey') as ApiKey | undefined) !== undefined || c.req.header('Authorization') === undefined) return next();
    return required(c, next);
  };
}

/**
 * The secret of an `Authorization: Bearer <secret>` header (scheme case-insensitive, RFC 9110
 * §11.1); throws UnauthorizedError saying what is missing or malformed.
 */
export function bearerSecret(header: string | undefined): string {
  const parts = (header ?? '').trim().split(/\s+/).filter((part) => part !== '');
  if (parts.length === 0) {
    throw new UnauthorizedError('this request needs an API key: send "Authorization: Bearer <key>" (wangge keys create makes keys)');
  }
  // the first word is not repeated either: a bare secret would be it
  if (parts[0]!.toLowerCase() !== 'bearer') {
    const hint = parts.length === 1 && parts[0]!.startsWith('wg_') ? '; it holds a bare key: put "Bearer " before it' : '';
    throw new UnauthorizedError(`the Authorization header must be "Bearer <key>"${hint}`);
  }
  if (parts.length === 1) throw new UnauthorizedError('the Authorization header has no key after "Bearer"');
  if (parts.length > 2) throw new UnauthorizedError(`the Authorization header must hold one key after "Bearer", found ${parts.length - 1} words`);
  return parts[1]!;
}
