import { getRequestListener, RequestError } from '@hono/node-server';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Anything with a fetch handler: a Hono app. `env` carries the node request (client address). */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

export interface ServeOptions {
  /** listen address, e.g. 127.0.0.1 or 0.0.0.0 */
  host: string;
  /** 0 picks a free port */
  port: number;
}

/** How long an idle kept-alive connection stays open (below Node's 60 s headersTimeout). */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** How long close() lets requests in flight run before it drops their connections. */
export const DEFAULT_GRACE_MS = 10_000;

/** What close() did. */
export interface CloseResult {
  /** requests still unanswered when the grace period ended; their connections were closed */
  dropped: number;
}

/** A listening server: its address and how to stop it. */
export interface RunningServer {
  /** base URL with the bound port, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** requests received and not yet answered */
  readonly inFlight: number;
  /**
   * Stops accepting connections, lets requests in flight finish (up to `graceMs`, then closes
   * their connections) and resolves once every connection is closed.
   */
  close(options?: { graceMs?: number }): Promise<CloseResult>;
}

/**
 * Serves an app with Node's HTTP server; resolves once listening, rejects if it cannot bind.
 * @example
 * const server = await startServer(createApp({ store, geocoders, tiles }), { host: '127.0.0.1', port: 0 });
 * await fetch(`${server.url}/health`);
 * await server.close();
 */
export function startServer(app: FetchApp, { host, port }: ServeOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // @hono/node-server's listener, on a plain Node server: serve() does not take an errorHandler
    const listener = getRequestListener((request, env) => app.fetch(request, env), { hostname: host, errorHandler: unreadableRequest });
    const server = createServer(listener);
    // Node's 5 s is shorter than the pause while the server applies a large import to its indexes
    // (~7 s for 10,000 components on two loaded cores): a client that reused a kept-alive
    // connection in that pause met ECONNRESET (issue 12's mixed load). Shutdown closes idle
    // connections itself (drainer), so a longer timeout does not delay it.
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.listen(port, host, () => {
      const info = server.address() as AddressInfo;
      server.off('error', reject);
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      const drain = drainer(server);
      resolve({
        url: `http://${shown}:${info.port}`,
        port: info.port,
        get inFlight() {
          return drain.inFlight;
        },
        close: ({ graceMs = DEFAULT_GRACE_MS } = {}) => drain.close(graceMs),
      });
    });
    server.once('error', reject);
  });
}

/**
 * Counts requests in flight and closes the server gracefully. `server.close()` alone drops the
 * idle keep-alive connections once (node ≥19) but then waits for every busy one to time out
 * (5 s) after its answer, so each connection is dropped as soon as its answer is sent.
 */
function drainer(server: Server): { readonly inFlight: number; close(graceMs: number): Promise<CloseResult> } {
  let inFlight = 0;
  let closing = false;
  server.on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => {
      inFlight--;
      // the connection is marked idle only after this event: look once the current tick is done
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return {
    get inFlight() {
      return inFlight;
    },
    close: (graceMs) =>
      new Promise<CloseResult>((done, fail) => {
        closing = true;
        let dropped = 0;
        const timer = setTimeout(() => {
          dropped = inFlight;
          server.closeAllConnections();
        }, graceMs);
        server.close((error) => {
          clearTimeout(timer);
          if (error) fail(error);
          else done({ dropped });
        });
      }),
  };
}

/**
 * What a request the app never sees gets — one Node cannot turn into a Request (a backslash or
 * bad escape in the path): problem+json like every other error, not a bare 400.
 */
function unreadableRequest(error: unknown): Response {
  const parse = error instanceof RequestError;
  const problem = {
    type: 'about:blank',
    title: parse ? 'Bad Request' : 'Internal Server Error',
    status: parse ? 400 : 500,
    detail: parse ? 'the request line or headers could not be read (check the path for a backslash or a malformed %-escape)' : 'the server failed to answer this request',
    code: parse ? 'invalid_request' : 'internal',
  };
  return new Response(JSON.stringify(problem), { status: problem.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store' } });
}
