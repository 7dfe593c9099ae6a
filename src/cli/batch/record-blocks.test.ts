import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { csvField, parseCsv } from '../../ingest/csv.js';
import { firstRecordLength, readRecordBlocks } from './record-blocks.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<string[]> {
  const blocks: string[] = [];
  for await (const block of source) blocks.push(decoder.decode(block));
  return blocks;
}

describe('readRecordBlocks', () => {
  it('never cuts a quoted line break, and drops a byte-order mark', async () => {
    const text = '\uFEFFa,b\n1,"x\ny"\n2,z\n';
    const bytes = encoder.encode(text);
    // one byte at a time: a block at every record boundary
    const blocks = await collect(readRecordBlocks(chunked(bytes, [...bytes.keys()]), { quotes: true, blockBytes: 1 }));
    expect(blocks).toEqual(['a,b\n', '1,"x\ny"\n', '2,z\n']);
  });

  it('reads a quote inside an unquoted field as a literal, so later records are still cut apart', async () => {
    const text = '1,ab"c,3\n2,"x""\ny",4\n5,z,6\n';
    const bytes = encoder.encode(text);
    const blocks = await collect(readRecordBlocks(chunked(bytes, [...bytes.keys()]), { quotes: true, blockBytes: 1 }));
    expect(blocks).toEqual(['1,ab"c,3\n', '2,"x""\ny",4\n', '5,z,6\n']);
  });

  it('cuts NDJSON at every line break, quotes or not', async () => {
    const text = '{"a":"\\""}\n{"b":"\\""}\n{"c":1}';
    const bytes = encoder.encode(text);
    const blocks = await collect(readRecordBlocks(chunked(bytes, [...bytes.keys()]), { quotes: false, blockBytes: 1 }));
    expect(blocks).toEqual(['{"a":"\\""}\n', '{"b":"\\""}\n', '{"c":1}']);
  });

  it('cuts a chunk larger than a block into several blocks', async () => {
    const text = Array.from({ length: 1000 }, (_, k) => `${k},"地址 ${k}"\n`).join('');
    const blocks = await collect(readRecordBlocks(chunked(encoder.encode(text), []), { quotes: true, blockBytes: 1024 }));
    expect(blocks.join('')).toBe(text);
    // ~17 KB: blocks of one to two block sizes (and a record)
    expect(blocks.length).toBeGreaterThan(6);
    for (const block of blocks) expect(encoder.encode(block).length).toBeLessThan(2 * 1024 + 20);
  });

  test.prop([
    fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
    fc.array(fc.nat(), { maxLength: 12 }),
    fc.integer({ min: 1, max: 64 }),
  ])('gives the input back in blocks of whole CSV records, however it arrives', async (rows, cuts, blockBytes) => {
    const text = rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
    const blocks = await collect(readRecordBlocks(chunked(encoder.encode(text), cuts), { quotes: true, blockBytes }));
    expect(blocks.join('')).toBe(text);
    expect(blocks.flatMap((b) => [...parseCsv(b)].map((r) => r.fields))).toEqual([...parseCsv(text)].map((r) => r.fields));
    for (const block of blocks.slice(0, -1)) expect(block.endsWith('\n')).toBe(true);
  });
});

describe('firstRecordLength', () => {
  it('finds the end of the first record, quoted line breaks included', () => {
    expect(firstRecordLength(encoder.encode('"a\nb",c\n1,2\n'), true)).toBe(8);
    expect(firstRecordLength(encoder.encode('"a\nb",c\n'), false)).toBe(3);
    expect(firstRecordLength(encoder.encode('a,b'), true)).toBe(3);
  });
});
