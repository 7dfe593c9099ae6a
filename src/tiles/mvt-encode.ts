import { PbfWriter } from 'pbf';
import { EXTENT } from './layers.js';
import type { TileGeometry } from './tile-geometry.js';
import type { TagValue } from './tile-features.js';

/** A feature as the encoder takes it: geometry in tile coordinates (tile-geometry.ts). */
export interface EncodableFeature {
  id: number;
  tags: Readonly<Record<string, TagValue>>;
  geometry: TileGeometry;
}

export interface EncodableLayer {
  name: string;
  features: EncodableFeature[];
}

// MVT 2.1 protobuf field numbers (vector_tile.proto)
const TILE_LAYERS = 3;
const LAYER = { version: 15, name: 1, features: 2, keys: 3, values: 4, extent: 5 } as const;
const FEATURE = { id: 1, tags: 2, type: 3, geometry: 4 } as const;
const VALUE = { string: 1, double: 3, uint: 5, sint: 6 } as const;
const MOVE_TO = 1;
const LINE_TO = 2;
const CLOSE_PATH = 7;

/** Encodes layers as one Mapbox Vector Tile 2.1 (uncompressed protobuf). Empty layers are left out. */
export function encodeTile(layers: readonly EncodableLayer[]): Uint8Array {
  const pbf = new PbfWriter();
  for (const layer of layers) if (layer.features.length > 0) pbf.writeMessage(TILE_LAYERS, writeLayer, layer);
  return pbf.finish();
}

function writeLayer(layer: EncodableLayer, pbf: PbfWriter): void {
  pbf.writeVarintField(LAYER.version, 2);
  pbf.writeStringField(LAYER.name, layer.name);
  pbf.writeVarintField(LAYER.extent, EXTENT);
  const context: FeatureContext = { feature: layer.features[0]!, keys: new Map(), strings: new Map(), numbers: new Map(), valueList: [] };
  for (const feature of layer.features) {
    context.feature = feature;
    pbf.writeMessage(LAYER.features, writeFeature, context);
  }
  const { keys, valueList } = context;
  for (const key of keys.keys()) pbf.writeStringField(LAYER.keys, key);
  for (const value of valueList) pbf.writeMessage(LAYER.values, writeValue, value);
}

interface FeatureContext {
  feature: EncodableFeature;
  keys: Map<string, number>;
  // '1' and 1 are different values, so strings and numbers are indexed apart
  strings: Map<string, number>;
  numbers: Map<number, number>;
  valueList: TagValue[];
}

function writeFeature(context: FeatureContext, pbf: PbfWriter): void {
  const { feature } = context;
  pbf.writeVarintField(FEATURE.id, feature.id);
  // packed fields are written straight into the buffer: no array per feature
  pbf.writeMessage(FEATURE.tags, writeTags, context);
  pbf.writeVarintField(FEATURE.type, feature.geometry.type);
  pbf.writeMessage(FEATURE.geometry, writeGeometry, feature.geometry);
}

function writeTags(context: FeatureContext, pbf: PbfWriter): void {
  const tags = context.feature.tags;
  for (const key in tags) {
    const value = tags[key]!;
    let keyIndex = context.keys.get(key);
    if (keyIndex === undefined) context.keys.set(key, (keyIndex = context.keys.size));
    const values: Map<TagValue, number> = typeof value === 'number' ? context.numbers : context.strings;
    let valueIndex = values.get(value);
    if (valueIndex === undefined) {
      values.set(value, (valueIndex = context.valueList.length));
      context.valueList.push(value);
    }
    pbf.writeVarint(keyIndex);
    pbf.writeVarint(valueIndex);
  }
}

function writeGeometry(geometry: TileGeometry, pbf: PbfWriter): void {
  writeGeometryCommands(geometry, (v) => pbf.writeVarint(v));
}

function writeValue(value: TagValue, pbf: PbfWriter): void {
  if (typeof value === 'string') pbf.writeStringField(VALUE.string, value);
  else if (!Number.isInteger(value) || !Number.isSafeInteger(value)) pbf.writeDoubleField(VALUE.double, value);
  else if (value >= 0) pbf.writeVarintField(VALUE.uint, value);
  else pbf.writeSVarintField(VALUE.sint, value);
}

const command = (id: number, count: number): number => (count << 3) | id;
const zigzag = (n: number): number => (n << 1) ^ (n >> 31);

/** The geometry command stream of MVT §4.3: MoveTo/LineTo with zig-zag deltas, ClosePath for rings. */
export function writeGeometryCommands({ type, parts }: TileGeometry, write: (value: number) => void): void {
  let x = 0;
  let y = 0;
  const moveTo = (part: number[], from: number, count: number): void => {
    for (let i = from; i < from + count * 2; i += 2) {
      write(zigzag(part[i]! - x));
      write(zigzag(part[i + 1]! - y));
      x = part[i]!;
      y = part[i + 1]!;
    }
  };
  if (type === 1) {
    const points = parts[0]!;
    write(command(MOVE_TO, points.length / 2));
    moveTo(points, 0, points.length / 2);
    return;
  }
  for (const part of parts) {
    const n = part.length / 2;
    write(command(MOVE_TO, 1));
    moveTo(part, 0, 1);
    write(command(LINE_TO, n - 1));
    moveTo(part, 2, n - 1);
    if (type === 3) write(command(CLOSE_PATH, 1));
  }
}
