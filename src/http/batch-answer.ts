import { TooLargeError } from '../errors.js';
import { JsonBytes } from './json-bytes.js';
import { forEachInSlices, SLICE_MS } from '../time-slices.js';

/** Answers written before the stream starts, to project the size of the whole answer from. */
const SAMPLE_ITEMS = 200;
/** Answers written between two looks at the clock (a geocode answer takes ~10 µs, a reverse one ~0.3). */
const CLOCK_ITEMS = 16;
/** Bytes written per pull of the stream. */
const CHUNK_BYTES = 64 * 1024;

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** A batch answer: `head`, the answers to items 0 … count − 1 with `separator` between, then `tail()`. */
export interface BatchAnswer {
  count: number;
  /** what a batch holds, for messages: `points`, `addresses` */
  noun: string;
  head: string;
  /** between two answers: `,` in a JSON array; nothing for NDJSON and CSV rows, which end their line */
  separator: string;
  /** writes the answer to item k */
  writeItem(out: JsonBytes, k: number): void;
  /** the text after the last answer (called once all are written) */
  tail(): string;
  /** the largest answer allowed, bytes */
  maxBytes: number;
}

/**
 * The answer to a batch as a byte stream, written as the client reads it: each pull answers
 * items for at most SLICE_MS or CHUNK_BYTES, after a turn of the event loop, so a 100,000-point
 * batch holds the loop a few milliseconds at a time and its memory stays at a chunk (issue 12;
 * one 40 MB buffer also made V8 collect the whole heap). The first SAMPLE_ITEMS answers are
 * written before the stream starts: a batch whose answer they project past `maxBytes` is
 * refused (413) then, before the rest of the work; one that outgrows the limit later ends its
 * stream with an error, and the client sees a cut-off answer.
 * @example return c.body(await streamBatchAnswer({ count, noun: 'points', head: '{"results":[', separator: ',', writeItem, tail: () => ']}', maxBytes }));
 */
export async function streamBatchAnswer(batch: BatchAnswer): Promise<ReadableStream<Uint8Array>> {
  const { count, noun, separator, writeItem, maxBytes } = batch;
  const first = new JsonBytes(CHUNK_BYTES);
  first.text(batch.head);
  const sample = Math.min(SAMPLE_ITEMS, count);
  await forEachInSlices(sample, (k) => {
    if (k > 0) first.ascii(separator);
    writeItem(first, k);
  });
  const projected = (first.length / Math.max(sample, 1)) * count;
  if (projected > maxBytes) {
    throw new TooLargeError(
      `the answer to ${count.toLocaleString('en')} ${noun} would be about ${mib(projected)} MiB (projected from the first ${sample}), ` +
        `more than this server's limit of ${mib(maxBytes)} MiB per answer: split the batch`,
    );
  }
  let next = sample;
  let written = 0;
  let done = next === count;
  if (done) first.text(batch.tail());
  let pending: JsonBytes | null = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending === null) {
        // other requests first: the next pull may come at once
        await new Promise<void>((resolve) => setImmediate(resolve));
        pending = new JsonBytes(CHUNK_BYTES + 1024);
        const started = performance.now();
        // the clock is read every CLOCK_ITEMS answers: reading it per answer cost more than a short answer
        while (next < count && pending.length < CHUNK_BYTES && (next % CLOCK_ITEMS !== 0 || performance.now() - started < SLICE_MS)) {
          pending.ascii(separator);
          writeItem(pending, next++);
        }
        done = next === count;
        if (done) pending.text(batch.tail());
      }
      written += pending.length;
      if (written > maxBytes) {
        controller.error(new TooLargeError(`the answer grew past this server's limit of ${mib(maxBytes)} MiB per answer at ${noun} ${next.toLocaleString('en')} of ${count.toLocaleString('en')}`));
        return;
      }
      controller.enqueue(pending.finish());
      pending = null;
      if (done) controller.close();
    },
  });
}
