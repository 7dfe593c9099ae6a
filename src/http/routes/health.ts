import { Hono } from 'hono';
import { StoreError } from '../../errors.js';
import type { StoreCounts } from '../../store/store.js';
import { validated } from '../validation.js';

/** What /health needs from the store. */
export interface HealthSource {
  counts(): StoreCounts;
}

/** Body of `GET /health`. */
export interface HealthBody {
  status: 'ok';
  counts: StoreCounts;
}

/** `GET /health`: ok plus feature counts; 503 when the database cannot be read. */
export function healthRoutes(store: HealthSource): Hono {
  const app = new Hono();
  app.get('/health', validated('healthGet'), function healthGet(c) {
    let counts: StoreCounts;
    try {
      counts = store.counts();
    } catch (error) {
      // a closed or corrupt database makes the service unhealthy (503), not broken (500)
      throw new StoreError(`cannot count features: ${(error as Error).message}`, { cause: error });
    }
    const body: HealthBody = { status: 'ok', counts };
    return c.json(body, 200, { 'Cache-Control': 'no-cache' });
  });
  return app;
}
