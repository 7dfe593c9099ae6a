import { InvalidRequestError, NotFoundError, TooLargeError } from '../errors.js';
import { OffThread, siblingModule } from '../off-thread.js';

/**
 * Bodies larger than this are parsed and checked against their schema in a worker thread: a
 * 100,000-point POST /v1/reverse is ~4 MB of JSON, whose JSON.parse and schema check hold a thread
 * for 100–300 ms (issue 12); 64 KiB take well under a millisecond.
 */
export const OFF_THREAD_BYTES = 64 * 1024;

/** Items of a large array sent back per message, each message a short turn of the event loop to take in. */
const CHUNK_ITEMS = 4000;

const WORKER_URL = siblingModule(import.meta.url, 'body-check-worker');

/** What the main thread asks: check this body against the schema of this operation. */
export type BodyCheckRequest = { id: number; operationId: string; bytes: ArrayBuffer; positions?: string } | { id: number; next: true };

/** The kinds of refusal a body check ends in, so the main thread throws the same class. */
export type RefusalKind = 'invalid' | 'too_large' | 'not_found' | 'internal';

/**
 * The worker's answers: the body with its large arrays emptied and how many chunks follow, each
 * sent when asked for (so the main thread takes one chunk per turn), or the refusal.
 */
export type BodyCheckReply =
  | { id: number; body: unknown; chunks: number }
  | { id: number; member: string; items: unknown[] }
  | { id: number; refusal: RefusalKind; message: string };

/**
 * The body with its member `member`, an array of positions ([x, y, …]), as one Float64Array of x, y
 * pairs: 100,000 points as 100,000 small arrays kept the garbage collector busy for the whole batch.
 */
export function packPositions(body: unknown, member: string | undefined): unknown {
  if (member === undefined || body === null || typeof body !== 'object') return body;
  const positions = (body as Record<string, unknown>)[member];
  if (!Array.isArray(positions)) return body;
  const packed = new Float64Array(positions.length * 2);
  positions.forEach((position: number[], k) => {
    packed[2 * k] = position[0]!;
    packed[2 * k + 1] = position[1]!;
  });
  return { ...body, [member]: packed };
}

/** Splits the large top-level arrays of a checked body off into chunks of CHUNK_ITEMS; the body keeps empty arrays. */
export function splitBody(body: unknown): { body: unknown; chunks: { member: string; items: unknown[] }[] } {
  const chunks: { member: string; items: unknown[] }[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { body, chunks };
  const head: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const [member, value] of Object.entries(head)) {
    if (!Array.isArray(value) || value.length <= CHUNK_ITEMS) continue;
    head[member] = [];
    for (let start = 0; start < value.length; start += CHUNK_ITEMS) chunks.push({ member, items: value.slice(start, start + CHUNK_ITEMS) });
  }
  return { body: head, chunks };
}

/** The error class a refusal becomes on the main thread; `internal` is a 500 that hides its message. */
export function refusalError(kind: RefusalKind, message: string): Error {
  if (kind === 'invalid') return new InvalidRequestError(message);
  if (kind === 'too_large') return new TooLargeError(message);
  if (kind === 'not_found') return new NotFoundError(message);
  return new Error(`body check failed in its worker: ${message}`);
}

/**
 * One worker thread that parses and checks large request bodies (validation.ts decides which), so
 * the event loop only moves bytes and takes the result in chunks (off-thread.ts: started on first
 * use, on the main thread where no worker can run or once it failed).
 */
class BodyCheckThread {
  private readonly thread = new OffThread<BodyCheckRequest, BodyCheckReply>(WORKER_URL, 'body check');

  get available(): boolean {
    return this.thread.available;
  }

  /**
   * The checked body, as `BodyCheck.read` in validation.ts would return it, its member `positions`
   * packed (packPositions); throws the same errors. `inline` checks it on this thread when no worker
   * can start. `move` hands the bytes to the worker (they are gone here after) instead of copying them.
   */
  async check(operationId: string, bytes: ArrayBuffer, positions: string | undefined, inline: () => unknown, move = false): Promise<unknown> {
    const id = this.thread.newId();
    let first: BodyCheckReply;
    try {
      first = await this.thread.ask({ id, operationId, bytes, positions }, move ? [bytes] : []);
    } catch (error) {
      // moved bytes cannot be checked here again
      if (bytes.byteLength === 0 && move) throw error;
      return inline();
    }
    if ('refusal' in first) throw refusalError(first.refusal, first.message);
    if (!('chunks' in first)) throw new Error('body check worker: answer out of order');
    const body = first.body as Record<string, unknown[]>;
    for (let k = 0; k < first.chunks; k++) {
      const chunk = await this.thread.ask({ id, next: true });
      if (!('member' in chunk)) throw new Error('body check worker: answer out of order');
      body[chunk.member]!.push(...chunk.items);
    }
    return body;
  }
}

/** The process's body check thread. */
export const bodyCheckThread = new BodyCheckThread();
