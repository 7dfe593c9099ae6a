import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

/** Anything with a fetch handler: a Hono app. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

export interface ServeOptions {
  /** listen address, e.g. 127.0.0.1 or 0.0.0.0 */
  host: string;
  /** 0 picks a free port */
  port: number;
}

/** A listening server: its address and how to stop it. */
export interface RunningServer {
  /** base URL with the bound port, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** stops accepting connections and resolves once open requests have finished */
  close(): Promise<void>;
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
    const server = serve({ fetch: (request) => app.fetch(request), hostname: host, port }, (info: AddressInfo) => {
      server.off('error', reject);
      const shown = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${shown}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            // node ≥19 also drops idle keep-alive connections here, so close does not hang
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
    server.once('error', reject);
  });
}
