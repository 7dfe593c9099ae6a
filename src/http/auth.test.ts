import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, findApiKey, revokeApiKey } from '../auth/api-keys.js';
import { UnauthorizedError } from '../errors.js';
import { Store } from '../store/store.js';
import { bearerSecret, optionalApiKey, requireApiKey, type AuthEnv } from './auth.js';
import { installProblemHandling, type Problem, type ProblemEnv } from './problem.js';

const square = { type: 'Polygon' as const, coordinates: [[[116.4, 39.9], [116.401, 39.9], [116.401, 39.901], [116.4, 39.901], [116.4, 39.9]]] };

let store: Store;
let secret: string;

/** An app with one open read and one write behind the key check, as the service wires them. */
function app(): Hono<ProblemEnv & AuthEnv> {
  const app = new Hono<ProblemEnv & AuthEnv>();
  installProblemHandling(app);
  const needKey = requireApiKey((s) => findApiKey(store, s));
  app.get('/v1/things/1', (c) => c.json({ open: true }));
  app.post('/v1/things', needKey, (c) => c.json({ by: c.get('apiKey').name, scope: c.get('apiKey').scope }, 201));
  return app;
}

function post(headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app().request('/v1/things', { method: 'POST', headers }));
}

async function expectUnauthorized(res: Response, detail: string | RegExp): Promise<Problem> {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('www-authenticate')).toBe('Bearer realm="wangge"');
  const problem = (await res.json()) as Problem;
  expect(problem).toMatchObject({ status: 401, title: 'Unauthorized', code: 'unauthorized'});
  expect(problem.detail).toMatch(detail);
  return problem;
}

beforeEach(() => {
  store = Store.open(':memory:');
  store.insert('areas', [{ code: '110101001', level: 'street', name: '东华门街道', parentCode: '110101', geometry: square }]);
  secret = createApiKey(store, { name: '东华门街道分中心', scope: '110101001' }).secret;
});
afterEach(() => store.close());

describe('requireApiKey', () => {
  it('lets a request with a good key through and puts the key on the context', async () => {
    const res = await post({ Authorization: `Bearer ${secret}` });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ by: '东华门街道分中心', scope: '110101001' });
  });

  it('takes the scheme in any case and trims the header', async () => {
    expect((await post({ Authorization: `  bearer   ${secret}  ` })).status).toBe(201);
    expect((await post({ Authorization: `BEARER ${secret}` })).status).toBe(201);
  });

  it('leaves routes without it open', async () => {
    const res = await app().request('/v1/things/1');
    expect(res.status).toBe(200);
  });

  it('answers 401 problem+json without a key', async () => {
    await expectUnauthorized(await post(), 'this request needs an API key: send "Authorization: Bearer <key>"');
    await expectUnauthorized(await post({ Authorization: '   ' }), 'needs an API key');
  });

  it('answers 401 for a malformed header, never repeating the secret', async () => {
    const cases: [string, RegExp][] = [
      [`Basic ${secret}`, /must be "Bearer <key>"$/],
      [secret, /holds a bare key: put "Bearer " before it/],
      ['Bearer', /no key after "Bearer"/],
      [`Bearer ${secret} ${secret}`, /one key after "Bearer", found 2 words/],
    ];
    for (const [header, detail] of cases) {
      const problem = await expectUnauthorized(await post({ Authorization: header }), detail);
      expect(JSON.stringify(problem)).not.toContain(secret.slice(3, 10));
    }
  });

  it('answers 401 for an unknown key, and for one revoked since', async () => {
    await expectUnauthorized(await post({ Authorization: `Bearer ${secret}x` }), 'the API key is unknown or revoked');
    await expectUnauthorized(await post({ Authorization: 'Bearer 0123456789' }), 'not a wangge key (wangge keys start with "wg_")');
    expect((await post({ Authorization: `Bearer ${secret}` })).status).toBe(201);
    revokeApiKey(store, '1');
    await expectUnauthorized(await post({ Authorization: `Bearer ${secret}` }), 'the API key is unknown or revoked');
  });

  it('can guard a whole path prefix, as readsNeedKey does', async () => {
    const guarded = new Hono<ProblemEnv & AuthEnv>();
    installProblemHandling(guarded);
    guarded.use('/v1/*', requireApiKey((s) => findApiKey(store, s)));
    guarded.get('/health', (c) => c.json({ status: 'ok' }));
    guarded.get('/v1/things/1', (c) => c.json({ by: c.get('apiKey').name }));
    expect((await guarded.request('/health')).status).toBe(200);
    await expectUnauthorized(await guarded.request('/v1/things/1'), 'needs an API key');
    const res = await guarded.request('/v1/things/1', { headers: { Authorization: `Bearer ${secret}` } });
    expect(await res.json()).toEqual({ by: '东华门街道分中心' });
  });
});

describe('optionalApiKey', () => {
  it('lets a request without a key through without one, and checks a key that is sent', async () => {
    const reads = new Hono<ProblemEnv & AuthEnv>();
    installProblemHandling(reads);
    reads.get('/v1/changes', optionalApiKey((s) => findApiKey(store, s)), (c) => c.json({ by: (c.get('apiKey') as { name: string } | undefined)?.name ?? null }));
    expect(await (await reads.request('/v1/changes')).json()).toEqual({ by: null });
    const res = await reads.request('/v1/changes', { headers: { Authorization: `Bearer ${secret}` } });
    expect(await res.json()).toEqual({ by: '东华门街道分中心' });
    await expectUnauthorized(await reads.request('/v1/changes', { headers: { Authorization: 'Bearer wg_nope' } }), 'the API key is unknown or revoked');
  });
});

describe('bearerSecret', () => {
  it('returns the token after Bearer', () => {
    expect(bearerSecret('Bearer wg_abc')).toBe('wg_abc');
    expect(bearerSecret('bEaReR \t wg_abc ')).toBe('wg_abc');
  });

  it('throws UnauthorizedError for anything else', () => {
    for (const header of [undefined, '', 'Bearer', 'Token wg_abc', 'wg_abc', 'Bearer a b']) {
      expect(() => bearerSecret(header)).toThrow(UnauthorizedError);
    }
  });
});
