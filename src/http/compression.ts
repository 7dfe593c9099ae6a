import { Readable, pipeline } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, constants, createBrotliCompress, createGzip, gunzip, gzip, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

/** A content coding this server writes (RFC 9110 §8.4.1). */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * Answers smaller than this go out uncompressed: below ~1 KB the saving is a few hundred bytes
 * (less than a TCP segment) and the compressor costs more than it saves.
 */
export const MIN_COMPRESS_BYTES = 1024;

// answers are compressed per request, so the levels trade size for speed as web servers do for
// dynamic content. CPU per 3 MB answer to 10,000 reverse points: brotli 3 18 ms (to 236 KB),
// brotli 4 52 ms (194 KB), brotli 5 65 ms (161 KB), gzip 6 (zlib's default) 30 ms (250 KB);
// brotli 11, its default, is for static files
const BROTLI: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 3, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } };
const GZIP: ZlibOptions = { level: 6 };
// a tile's brotli copy is made once and kept with the cached tile, so it may take longer: the
// district's z16 centre tile is 20.8 KB as stored gzip, 18.9 KB at brotli 3 and 16.8 KB at 5
const TILE_BROTLI: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };

// the zlib work runs on libuv's thread pool, so a large answer never holds the event loop
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * The coding to answer with for an `Accept-Encoding` header: the accepted coding with the highest
 * q-value, `preferred` on a tie; `*` stands for codings not named; no header (or q=0 everywhere) is identity.
 * @example negotiateEncoding('gzip, br;q=0.8') // 'gzip'
 */
export function negotiateEncoding(header: string | undefined | null, preferred: 'br' | 'gzip' = 'br'): ContentCoding {
  if (!header) return 'identity';
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(weight) ? weight : 0);
  }
  const any = weights.get('*') ?? 0;
  const br = weights.get('br') ?? any;
  const gz = weights.get('gzip') ?? any;
  if (br > 0 && (br > gz || (br === gz && preferred === 'br'))) return 'br';
  return gz > 0 ? 'gzip' : 'identity';
}

// one brotli copy per stored gzip body, made once even when requests for it overlap; it lives as
// long as the tile cache keeps the gzip body
const brotliCopies = new WeakMap<Uint8Array, Promise<Buffer>>();

/**
 * A gzip body (a stored tile) as brotli, for clients that prefer it: recompressed in the thread
 * pool once per body object. Tiles go out as stored when a client takes gzip and brotli alike
 * (negotiateEncoding(header, 'gzip')), as Martin does: a cache miss would otherwise pay a
 * recompression for a tile ~20 % smaller.
 */
export function brotliFromGzip(gzipped: Uint8Array): Promise<Buffer> {
  let copy = brotliCopies.get(gzipped);
  if (copy === undefined) {
    copy = gunzipAsync(gzipped).then((raw) => brotliAsync(raw, TILE_BROTLI));
    brotliCopies.set(gzipped, copy);
    // a body that failed is tried again next time, not answered with the failure for ever
    copy.catch(() => brotliCopies.delete(gzipped));
  }
  return copy;
}

/** Compresses a whole body in the thread pool. */
export function compressBytes(bytes: Uint8Array, coding: Exclude<ContentCoding, 'identity'>): Promise<Buffer> {
  if (coding === 'gzip') return gzipAsync(bytes, GZIP);
  return brotliAsync(bytes, { params: { ...BROTLI.params, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
}

/**
 * `chunks` and then the rest of `reader` through a streaming compressor: each chunk is compressed
 * in the thread pool as the client reads, so a streamed batch answer keeps its time slices.
 */
function compressStream(chunks: Uint8Array[], reader: ReadableStreamDefaultReader<Uint8Array>, coding: Exclude<ContentCoding, 'identity'>): ReadableStream<Uint8Array> {
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      yield* chunks;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // the client went away or the compressor failed: stop the work behind the answer
      reader.cancel().catch(() => {});
    }
  }
  const compressor = coding === 'br' ? createBrotliCompress(BROTLI) : createGzip(GZIP);
  pipeline(Readable.from(body(), { objectMode: false }), compressor, () => {});
  return Readable.toWeb(compressor) as ReadableStream<Uint8Array>;
}

// JSON and problem+json (RFC 9457), GeoJSON, TileJSON, and the batch answers' NDJSON and CSV
const COMPRESSIBLE = /^(application\/([\w.+-]+\+)?json|application\/x-ndjson|text\/csv)\s*(;|$)/i;

/** Whether answers of this Content-Type are compressed. */
export function isCompressible(contentType: string | null): boolean {
  return contentType !== null && COMPRESSIBLE.test(contentType);
}

/**
 * Middleware: brotli or gzip for JSON-family answers (isCompressible) as `Accept-Encoding` asks
 * (negotiateEncoding), with `Vary: Accept-Encoding`. A body read to its end below
 * MIN_COMPRESS_BYTES goes out as it was; a whole body is compressed at once (with its
 * Content-Length), a stream as it is read. Answers that already carry a Content-Encoding (tiles),
 * answers without a body (204, 304) and other types pass untouched. A strong ETag becomes weak
 * on a compressed answer: its bytes differ from the identity answer the tag was made for.
 * @example app.use(compressAnswers());
 */
export function compressAnswers(): MiddlewareHandler {
  return async function compress(c, next) {
    await next();
    const res = c.res;
    if (res.status === 204 || res.status === 304 || res.headers.has('Content-Encoding') || !isCompressible(res.headers.get('Content-Type'))) return;
    // the answer may differ by Accept-Encoding whatever this client sent: caches must key on it
    appendVary(res.headers, 'Accept-Encoding');
    const coding = negotiateEncoding(c.req.header('Accept-Encoding'));
    if (coding === 'identity') return;
    // an answer that says it is small stays as it is; `body` is read only after this: reading
    // it makes the Node server build a whole fetch Response (json-answer.ts)
    const declared = res.headers.get('Content-Length');
    if ((declared !== null && Number(declared) < MIN_COMPRESS_BYTES) || res.body === null) return;

    // read up to the threshold and one chunk more: a small answer stays as it is, a whole one
    // (c.body, c.json: one chunk, then the end) is compressed at once, anything else as a stream
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    let done = false;
    let reads = 0;
    while (!done && (length < MIN_COMPRESS_BYTES || reads < 2)) {
      const read = await reader.read();
      reads++;
      done = read.done;
      if (read.value !== undefined) {
        chunks.push(read.value);
        length += read.value.length;
      }
    }
    if (done && length < MIN_COMPRESS_BYTES) {
      c.res = new Response(concat(chunks, length), res);
      return;
    }
    // c.res = … copies the old answer's headers onto the new one, so they are changed in place
    res.headers.set('Content-Encoding', coding);
    const etag = res.headers.get('ETag');
    if (etag !== null && !etag.startsWith('W/')) res.headers.set('ETag', `W/${etag}`);
    res.headers.delete('Content-Length');
    if (done) {
      const compressed = await compressBytes(concat(chunks, length), coding);
      res.headers.set('Content-Length', String(compressed.length));
      c.res = new Response(compressed, res);
      return;
    }
    c.res = new Response(compressStream(chunks, reader, coding), res);
  };
}

function concat(chunks: Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  return Buffer.concat(chunks, length) as Uint8Array<ArrayBuffer>;
}

function appendVary(headers: Headers, name: string): void {
  const vary = headers.get('Vary');
  if (vary === null) headers.set('Vary', name);
  else if (!vary.split(',').some((v) => v.trim().toLowerCase() === name.toLowerCase() || v.trim() === '*')) headers.set('Vary', `${vary}, ${name}`);
}
