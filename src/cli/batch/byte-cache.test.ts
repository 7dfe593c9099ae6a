import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ByteCache } from './byte-cache.js';
import { OutputBuffer, utf8 } from './output-buffer.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('ByteCache', () => {
  it('answers a key by its bytes, wherever they lie in the block', () => {
    const cache = new ByteCache({ entries: 4 });
    const block = utf8('x,东四十条1号,y,东四十条1号\n');
    const first = [2, 2 + utf8('东四十条1号').length] as const;
    const out = new OutputBuffer();
    expect(cache.get(block, ...first, out)).toBe(-1);
    cache.set(block, ...first, utf8(',116.4,39.9\n'), 1);
    const second = block.lastIndexOf(0xe4);
    expect(cache.get(block, second, second + first[1] - first[0], out)).toBe(1);
    expect(text(out.bytes())).toBe(',116.4,39.9\n');
    expect(cache.get(block, 0, 1, out)).toBe(-1);
  });

  test.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 })), { maxLength: 300 })])(
    'keeps the last value of every key it still holds, and at least the latest `entries` keys (oracle: a Map)',
    (operations) => {
      const entries = 8;
      const cache = new ByteCache({ entries, bytesPerEntry: 64 });
      const oracle = new Map<number, number>();
      const recent: number[] = [];
      for (const [key, tag] of operations) {
        const bytes = utf8(`key ${key} ${'·'.repeat(key % 7)}`);
        const out = new OutputBuffer();
        const found = cache.get(bytes, 0, bytes.length, out);
        if (found >= 0) {
          expect(found).toBe(oracle.get(key));
          expect(text(out.bytes())).toBe(`value ${key}/${found}`);
        } else {
          expect(recent.slice(-entries)).not.toContain(key);
          cache.set(bytes, 0, bytes.length, utf8(`value ${key}/${tag}`), tag);
          oracle.set(key, tag);
        }
        const at = recent.indexOf(key);
        if (at >= 0) recent.splice(at, 1);
        recent.push(key);
      }
    },
  );

  it('does not store an entry too long for its arena', () => {
    const cache = new ByteCache({ entries: 2, bytesPerEntry: 64 });
    const key = utf8('k');
    cache.set(key, 0, 1, new Uint8Array(300), 7);
    expect(cache.get(key, 0, 1, new OutputBuffer())).toBe(-1);
  });
});
