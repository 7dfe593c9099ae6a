import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './serve.js';

/** An app whose /slow answers after `?ms=` milliseconds. */
function slowApp(): Hono {
  const app = new Hono();
  app.get('/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, Number(c.req.query('ms'))));
    return c.text('done');
  });
  app.get('/fast', (c) => c.text('ok'));
  return app;
}

let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close({ graceMs: 0 }).catch(() => {});
  server = undefined;
});

/** Resolves once the server counts `n` requests in flight. */
async function untilInFlight(running: RunningServer, n: number): Promise<void> {
  while (running.inFlight < n) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('startServer close', () => {
  it('lets a request in flight finish, then closes at once although its connection is kept alive', async () => {
    server = await startServer(slowApp(), { host: '127.0.0.1', port: 0 });
    const running = server;
    // an idle kept-alive connection as well
    expect(await (await fetch(`${running.url}/fast`)).text()).toBe('ok');
    const answer = fetch(`${running.url}/slow?ms=300`).then(async (res) => ({ status: res.status, body: await res.text() }));
    await untilInFlight(running, 1);
    const started = performance.now();
    const closed = await running.close();
    const ms = performance.now() - started;
    expect(await answer).toEqual({ status: 200, body: 'done' });
    expect(closed).toEqual({ dropped: 0 });
    // not the 5 s keep-alive timeout of the connection that carried the answer
    expect(ms).toBeLessThan(2000);
    await expect(fetch(`${running.url}/fast`)).rejects.toThrow();
    server = undefined;
  });

  it('closes the connections of requests still running when the grace period ends', async () => {
    server = await startServer(slowApp(), { host: '127.0.0.1', port: 0 });
    const running = server;
    const answer = fetch(`${running.url}/slow?ms=5000`).then(
      (res) => res.status,
      () => 'dropped',
    );
    await untilInFlight(running, 1);
    const started = performance.now();
    expect(await running.close({ graceMs: 100 })).toEqual({ dropped: 1 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await answer).toBe('dropped');
    server = undefined;
  });
});
