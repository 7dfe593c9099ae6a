import { describe, expect, it } from 'vitest';
import { joinTileLayers } from './composite-tile.js';
import { encodeTile, type EncodableLayer } from './mvt-encode.js';
import { decodeTile } from './test-helpers/decode-tile.js';

function layer(name: string, ids: number[], tag: string): EncodableLayer {
  return { name, features: ids.map((id) => ({ id, tags: { tag }, geometry: { type: 1, parts: [[id * 10, id * 20]] } })) };
}

describe('joinTileLayers', () => {
  it('holds every layer of each tile with its features, in order', () => {
    const a = encodeTile([layer('streets', [1, 2], 'a'), layer('houses', [3], 'a')]);
    const b = encodeTile([layer('components', [4, 5, 6], 'b')]);
    const joined = decodeTile(joinTileLayers([a, b])!);
    expect(Object.keys(joined)).toEqual(['streets', 'houses', 'components']);
    expect(joined).toEqual({ ...decodeTile(a), ...decodeTile(b) });
  });

  it('keeps a layer two tiles share once, from the first tile', () => {
    const a = encodeTile([layer('streets', [1], 'first')]);
    const b = encodeTile([layer('streets', [2, 3], 'second'), layer('houses', [4], 'second')]);
    const joined = decodeTile(joinTileLayers([a, b])!);
    expect(Object.keys(joined)).toEqual(['streets', 'houses']);
    expect(joined.streets!.features.map((f) => [f.id, f.properties.tag])).toEqual([[1, 'first']]);
  });

  it('is null when no tile has a layer', () => {
    expect(joinTileLayers([])).toBeNull();
    expect(joinTileLayers([new Uint8Array(0)])).toBeNull();
  });
});
