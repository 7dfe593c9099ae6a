/**
 * `tilestats` as tippecanoe writes it into MBTiles and PMTiles metadata (the mapbox-geostats
 * shape): per layer its feature count and main geometry type, per attribute its type, distinct
 * values and numeric range. GDAL reads it to type fields and layers; without it every MVT
 * attribute is a String and every layer's geometry Unknown.
 */
import { readTileTags, type MvtValue } from './mvt-attributes.js';

export type TilestatsGeometry = 'Point' | 'LineString' | 'Polygon';
export type TilestatsType = 'number' | 'string' | 'boolean' | 'mixed';

export interface TilestatsAttribute {
  attribute: string;
  /** distinct values seen (counted up to MAX_TRACKED_VALUES, as tippecanoe does) */
  count: number;
  type: TilestatsType;
  /** the first MAX_LISTED_VALUES distinct values, sorted (numbers by value, then booleans, then strings) */
  values: MvtValue[];
  min?: number;
  max?: number;
}

export interface TilestatsLayer {
  layer: string;
  /** features in the layer: distinct feature ids, plus each feature without an id */
  count: number;
  geometry: TilestatsGeometry;
  attributeCount: number;
  attributes: TilestatsAttribute[];
}

export interface Tilestats {
  layerCount: number;
  layers: TilestatsLayer[];
}

/** The MBTiles 1.3 `vector_layers` field type of an attribute. */
export type FieldType = 'Number' | 'String' | 'Boolean';

// tippecanoe's limits (max_tilestats_sample_values, max_tilestats_values)
const MAX_TRACKED_VALUES = 1000;
const MAX_LISTED_VALUES = 100;

const TYPE_BIT = { number: 1, boolean: 2, string: 4 } as const;

interface AttributeTally {
  /** TYPE_BIT of every kind of value seen */
  kinds: number;
  values: Set<MvtValue>;
  /** once values were trimmed, the largest kept: anything after it in sort order is not kept */
  cutoff?: MvtValue;
  min: number;
  max: number;
}

interface LayerTally {
  ids: Set<number>;
  withoutId: number;
  /** features by MVT geometry type: [unknown, point, line, polygon] */
  geometries: [number, number, number, number];
  attributes: Map<string, AttributeTally>;
}

/**
 * Accumulates tilestats over the tiles of an archive, tile by tile, from the encoded tiles
 * themselves, so any layer and attribute the tiler writes is described without a list to keep.
 * A feature cut into many tiles and zooms counts once (by its id).
 */
export class TilestatsCollector {
  private readonly layers = new Map<string, LayerTally>();

  /** Adds the features of one uncompressed MVT. */
  addTile(mvt: Uint8Array): void {
    for (const { name, keys, values, features } of readTileTags(mvt)) {
      let layer = this.layers.get(name);
      if (!layer) this.layers.set(name, (layer = { ids: new Set(), withoutId: 0, geometries: [0, 0, 0, 0], attributes: new Map() }));
      // a value is looked at once per tile, however many features share it
      const seen = new Uint8Array(keys.length * values.length);
      const pairs: number[] = [];
      for (const { id, type, tags } of features) {
        // every copy adds its tags (a house carries its address only from z15), but counts once
        for (let i = 0; i + 1 < tags.length; i += 2) {
          const [key, value] = [tags[i]!, tags[i + 1]!];
          if (key >= keys.length || value >= values.length) throw new Error(`layer ${name}: tag ${key}=${value} points past its ${keys.length} keys or ${values.length} values`);
          const pair = key * values.length + value;
          if (seen[pair] === 0) {
            seen[pair] = 1;
            pairs.push(pair);
          }
        }
        if (id === undefined) layer.withoutId++;
        else if (layer.ids.has(id)) continue;
        else layer.ids.add(id);
        if (type >= 0 && type <= 3) layer.geometries[type as 0 | 1 | 2 | 3]++;
      }
      for (const pair of pairs) addValue(layer.attributes, keys[Math.floor(pair / values.length)]!, values[pair % values.length]!);
    }
  }

  /** The stats so far; layers in `order` come first in that order, any others after them by name. */
  result(order: readonly string[] = []): Tilestats {
    const names = [...this.layers.keys()].sort((a, b) => rank(order, a) - rank(order, b) || compareText(a, b));
    const layers = names.map((name) => layerStats(name, this.layers.get(name)!));
    return { layerCount: layers.length, layers };
  }
}

/** The MBTiles 1.3 field type of each attribute of a tilestats layer (mixed ones as String: any value reads as text). */
export function fieldTypesOf(layer: TilestatsLayer): Record<string, FieldType> {
  const types: Record<string, FieldType> = {};
  for (const { attribute, type } of layer.attributes) types[attribute] = type === 'number' ? 'Number' : type === 'boolean' ? 'Boolean' : 'String';
  return types;
}

function addValue(attributes: Map<string, AttributeTally>, key: string, value: MvtValue): void {
  let tally = attributes.get(key);
  if (!tally) attributes.set(key, (tally = { kinds: 0, values: new Set(), min: Infinity, max: -Infinity }));
  const kind = typeof value as keyof typeof TYPE_BIT;
  tally.kinds |= TYPE_BIT[kind];
  if (typeof value === 'number') {
    if (value < tally.min) tally.min = value;
    if (value > tally.max) tally.max = value;
  }
  if (tally.values.has(value) || (tally.cutoff !== undefined && compareValues(value, tally.cutoff) > 0)) return;
  tally.values.add(value);
  // keep the smallest MAX_TRACKED_VALUES, trimming in batches so a code per feature stays cheap
  if (tally.values.size > 2 * MAX_TRACKED_VALUES) {
    const kept = sortedValues(tally.values).slice(0, MAX_TRACKED_VALUES);
    tally.values = new Set(kept);
    tally.cutoff = kept.at(-1);
  }
}

function layerStats(name: string, tally: LayerTally): TilestatsLayer {
  const [, points, lines, polygons] = tally.geometries;
  // the commonest type, ties going to points, then lines, as in tippecanoe
  const geometry: TilestatsGeometry = points >= lines && points >= polygons ? 'Point' : lines >= polygons ? 'LineString' : 'Polygon';
  const attributes = [...tally.attributes.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([attribute, { kinds, values, min, max }]): TilestatsAttribute => {
      const sorted = sortedValues(values);
      const type: TilestatsType =
        kinds === TYPE_BIT.number ? 'number' : kinds === TYPE_BIT.string ? 'string' : kinds === TYPE_BIT.boolean ? 'boolean' : 'mixed';
      const stats: TilestatsAttribute = { attribute, count: Math.min(sorted.length, MAX_TRACKED_VALUES), type, values: sorted.slice(0, MAX_LISTED_VALUES) };
      if (kinds & TYPE_BIT.number) Object.assign(stats, { min, max });
      return stats;
    });
  return { layer: name, count: tally.ids.size + tally.withoutId, geometry, attributeCount: attributes.length, attributes };
}

const KIND_ORDER: Readonly<Record<string, number>> = { number: 0, boolean: 1, string: 2 };

function sortedValues(values: Iterable<MvtValue>): MvtValue[] {
  return [...values].sort(compareValues);
}

function compareValues(a: MvtValue, b: MvtValue): number {
  const byKind = KIND_ORDER[typeof a]! - KIND_ORDER[typeof b]!;
  if (byKind !== 0) return byKind;
  return typeof a === 'string' ? compareText(a, b as string) : Number(a) - Number(b);
}

/** Code-point order, the same on every machine (unlike localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rank(order: readonly string[], name: string): number {
  const at = order.indexOf(name);
  return at === -1 ? order.length : at;
}
