import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { readGeoJsonBlocks } from './geojson-blocks.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = encoder.encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** The features (parsed) and their start lines, with each block's records checked to be one per line. */
async function read(text: string, chunkBytes = 1 << 20, blockBytes?: number): Promise<{ features: unknown[]; lines: number[] }> {
  const features: unknown[] = [];
  const lines: number[] = [];
  for await (const block of readGeoJsonBlocks(pieces(text, chunkBytes), { blockBytes })) {
    const records = decoder.decode(block.block).split('\n');
    expect(records.pop()).toBe('');
    expect(records.length).toBe(block.lines.length);
    features.push(...records.map((r) => JSON.parse(r) as unknown));
    lines.push(...block.lines);
  }
  return { features, lines };
}

const point = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties: { n, ...extra },
  geometry: { type: 'Point', coordinates: [116.4 + n / 1000, 39.9] },
});

describe('readGeoJsonBlocks', () => {
  it('streams the features of a pretty-printed FeatureCollection, members before and after, with their lines', async () => {
    const collection = {
      type: 'FeatureCollection',
      name: 'not [features] {',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } },
      features: [point(1, { note: 'a "quoted" } ] { [ brace' }), point(2, { 'features': [1, 2] }), point(3, { s: 'back\\slash\\' })],
      bbox: [1, 2, 3, 4],
    };
    const text = JSON.stringify(collection, null, 2);
    const expectedLines = text.split('\n').flatMap((line, k) => (/^ {4}\{$/.test(line) ? [k + 1] : []));
    for (const chunkBytes of [1, 7, 1 << 20]) {
      const { features, lines } = await read(text, chunkBytes, 1);
      expect(features).toEqual(collection.features);
      expect(lines).toEqual(expectedLines);
    }
  });

  it('reads a top-level array of features and a lone Feature, and a BOM', async () => {
    expect((await read('\uFEFF[' + JSON.stringify(point(1)) + ',\n' + JSON.stringify(point(2)) + ']')).features).toEqual([point(1), point(2)]);
    expect(await read(JSON.stringify(point(5), null, 1))).toEqual({ features: [point(5)], lines: [1] });
    expect((await read('{"type":"FeatureCollection","features":[]}')).features).toEqual([]);
  });

  test.prop([fc.array(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), { maxLength: 8 }), fc.integer({ min: 1, max: 40 })])(
    'gives every feature back whatever the properties and chunking',
    async (props, chunkBytes) => {
      const features = props.map((properties) => ({ type: 'Feature', properties, geometry: null }));
      const text = JSON.stringify({ type: 'FeatureCollection', features }, null, 1);
      expect((await read(text, chunkBytes, 64)).features).toEqual(JSON.parse(JSON.stringify(features)));
    },
  );
});
