/** Bytes per block handed to a processor: a few thousand typical rows. */
export const DEFAULT_BLOCK_BYTES = 256 * 1024;

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const CARRIAGE_RETURN = 0x0d;

export interface RecordBlockOptions {
  /** true for CSV: a line break inside a quoted field (RFC 4180) does not end the record */
  quotes: boolean;
  /** cut a block once it holds at least this many bytes (default 256 KiB) */
  blockBytes?: number;
}

/**
 * Cuts a byte stream into blocks of whole records, each a fresh buffer that may be transferred
 * to a worker. Blocks end after a line break (outside quotes for CSV); the last one may not.
 * Cuts on bytes, which is safe for UTF-8: 0x0a and 0x22 never occur inside a multi-byte character.
 * A UTF-8 byte-order mark at the start is dropped. Memory is bounded by one block plus one record.
 */
export async function* readRecordBlocks(source: AsyncIterable<Uint8Array>, { quotes, blockBytes = DEFAULT_BLOCK_BYTES }: RecordBlockOptions): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  /** offset in pending just after the last record boundary, -1 if none */
  let boundary = -1;
  let inQuotes = false;
  /** the byte before the chunk being scanned: a quote opens a field only right after , or a line break */
  let previous = NEWLINE;
  let first = true;
  for await (let whole of source) {
    if (first && whole.length > 0) {
      first = false;
      if (whole[0] === 0xef && whole[1] === 0xbb && whole[2] === 0xbf) whole = whole.subarray(3);
    }
    // a chunk bigger than a block (files are read 1 MiB at a time) is scanned in block-sized
    // pieces, so that it gives several blocks: threads then share the work more evenly
    for (let at = 0; at < whole.length; at += blockBytes) {
      const chunk = whole.subarray(at, Math.min(whole.length, at + blockBytes));
      const scan: { end: number; inQuotes: boolean } = quotes ? scanQuoted(chunk, inQuotes, previous) : { end: chunk.lastIndexOf(NEWLINE) + 1, inQuotes: false };
      inQuotes = scan.inQuotes;
      previous = chunk[chunk.length - 1]!;
      if (scan.end > 0) boundary = pendingBytes + scan.end;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (boundary >= blockBytes) {
        const { block, rest } = cut(pending, boundary);
        yield block;
        pending = rest;
        pendingBytes -= boundary;
        boundary = -1;
      }
    }
  }
  if (pendingBytes > 0) yield cut(pending, pendingBytes).block;
}

/**
 * The byte length of the first record with its line break (CSV quoting when `quotes`),
 * or the whole buffer when it holds one unterminated record.
 */
export function firstRecordLength(bytes: Uint8Array, quotes: boolean): number {
  let at = 0;
  for (;;) {
    const newline = bytes.indexOf(NEWLINE, at);
    if (newline < 0) return bytes.length;
    const quote = quotes ? bytes.indexOf(QUOTE, at) : -1;
    if (quote < 0 || quote > newline) return newline + 1;
    const close = bytes.indexOf(QUOTE, quote + 1);
    if (close < 0) return bytes.length;
    at = close + 1;
  }
}

/**
 * Finds the end of the last whole record in `chunk` (0 if none) given whether it starts inside a
 * quoted field, and whether it ends inside one. Native indexOf does the scanning: a chunk without
 * quotes costs two calls.
 */
function scanQuoted(chunk: Uint8Array, inQuotes: boolean, previous: number): { end: number; inQuotes: boolean } {
  let at = 0;
  let end = 0;
  while (at < chunk.length) {
    const quote = chunk.indexOf(QUOTE, at);
    if (inQuotes) {
      if (quote < 0) break;
      inQuotes = false;
      at = quote + 1;
      continue;
    }
    const stop = quote < 0 ? chunk.length : quote;
    const newline = stop > at ? chunk.lastIndexOf(NEWLINE, stop - 1) : -1;
    if (newline >= at) end = newline + 1;
    if (quote < 0) break;
    // as the row parser does, a quote inside an unquoted field (ab"c) is a literal character:
    // treating it as an opening quote would swallow the rest of the file into one record
    const before = quote > 0 ? chunk[quote - 1]! : previous;
    // (a quote right after a closing one is the "" escape: the field goes on)
    inQuotes = before === COMMA || before === NEWLINE || before === CARRIAGE_RETURN || before === QUOTE;
    at = quote + 1;
  }
  return { end, inQuotes };
}

/** Copies the first `length` bytes of the parts into a new buffer; the rest stays views. */
function cut(parts: Uint8Array[], length: number): { block: Uint8Array; rest: Uint8Array[] } {
  const block = new Uint8Array(length);
  let filled = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const take = Math.min(part.length, length - filled);
    block.set(take === part.length ? part : part.subarray(0, take), filled);
    filled += take;
    if (filled === length) {
      const rest = parts.slice(k + 1);
      if (take < part.length) rest.unshift(part.subarray(take));
      return { block, rest };
    }
  }
  return { block, rest: [] };
}
