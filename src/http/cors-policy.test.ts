import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { corsPolicy } from './cors-policy.js';
import { installProblemHandling, type ProblemEnv } from './problem.js';
import { emptyApp, type EmptyApp } from './test-helpers/empty-app.js';

const PAGE = 'https://grid.example.cn';
const OTHER = 'https://elsewhere.example';

/** An app with a read and a write endpoint behind the policy. */
function appWith(origins?: readonly string[]): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.use(corsPolicy(origins));
  app.get('/v1/things/1', (c) => c.json({ id: 1 }, 200, { ETag: '"1"' }));
  app.post('/v1/things', (c) => c.json({ id: 2 }, 201, { Location: '/v1/things/2' }));
  return app;
}

function preflight(app: Hono<ProblemEnv>, origin: string, method: string, headers = 'authorization, content-type'): Promise<Response> {
  return Promise.resolve(
    app.request('/v1/things', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers } }),
  );
}

describe('corsPolicy by default', () => {
  const app = appWith();

  it('lets any page read, with * and no Vary, and the headers a client needs exposed', async () => {
    const res = await app.request('/v1/things/1', { headers: { Origin: OTHER } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('vary')).toBeNull();
    const exposed = res.headers.get('access-control-expose-headers')!.split(',');
    expect(exposed).toEqual(expect.arrayContaining(['ETag', 'Location', 'Retry-After', 'X-Request-Id']));
  });

  it('answers a preflight for a read with 204, the read methods and the asked-for headers', async () => {
    const res = await preflight(app, OTHER, 'GET');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('lets no page write: the preflight carries no Allow-Origin, nor does the write', async () => {
    const res = await preflight(app, OTHER, 'POST');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const write = await app.request('/v1/things', { method: 'POST', headers: { Origin: OTHER } });
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('corsPolicy with origins', () => {
  const app = appWith([PAGE]);

  it('lets a listed origin write, echoing it with Vary: Origin', async () => {
    const res = await preflight(app, PAGE, 'PATCH');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,PUT,PATCH,DELETE');
    expect(res.headers.get('vary')).toContain('Origin');
    const write = await app.request('/v1/things', { method: 'POST', headers: { Origin: PAGE } });
    expect(write.status).toBe(201);
    expect(write.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(write.headers.get('vary')).toContain('Origin');
  });

  it('denies other origins, for writes and reads alike', async () => {
    expect((await preflight(app, OTHER, 'DELETE')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(app, OTHER, 'GET')).headers.get('access-control-allow-origin')).toBeNull();
    const read = await app.request('/v1/things/1', { headers: { Origin: OTHER } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(read.headers.get('vary')).toContain('Origin');
    expect((await app.request('/v1/things/1', { headers: { Origin: PAGE } })).headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('lets any origin write with *', async () => {
    const res = await preflight(appWith(['*']), OTHER, 'POST');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('createApp CORS', () => {
  let built: EmptyApp | undefined;
  afterEach(() => {
    built?.store.close();
    built = undefined;
  });

  it('puts the headers on error answers too, so a page can read a 404 or 429', async () => {
    built = emptyApp({ corsOrigins: [PAGE], rateLimit: 1, rateBurst: 1, trustProxy: true });
    const headers = { Origin: PAGE, 'X-Forwarded-For': '203.0.113.1' };
    const missing = await built.app.request('/v1/nothing-here', { headers });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(PAGE);
    const limited = await built.app.request('/health', { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('answers a preflight before routing, on any path', async () => {
    built = emptyApp();
    const res = await built.app.request('/v1/reverse', { method: 'OPTIONS', headers: { Origin: OTHER, 'Access-Control-Request-Method': 'GET' } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
