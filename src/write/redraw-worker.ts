import { parentPort } from 'node:worker_threads';
import { ConflictError, InvalidRequestError } from '../errors.js';
import type { RedrawReply, RedrawRequestMessage } from './redraw-thread.js';
import { planRedraw } from './redraw-plan.js';

// Worker side of redraw-thread.ts: plans one redraw at a time.
const port = parentPort!;

port.on('message', ({ id, input }: RedrawRequestMessage) => {
  let reply: RedrawReply;
  try {
    reply = { id, plan: planRedraw(input) };
  } catch (error) {
    const refusal = error instanceof ConflictError ? 'conflict' : error instanceof InvalidRequestError ? 'invalid' : 'internal';
    reply = { id, refusal, message: (error as Error).message };
  }
  port.postMessage(reply);
});
