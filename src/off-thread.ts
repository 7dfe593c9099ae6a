import { Worker } from 'node:worker_threads';

/** Requests and replies carry the id of the request they belong to. */
export interface Tagged {
  id: number;
}

/**
 * The worker module `name` next to the module at `base` (its import.meta.url), in the same form:
 * `name.js` when built, `name.ts` from sources.
 */
export function siblingModule(base: string, name: string): URL {
  return new URL(`./${name}${base.slice(base.lastIndexOf('.'))}`, base);
}

/**
 * One worker thread for work that would hold the event loop, started on first use. It keeps the
 * process alive only while an answer is awaited. A worker runs the built module (dist/); from
 * sources (vitest, tsx) `available` is false and callers do the work on this thread, as they do
 * for good once the worker has failed.
 */
export class OffThread<Request extends Tagged, Reply extends Tagged> {
  /** false where no worker can run the module (sources), or once one failed */
  available: boolean;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();

  constructor(
    private readonly url: URL,
    /** names the worker in errors: "the body check worker exited with code 1" */
    private readonly name: string,
  ) {
    this.available = url.pathname.endsWith('.js');
  }

  /** A new request id. */
  newId(): number {
    return this.nextId++;
  }

  /** Sends a request; resolves with the worker's reply of the same id, rejects if the worker fails or cannot start. */
  ask(request: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const worker = this.start();
    if (worker === undefined) return Promise.reject(new Error(`the ${this.name} worker is gone`));
    return new Promise((resolve, reject) => {
      // alive while an answer is awaited, and not a moment longer
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(request.id, { resolve, reject });
      worker.postMessage(request, transfer);
    });
  }

  private start(): Worker | undefined {
    if (this.worker !== undefined || !this.available) return this.worker;
    let worker: Worker;
    try {
      // node's own flags are inherited (given explicitly, one such as --trace-gc is refused)
      worker = new Worker(this.url);
    } catch {
      this.available = false;
      return undefined;
    }
    worker.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      waiter?.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.worker = undefined;
      this.available = false;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ${this.name} worker exited with code ${code}`)));
    // after the listeners: adding a 'message' listener refs the worker again
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
