import { Hono } from 'hono';
import { StoreError, UnavailableError } from '../../errors.js';
import type { DatabaseStatus } from '../../store/postgis/follow.js';
import type { StoreCounts } from '../../store/store.js';
import { validated } from '../validation.js';

/** What /health needs from the store. */
export interface HealthSource {
  counts(): StoreCounts;
}

/** Body of `GET /health`. */
export interface HealthBody {
  status: 'ok' | 'degraded';
  /** why degraded */
  reason?: string;
  counts: StoreCounts;
}

/**
 * `GET /health`: ok plus feature counts; 503 when the local database cannot be read. A replica of
 * a PostGIS database (`database` says how it stands) that has lost it is `degraded` (200: it
 * still answers reads from its copy), and `GET /health/ready` — for a load balancer — answers
 * 503 then: writes cannot be taken and the copy no longer follows.
 */
export function healthRoutes(store: HealthSource, database?: () => DatabaseStatus): Hono {
  const app = new Hono();
  app.get('/health/ready', validated('healthReadyGet'), function healthReadyGet(c) {
    const status = database?.();
    if (status !== undefined && !status.reachable) throw new UnavailableError('database_unavailable', `not ready: ${status.reason ?? 'the database cannot be reached'}`, 5);
    return c.json({ ready: true }, 200, { 'Cache-Control': 'no-cache' });
  });
  app.get('/health', validated('healthGet'), function healthGet(c) {
    let counts: StoreCounts;
    try {
      counts = store.counts();
    } catch (error) {
      // a closed or corrupt database makes the service unhealthy (503), not broken (500)
      throw new StoreError(`cannot count features: ${(error as Error).message}`, { cause: error });
    }
    const status = database?.();
    const body: HealthBody = status === undefined || status.reachable ? { status: 'ok', counts } : { status: 'degraded', reason: status.reason, counts };
    return c.json(body, 200, { 'Cache-Control': 'no-cache' });
  });
  return app;
}
