import { validateStyleMin, type LayerSpecification } from '@maplibre/maplibre-gl-style-spec';
import { describe, expect, it } from 'vitest';
import { LABEL_MINZOOMS, TILE_LAYERS, TILE_SOURCES, type LabelKind, type TileLayerName } from './layers.js';
import { COMPONENTS_LAYER_ID, defaultStyle, HOUSES_LAYER_ID, LABEL_MAXZOOMS, labelLayerId, STYLE_SOURCE } from './style.js';

const style = defaultStyle('https://map.example.cn');
const dataLayers = style.layers.filter((layer): layer is Exclude<LayerSpecification, { type: 'background' }> => layer.type !== 'background');

/** Every feature property an expression reads (`get`/`has`), anywhere inside it. */
function propertiesRead(value: unknown, found = new Set<string>()): Set<string> {
  if (!Array.isArray(value)) {
    if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) propertiesRead(v, found);
    return found;
  }
  const [operator, name, object] = value as unknown[];
  // ['get', name, object] reads from an object expression, not from the feature
  if ((operator === 'get' || operator === 'has') && typeof name === 'string' && object === undefined) found.add(name);
  for (const item of value) propertiesRead(item, found);
  return found;
}

describe('defaultStyle', () => {
  it('is a valid MapLibre style', () => {
    expect(validateStyleMin(style)).toEqual([]);
  });

  it('loads nothing but the wangge TileJSON under the base URL: no glyphs, sprite or other sources', () => {
    expect(style.sources).toEqual({ [STYLE_SOURCE]: { type: 'vector', url: 'https://map.example.cn/tiles/wangge.json' } });
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(JSON.stringify(style).match(/https?:\/\/[^"]*/g)).toEqual(['https://map.example.cn/tiles/wangge.json']);
  });

  it('draws only layers the source serves, from no lower zoom than they exist', () => {
    const served: readonly string[] = TILE_SOURCES.wangge;
    for (const layer of dataLayers) {
      expect(layer.source, layer.id).toBe(STYLE_SOURCE);
      const sourceLayer = layer['source-layer'] as TileLayerName;
      expect(served, layer.id).toContain(sourceLayer);
      expect(layer.minzoom ?? 0, layer.id).toBeGreaterThanOrEqual(TILE_LAYERS[sourceLayer].minzoom);
    }
  });

  it('reads only attributes the tile layers carry at every zoom the style layer draws', () => {
    for (const layer of dataLayers) {
      const { fields, allFieldsFrom, lowZoomFields } = TILE_LAYERS[layer['source-layer'] as TileLayerName];
      // a style layer drawn below allFieldsFrom sees only the low-zoom fields there
      const carried = (layer.minzoom ?? 0) < (allFieldsFrom ?? 0) ? (lowZoomFields ?? []) : Object.keys(fields);
      const read = [...propertiesRead([layer.filter, layer.layout, layer.paint])];
      expect(carried, layer.id).toEqual(expect.arrayContaining(read));
    }
  });

  it('extrudes houses by height from min_height and draws every tile layer', () => {
    const houses = style.layers.find((layer) => layer.id === HOUSES_LAYER_ID);
    expect(houses).toMatchObject({
      type: 'fill-extrusion',
      'source-layer': 'houses',
      paint: { 'fill-extrusion-height': ['get', 'height'], 'fill-extrusion-base': ['get', 'min_height'] },
    });
    expect(new Set(dataLayers.map((layer) => layer['source-layer']))).toEqual(new Set(TILE_SOURCES.wangge));
  });

  it('draws components under the houses, so the walls of a tilted map hide them, and every label above', () => {
    const order = style.layers.map((layer) => layer.id);
    const houses = order.indexOf(HOUSES_LAYER_ID);
    expect(order.indexOf(COMPONENTS_LAYER_ID)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(COMPONENTS_LAYER_ID)).toBeLessThan(houses);
    // MapLibre tests depth only for layers below the first 3D one: nothing but labels may follow the houses
    expect(style.layers.slice(houses + 1).map((layer) => layer.type)).toEqual(['symbol', 'symbol', 'symbol', 'symbol']);
  });

  it('names each area and grid once: symbols only from the label points, one layer per kind, from its zoom', () => {
    const symbols = dataLayers.filter((layer) => layer.type === 'symbol');
    expect(symbols.every((layer) => layer['source-layer'] === 'labels')).toBe(true);
    const kinds = Object.keys(LABEL_MINZOOMS) as LabelKind[];
    for (const kind of kinds) {
      const layer = symbols.find((l) => l.id === labelLayerId(kind));
      expect(layer, kind).toMatchObject({ minzoom: LABEL_MINZOOMS[kind], filter: ['==', ['get', 'kind'], kind] });
      expect(layer?.maxzoom, kind).toBe(LABEL_MAXZOOMS[kind]);
    }
    expect(symbols).toHaveLength(kinds.length);
    // the topmost is placed first: streets over communities over grid codes
    expect(symbols.map((l) => l.id).reverse()).toEqual(['street', 'community', 'social_grid', 'unit_grid'].map((k) => labelLayerId(k as LabelKind)));
    // street names give way to community names, and those to grid codes, leaving no zoom unnamed
    for (let z = LABEL_MINZOOMS.street; z <= 22; z += 0.5) {
      const drawn = kinds.filter((kind) => LABEL_MINZOOMS[kind] <= z && z < (LABEL_MAXZOOMS[kind] ?? Infinity));
      expect(drawn.length, `z${z}`).toBeGreaterThan(0);
    }
  });
});
