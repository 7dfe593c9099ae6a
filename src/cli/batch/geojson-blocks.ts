import { DEFAULT_BLOCK_BYTES } from './record-blocks.js';

/** A block of features, one per line, with the input line each one starts on (1-based). */
export interface FeatureBlock {
  block: Uint8Array;
  lines: number[];
}

const enum Byte {
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Backslash = 0x5c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
}

const FEATURES_KEY = '"features"';

/**
 * Streams a GeoJSON document as blocks of newline-delimited features, so GeoJSON takes the same
 * path as NDJSON: the `features` array of a FeatureCollection (wherever it sits among the
 * members), the elements of a top-level array, or a lone Feature. Line breaks inside a feature
 * become spaces (JSON strings cannot hold raw ones). Memory: one block plus one feature.
 */
export async function* readGeoJsonBlocks(source: AsyncIterable<Uint8Array>, { blockBytes = DEFAULT_BLOCK_BYTES } = {}): AsyncGenerator<FeatureBlock> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  /** depth inside the features array (or top-level array); 0 until found */
  let listDepth = 0;
  // the top-level bytes before the features array: a lone Feature is all of it
  const prefix: Uint8Array[] = [];
  let prefixBytes = 0;
  // the last string closed at depth 1: a '[' there opens the features array if it was "features"
  let keyStart = -1;
  let keyParts: Uint8Array[] = [];
  let lastKey = '';
  // the feature being read
  let featureParts: Uint8Array[] = [];
  let featureStart = -1;
  let featureLine = 0;
  let out: Uint8Array[] = [];
  let outBytes = 0;
  let outLines: number[] = [];
  let first = true;

  const endFeature = (): FeatureBlock | null => {
    const feature = oneLine(featureParts);
    out.push(feature);
    outBytes += feature.length;
    outLines.push(featureLine);
    featureParts = [];
    if (outBytes < blockBytes) return null;
    const done = { block: concat(out, outBytes), lines: outLines };
    out = [];
    outBytes = 0;
    outLines = [];
    return done;
  };

  for await (let chunk of source) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const ready: FeatureBlock[] = [];
    // a feature or key cut by the chunk boundary continues at the start of this chunk
    if (featureStart >= 0) featureStart = 0;
    if (keyStart >= 0) keyStart = 0;
    for (let at = 0; at < chunk.length; at++) {
      const byte = chunk[at]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === Byte.Backslash) escaped = true;
        else if (byte === Byte.Quote) {
          inString = false;
          if (keyStart >= 0) {
            keyParts.push(chunk.subarray(keyStart, at + 1));
            lastKey = Buffer.concat(keyParts).toString('utf8');
            keyParts = [];
            keyStart = -1;
          }
        }
        continue;
      }
      switch (byte) {
        case Byte.Newline:
          line++;
          break;
        case Byte.Quote:
          inString = true;
          if (depth === 1 && listDepth === 0) keyStart = at;
          break;
        case Byte.OpenBracket:
        case Byte.OpenBrace:
          if (depth === 0 && byte === Byte.OpenBracket) listDepth = 1;
          else if (depth === 1 && listDepth === 0 && byte === Byte.OpenBracket && lastKey === FEATURES_KEY) {
            listDepth = 2;
            prefix.length = 0;
            prefixBytes = 0;
          } else if (depth === listDepth && listDepth > 0 && byte === Byte.OpenBrace) {
            featureStart = at;
            featureLine = line;
          }
          depth++;
          break;
        case Byte.CloseBracket:
        case Byte.CloseBrace:
          depth--;
          if (depth === listDepth && featureStart >= 0) {
            featureParts.push(chunk.subarray(featureStart, at + 1));
            featureStart = -1;
            const done = endFeature();
            if (done) ready.push(done);
          }
          break;
      }
    }
    if (featureStart >= 0) featureParts.push(chunk.subarray(featureStart));
    if (keyStart >= 0) keyParts.push(chunk.subarray(keyStart));
    if (listDepth === 0) {
      prefix.push(chunk);
      prefixBytes += chunk.length;
    }
    yield* ready;
  }
  if (listDepth === 0 && prefixBytes > 0) {
    // no features array: a lone Feature or geometry, or something the processor will reject
    featureParts = [concat(prefix, prefixBytes)];
    featureLine = 1;
    endFeature();
  }
  if (outBytes > 0) yield { block: concat(out, outBytes), lines: outLines };
}

/** The feature's bytes with line breaks as spaces, plus one line break. */
function oneLine(parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part.length;
  const line = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    line.set(part, at);
    at += part.length;
  }
  for (let k = line.indexOf(Byte.Newline); k >= 0 && k < length - 1; k = line.indexOf(Byte.Newline, k + 1)) line[k] = Byte.Space;
  for (let k = line.indexOf(Byte.Return); k >= 0; k = line.indexOf(Byte.Return, k + 1)) line[k] = Byte.Space;
  line[length - 1] = Byte.Newline;
  return line;
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const all = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
