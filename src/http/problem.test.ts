import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodeError } from '../codes/index.js';
import { ConflictError, InvalidRequestError, NotFoundError, StoreError } from '../errors.js';
import { errorStatus, installProblemHandling, type Problem, type ProblemEnv } from './problem.js';

/** An app whose only route throws the given error. */
function appThrowing(error: Error): Hono<ProblemEnv> {
  const app = new Hono<ProblemEnv>();
  installProblemHandling(app);
  app.get('/boom', () => {
    throw error;
  });
  return app;
}

async function problemFor(error: Error): Promise<{ res: Response; problem: Problem }> {
  const res = await appThrowing(error).request('/boom');
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const problem = (await res.json()) as Problem;
  expect(problem.status).toBe(res.status);
  expect(problem.type).toBe('about:blank');
  expect(problem.instance).toBe('/boom');
  expect(problem.request_id).toBe(res.headers.get('x-request-id'));
  return { res, problem };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('installProblemHandling', () => {
  it('answers NotFoundError with 404 and its message', async () => {
    const { res, problem } = await problemFor(new NotFoundError('no house with id 7'));
    expect(res.status).toBe(404);
    expect(problem).toMatchObject({ title: 'Not Found', detail: 'no house with id 7', code: 'not_found' });
  });

  it('answers InvalidRequestError with 400 and its message', async () => {
    const { res, problem } = await problemFor(new InvalidRequestError('at must be a date YYYY-MM-DD, got x'));
    expect(res.status).toBe(400);
    expect(problem).toMatchObject({ title: 'Bad Request', detail: 'at must be a date YYYY-MM-DD, got x', code: 'invalid_request' });
  });

  it('answers a CodeError (an InvalidRequestError) with 400 naming the part', async () => {
    const { res, problem } = await problemFor(new CodeError('unit-grid', '110101001001000', 'serial', 'serial "000" must be 001–999'));
    expect(res.status).toBe(400);
    expect(problem.detail).toBe('unit grid code 110101001001000: serial "000" must be 001–999');
  });

  it('answers ConflictError with 409 and its message', async () => {
    const { res, problem } = await problemFor(new ConflictError('grid 1 already has a version from 2026-01-01'));
    expect(res.status).toBe(409);
    expect(problem).toMatchObject({ title: 'Conflict', detail: 'grid 1 already has a version from 2026-01-01', code: 'conflict' });
  });

  it('answers StoreError with 503, logging the message instead of showing it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { res, problem } = await problemFor(new StoreError('cannot open database /srv/private/wangge.db: SQLITE_CORRUPT'));
    expect(res.status).toBe(503);
    expect(problem).toMatchObject({ title: 'Service Unavailable', code: 'store_error' });
    expect(JSON.stringify(problem)).not.toContain('/srv/private');
    expect(log).toHaveBeenCalledOnce();
  });

  it('answers any other error with a 500 that does not leak the message', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = new TypeError('cannot read properties of undefined (password=hunter2)');
    const { res, problem } = await problemFor(error);
    expect(res.status).toBe(500);
    expect(problem).toMatchObject({ title: 'Internal Server Error', code: 'internal' });
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(JSON.stringify(problem)).not.toContain('TypeError');
    // the real error is logged under the request id the client sees
    expect(problem.detail).toContain(problem.request_id);
    expect(log).toHaveBeenCalledOnce();
    const line = JSON.parse(String(log.mock.calls[0]?.[0])) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'error', request_id: problem.request_id, status: 500, stack: error.stack });
  });

  it('keeps the status of a hono HTTPException', async () => {
    const { res, problem } = await problemFor(new HTTPException(413, { message: 'body too large' }));
    expect(res.status).toBe(413);
    expect(problem.detail).toBe('body too large');
  });

  it('answers unknown paths with 404 and wrong methods with 405 plus Allow', async () => {
    const app = appThrowing(new Error('unused'));
    const missing = await app.request('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrong = await app.request('/boom', { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toBe('application/problem+json');
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    expect(((await wrong.json()) as Problem).detail).toBe('PUT is not allowed on /boom; allowed: GET, HEAD');
  });
});

describe('errorStatus', () => {
  it('maps each error class through one table, subclasses first', () => {
    expect(errorStatus(new NotFoundError('x')).status).toBe(404);
    expect(errorStatus(new CodeError('admin', '1', 'length', 'too short')).status).toBe(400);
    expect(errorStatus(new InvalidRequestError('x')).status).toBe(400);
    expect(errorStatus(new ConflictError('x')).status).toBe(409);
    expect(errorStatus(new StoreError('x'))).toMatchObject({ status: 503, expose: false });
    expect(errorStatus(new RangeError('x'))).toMatchObject({ status: 500, expose: false });
    expect(errorStatus('not even an Error')).toMatchObject({ status: 500, expose: false });
  });
});
