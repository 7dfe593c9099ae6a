import { parentPort } from 'node:worker_threads';
import { InvalidRequestError, NotFoundError, TooLargeError } from '../errors.js';
import { packPositions, splitBody, type BodyCheckReply, type BodyCheckRequest, type RefusalKind } from './body-check-thread.js';
import { checkRequestBody } from './validation.js';

// Worker side of body-check-thread.ts: parses and checks one body at a time and hands its large
// arrays back a chunk per request, keeping what is not asked for yet.
const port = parentPort!;
const decoder = new TextDecoder();
const unsent = new Map<number, { member: string; items: unknown[] }[]>();

port.on('message', (request: BodyCheckRequest) => {
  if ('next' in request) {
    const chunks = unsent.get(request.id) ?? [];
    const chunk = chunks.shift();
    if (chunks.length === 0) unsent.delete(request.id);
    reply(chunk === undefined ? { id: request.id, refusal: 'internal', message: 'no chunk left' } : { id: request.id, ...chunk });
    return;
  }
  try {
    const { body, chunks } = splitBody(packPositions(checkRequestBody(request.operationId, decoder.decode(request.bytes)), request.positions));
    if (chunks.length > 0) unsent.set(request.id, chunks);
    const packed = request.positions === undefined ? undefined : (body as Record<string, unknown>)[request.positions];
    // the packed positions move to the main thread, not copied
    reply({ id: request.id, body, chunks: chunks.length }, packed instanceof Float64Array ? [packed.buffer as ArrayBuffer] : []);
  } catch (error) {
    reply({ id: request.id, refusal: kindOf(error), message: (error as Error).message });
  }
});

function reply(message: BodyCheckReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function kindOf(error: unknown): RefusalKind {
  if (error instanceof TooLargeError) return 'too_large';
  if (error instanceof NotFoundError) return 'not_found';
  return error instanceof InvalidRequestError ? 'invalid' : 'internal';
}
