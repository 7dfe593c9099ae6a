import { PbfReader } from 'pbf';

/** An MVT attribute value once read: the integer and floating value kinds all become numbers. */
export type MvtValue = string | number | boolean;

/** A feature of a tile without its geometry: id, geometry type (0 unknown, 1 point, 2 line, 3 polygon) and attributes. */
export interface MvtFeatureAttributes {
  id: number | undefined;
  type: number;
  properties: [key: string, value: MvtValue][];
}

export interface MvtLayerAttributes {
  name: string;
  features: MvtFeatureAttributes[];
}

// MVT 2.1 protobuf field numbers (vector_tile.proto)
const TILE_LAYERS = 3;
const LAYER = { name: 1, features: 2, keys: 3, values: 4 } as const;
const FEATURE = { id: 1, tags: 2, type: 3 } as const;
const VALUE = { string: 1, float: 2, double: 3, int: 4, uint: 5, sint: 6, bool: 7 } as const;

interface RawLayer {
  name: string;
  keys: string[];
  values: MvtValue[];
  features: RawFeature[];
}

interface RawFeature {
  id: number | undefined;
  type: number;
  tags: number[];
}

/**
 * The layers of an uncompressed MVT with each feature's id, type and attributes; geometries are
 * skipped unread, which is what makes this cheap enough to run over every tile of an export.
 */
export function readTileAttributes(mvt: Uint8Array): MvtLayerAttributes[] {
  const layers: MvtLayerAttributes[] = [];
  new PbfReader(mvt).readFields(
    (tag, _, pbf) => {
      if (tag !== TILE_LAYERS) return;
      const raw = pbf.readFields(readLayer, { name: '', keys: [], values: [], features: [] } as RawLayer, pbf.readVarint() + pbf.pos);
      // keys and values may follow the features that point into them, so tags resolve only now
      layers.push({
        name: raw.name,
        features: raw.features.map(({ id, type, tags }) => {
          const properties: [string, MvtValue][] = [];
          for (let i = 0; i + 1 < tags.length; i += 2) {
            const key = raw.keys[tags[i]!];
            const value = raw.values[tags[i + 1]!];
            if (key === undefined || value === undefined) throw new Error(`layer ${raw.name}: a feature tag points past the keys or values`);
            properties.push([key, value]);
          }
          return { id, type, properties };
        }),
      });
    },
    null,
  );
  return layers;
}

function readLayer(tag: number, layer: RawLayer, pbf: PbfReader): void {
  if (tag === LAYER.name) layer.name = pbf.readString();
  else if (tag === LAYER.keys) layer.keys.push(pbf.readString());
  else if (tag === LAYER.values) layer.values.push(pbf.readFields(readValue, { value: '' as MvtValue }, pbf.readVarint() + pbf.pos).value);
  else if (tag === LAYER.features) layer.features.push(pbf.readFields(readFeature, { id: undefined, type: 0, tags: [] } as RawFeature, pbf.readVarint() + pbf.pos));
}

function readFeature(tag: number, feature: RawFeature, pbf: PbfReader): void {
  if (tag === FEATURE.id) feature.id = pbf.readVarint();
  else if (tag === FEATURE.tags) pbf.readPackedVarint(feature.tags);
  else if (tag === FEATURE.type) feature.type = pbf.readVarint();
}

function readValue(tag: number, holder: { value: MvtValue }, pbf: PbfReader): void {
  if (tag === VALUE.string) holder.value = pbf.readString();
  else if (tag === VALUE.float) holder.value = pbf.readFloat();
  else if (tag === VALUE.double) holder.value = pbf.readDouble();
  else if (tag === VALUE.int) holder.value = pbf.readVarint(true);
  else if (tag === VALUE.uint) holder.value = pbf.readVarint();
  else if (tag === VALUE.sint) holder.value = pbf.readSVarint();
  else if (tag === VALUE.bool) holder.value = pbf.readBoolean();
}
