import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

// one per process: the defaults start an event-loop monitor and a GC observer each time they
// are collected into a registry, and every app (tests build hundreds) would add its own
let processRegistry: Registry | undefined;

/**
 * prom-client's default process metrics — CPU, resident memory, heap, GC, handles, event-loop
 * lag — plus `nodejs_heap_used_bytes`, read at scrape time; one registry shared by every app of
 * the process. `nodejs_eventloop_lag_max_seconds` is the longest event-loop delay since the last
 * scrape (prom-client resets its histogram when it is read): how long a request could wait.
 */
export function processMetrics(): Registry {
  if (processRegistry) return processRegistry;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // the name dashboards read before prom-client (its own is nodejs_heap_size_used_bytes)
  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  return (processRegistry = registry);
}
