import { describe, expect, it } from 'vitest';
import { readRequestBytes } from './request-bytes.js';

/** A POST whose body arrives in the given chunks, with the Content-Length header given (or none). */
function request(chunks: string[], contentLength?: number): Request {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const headers = contentLength === undefined ? undefined : { 'content-length': String(contentLength) };
  return new Request('http://127.0.0.1/v1/reverse', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

const text = (bytes: ArrayBuffer): string => new TextDecoder().decode(bytes);

describe('readRequestBytes', () => {
  it('joins the chunks in order, sized by Content-Length, into a buffer of exactly the body', async () => {
    const chunks = Array.from({ length: 50 }, (_, k) => `[${k},${k + 0.5}],`);
    const bytes = await readRequestBytes(request(chunks, chunks.join('').length));
    expect(text(bytes)).toBe(chunks.join(''));
    expect(bytes.byteLength).toBe(chunks.join('').length);
  });

  it('grows past a missing, too small or too large Content-Length and keeps only what arrived', async () => {
    const big = ['x'.repeat(100_000), 'y'.repeat(70_000), 'z'];
    for (const declared of [undefined, 10, 1_000_000]) {
      const bytes = await readRequestBytes(request(big, declared));
      expect(bytes.byteLength).toBe(170_001);
      expect(text(bytes)).toBe(big.join(''));
    }
  });

  it('reads an empty body as no bytes', async () => {
    expect((await readRequestBytes(new Request('http://127.0.0.1/', { method: 'POST' }))).byteLength).toBe(0);
    expect((await readRequestBytes(request([], 0))).byteLength).toBe(0);
  });
});
