import { ConflictError, InvalidRequestError } from '../errors.js';
import { OffThread, siblingModule } from '../off-thread.js';
import { planRedraw, type RedrawInput, type RedrawPlan } from './redraw-plan.js';

export interface RedrawRequestMessage {
  id: number;
  input: RedrawInput;
}

/** The worker's answer: the plan, or the refusal it ended in (its class by name, so the main thread throws the same). */
export type RedrawReply = { id: number; plan: RedrawPlan } | { id: number; refusal: 'conflict' | 'invalid' | 'internal'; message: string };

const thread = new OffThread<RedrawRequestMessage, RedrawReply>(siblingModule(import.meta.url, 'redraw-worker'), 'redraw');

/**
 * A redraw planned on a worker thread (redraw-plan.ts): the polygon clipping of a boundary of
 * 2,000 vertices holds a thread 50–120 ms, which GET /health must not wait for (issue 12). Planned
 * on this thread where no worker can run (sources) or once it failed. Throws what planning throws.
 */
export async function planRedrawOffThread(input: RedrawInput): Promise<RedrawPlan> {
  if (!thread.available) return planRedraw(input);
  let reply: RedrawReply;
  try {
    reply = await thread.ask({ id: thread.newId(), input });
  } catch {
    return planRedraw(input);
  }
  if ('plan' in reply) return reply.plan;
  if (reply.refusal === 'conflict') throw new ConflictError(reply.message);
  if (reply.refusal === 'invalid') throw new InvalidRequestError(reply.message);
  throw new Error(`redraw worker: ${reply.message}`);
}
