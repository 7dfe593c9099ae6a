import { describe, expect, it } from 'vitest';
import { typedVectorLayers, type VectorLayerInfo } from './archive.js';
import type { Tilestats } from './tilestats.js';

describe('typedVectorLayers', () => {
  it('types each layer’s fields from the tiles written: declared order first, undeclared ones after, none for a layer without features', () => {
    const layers: VectorLayerInfo[] = [
      { id: 'houses', description: 'houses', minzoom: 13, maxzoom: 17, fields: { height: 'metres', use: 'use', address: 'from z15' } },
      { id: 'components', description: 'components', minzoom: 14, maxzoom: 17, fields: { code: 'code' } },
    ];
    const tilestats: Tilestats = {
      layerCount: 1,
      layers: [
        {
          layer: 'houses',
          count: 1,
          geometry: 'Polygon',
          attributeCount: 3,
          attributes: [
            { attribute: 'extra', count: 1, type: 'boolean', values: [true] },
            { attribute: 'height', count: 1, type: 'number', values: [9.5], min: 9.5, max: 9.5 },
            { attribute: 'use', count: 1, type: 'string', values: ['住宅'] },
          ],
        },
      ],
    };
    const typed = typedVectorLayers(layers, tilestats);
    // address is declared but was in no tile written (an export ending below z15): not listed
    expect(typed).toEqual([
      { id: 'houses', description: 'houses', minzoom: 13, maxzoom: 17, fields: { height: 'Number', use: 'String', extra: 'Boolean' } },
      { id: 'components', description: 'components', minzoom: 14, maxzoom: 17, fields: {} },
    ]);
    expect(Object.keys(typed[0]!.fields)).toEqual(['height', 'use', 'extra']);
  });
});
