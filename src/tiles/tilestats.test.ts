import { PbfWriter } from 'pbf';
import { describe, expect, it } from 'vitest';
import type { MvtValue } from './mvt-attributes.js';
import { encodeTile, type EncodableFeature } from './mvt-encode.js';
import { fieldTypesOf, TilestatsCollector } from './tilestats.js';

const SQUARE = { type: 3 as const, parts: [[10, 10, 20, 10, 20, 20, 10, 20, 10, 10]] };
const POINT = { type: 1 as const, parts: [[5, 5]] };

function house(id: number, height: number, use: string): EncodableFeature {
  return { id, tags: { height, use }, geometry: SQUARE };
}

/**
 * A one-layer MVT written field by field, for what our encoder never writes: booleans and
 * features without an id. Each feature is [id or undefined, type, [key, value][]].
 */
function rawTile(layer: string, features: [number | undefined, number, [string, MvtValue][]][]): Uint8Array {
  const keys: string[] = [];
  const values: MvtValue[] = [];
  const index = <T>(list: T[], item: T): number => (list.includes(item) ? list.indexOf(item) : list.push(item) - 1);
  const tagged = features.map(([id, type, props]) => ({ id, type, tags: props.flatMap(([k, v]) => [index(keys, k), index(values, v)]) }));
  const pbf = new PbfWriter();
  pbf.writeMessage(3, (_: null, p: PbfWriter) => {
    p.writeVarintField(15, 2);
    p.writeStringField(1, layer);
    for (const f of tagged) {
      p.writeMessage(2, (_: null, q: PbfWriter) => {
        if (f.id !== undefined) q.writeVarintField(1, f.id);
        q.writePackedVarint(2, f.tags);
        q.writeVarintField(3, f.type);
        q.writePackedVarint(4, [9, 0, 0]);
      }, null);
    }
    for (const k of keys) p.writeStringField(3, k);
    for (const v of values) {
      p.writeMessage(4, (_: null, q: PbfWriter) => {
        if (typeof v === 'string') q.writeStringField(1, v);
        else if (typeof v === 'boolean') q.writeBooleanField(7, v);
        else q.writeDoubleField(3, v);
      }, null);
    }
    p.writeVarintField(5, 4096);
  }, null);
  return pbf.finish();
}

describe('TilestatsCollector', () => {
  it('counts a feature cut into several tiles once, by its id, and gives numbers their range', () => {
    const stats = new TilestatsCollector();
    stats.addTile(encodeTile([{ name: 'houses', features: [house(7, 18.5, '住宅'), house(8, 12, '商业')] }]));
    // house 7 again, as the next tile (or zoom) holds it too
    stats.addTile(encodeTile([{ name: 'houses', features: [house(7, 18.5, '住宅'), house(9, 3, '住宅')] }]));
    expect(stats.result()).toEqual({
      layerCount: 1,
      layers: [
        {
          layer: 'houses',
          count: 3,
          geometry: 'Polygon',
          attributeCount: 2,
          attributes: [
            { attribute: 'height', count: 3, type: 'number', values: [3, 12, 18.5], min: 3, max: 18.5 },
            { attribute: 'use', count: 2, type: 'string', values: ['住宅', '商业'] },
          ],
        },
      ],
    });
  });

  it('reads booleans, tells mixed attributes apart and counts each feature without an id', () => {
    const stats = new TilestatsCollector();
    stats.addTile(
      rawTile('labels', [
        [undefined, 1, [['major', true], ['rank', 1]]],
        [undefined, 1, [['major', false], ['rank', '1']]],
        [undefined, 3, [['major', true]]],
      ]),
    );
    const [layer] = stats.result().layers;
    expect(layer).toMatchObject({ layer: 'labels', count: 3, geometry: 'Point', attributeCount: 2 });
    expect(layer!.attributes).toEqual([
      { attribute: 'major', count: 2, type: 'boolean', values: [false, true] },
      // the number 1 and the text "1" are two values; the numeric part still has a range
      { attribute: 'rank', count: 2, type: 'mixed', values: [1, '1'], min: 1, max: 1 },
    ]);
    expect(fieldTypesOf(layer!)).toEqual({ major: 'Boolean', rank: 'String' });
  });

  it('names the commonest geometry of a layer, ties going to points, then lines', () => {
    const stats = new TilestatsCollector();
    const lineOrPoint = (id: number, type: 1 | 2): EncodableFeature => ({ id, tags: {}, geometry: type === 1 ? POINT : { type: 2, parts: [[0, 0, 9, 9]] } });
    stats.addTile(encodeTile([{ name: 'mostly_lines', features: [lineOrPoint(1, 2), lineOrPoint(2, 2), lineOrPoint(3, 1)] }]));
    stats.addTile(encodeTile([{ name: 'tied', features: [lineOrPoint(1, 2), lineOrPoint(2, 1)] }]));
    expect(stats.result().layers.map((l) => [l.layer, l.geometry])).toEqual([
      ['mostly_lines', 'LineString'],
      ['tied', 'Point'],
    ]);
  });

  it('lists up to 100 values, sorted, and counts up to 1,000 distinct ones, keeping the smallest', () => {
    const stats = new TilestatsCollector();
    // numbers in a scrambled order, so sorting is what puts 0..99 first (not the order seen)
    const numbers = Array.from({ length: 150 }, (_, i) => (i * 37) % 150);
    const codes = Array.from({ length: 2500 }, (_, i) => `c${String((i * 7919) % 2500).padStart(4, '0')}`);
    stats.addTile(
      encodeTile([{ name: 'components', features: codes.map((code, i) => ({ id: i + 1, tags: { code, n: numbers[i % 150]! }, geometry: POINT })) }]),
    );
    const [code, n] = stats.result().layers[0]!.attributes;
    expect(n).toEqual({ attribute: 'n', count: 150, type: 'number', values: Array.from({ length: 100 }, (_, i) => i), min: 0, max: 149 });
    expect(code!.count).toBe(1000);
    expect(code!.values).toEqual(Array.from({ length: 100 }, (_, i) => `c${String(i).padStart(4, '0')}`));
    expect(stats.result().layers[0]!.count).toBe(2500);
  });

  it('orders layers as asked, any others after them by name', () => {
    const stats = new TilestatsCollector();
    for (const name of ['zeta', 'houses', 'alpha', 'streets']) stats.addTile(encodeTile([{ name, features: [house(1, 1, 'x')] }]));
    expect(stats.result(['streets', 'houses']).layers.map((l) => l.layer)).toEqual(['streets', 'houses', 'alpha', 'zeta']);
  });
});
