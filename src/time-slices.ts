/**
 * Longest stretch of batch work before other requests get the event loop: GET /health waits about
 * this long behind a 100,000-point POST /v1/reverse, not the seconds the whole batch takes (issue 12).
 */
export const SLICE_MS = 5;

/**
 * Resolves once the event loop has looked for I/O since the call: setImmediate twice, as a
 * setImmediate from a callback of the poll phase (a request handler, a worker's reply) runs in
 * the same turn of the loop, right after it, before requests that arrived meanwhile are read.
 */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Calls `step(k)` for k = 0 … count − 1, yielding to the event loop (setImmediate: after pending
 * I/O) whenever a slice has run SLICE_MS. A throw from `step` ends the loop.
 * @example await forEachInSlices(points.length, (k) => answer(points[k]));
 */
export async function forEachInSlices(count: number, step: (k: number) => void): Promise<void> {
  let sliceStarted = performance.now();
  for (let k = 0; k < count; k++) {
    step(k);
    if (performance.now() - sliceStarted < SLICE_MS) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStarted = performance.now();
  }
}

/**
 * Runs a stepped computation (a generator that yields between steps of a few milliseconds) to its
 * end, giving the event loop a turn whenever a slice has run SLICE_MS; resolves to its result.
 */
export async function runInSlices<T>(steps: Generator<void, T>): Promise<T> {
  let sliceStarted = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted < SLICE_MS) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStarted = performance.now();
  }
}

/** Runs a stepped computation to its end at once, where nothing else waits (a start-up, a batch). */
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
