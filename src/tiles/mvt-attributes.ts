import { PbfReader } from 'pbf';

/** An MVT attribute value once read: the integer and floating value kinds all become numbers. */
export type MvtValue = string | number | boolean;

/** A feature of a tile without its geometry: id, geometry type (0 unknown, 1 point, 2 line, 3 polygon) and tags. */
export interface MvtFeatureTags {
  id: number | undefined;
  type: number;
  /** pairs of indices: key into the layer's `keys`, value into its `values` */
  tags: number[];
}

/** A layer as stored: its keys and values once each, features pointing into them. */
export interface MvtLayerTags {
  name: string;
  keys: string[];
  values: MvtValue[];
  features: MvtFeatureTags[];
}

// MVT 2.1 protobuf field numbers (vector_tile.proto)
const TILE_LAYERS = 3;
const LAYER = { name: 1, features: 2, keys: 3, values: 4 } as const;
const FEATURE = { id: 1, tags: 2, type: 3 } as const;
const VALUE = { string: 1, float: 2, double: 3, int: 4, uint: 5, sint: 6, bool: 7 } as const;

/**
 * The layers of an uncompressed MVT with each feature's id, type and tags, left as indices so a
 * caller can look at each distinct key–value pair of a layer once; geometries are skipped unread,
 * which is what makes this cheap enough to run over every tile of an export.
 */
export function readTileTags(mvt: Uint8Array): MvtLayerTags[] {
  const layers: MvtLayerTags[] = [];
  new PbfReader(mvt).readFields(
    (tag, _, pbf) => {
      if (tag === TILE_LAYERS) layers.push(pbf.readFields(readLayer, { name: '', keys: [], values: [], features: [] } as MvtLayerTags, pbf.readVarint() + pbf.pos));
    },
    null,
  );
  return layers;
}

function readLayer(tag: number, layer: MvtLayerTags, pbf: PbfReader): void {
  if (tag === LAYER.name) layer.name = pbf.readString();
  else if (tag === LAYER.keys) layer.keys.push(pbf.readString());
  else if (tag === LAYER.values) layer.values.push(pbf.readFields(readValue, { value: '' as MvtValue }, pbf.readVarint() + pbf.pos).value);
  else if (tag === LAYER.features) layer.features.push(pbf.readFields(readFeature, { id: undefined, type: 0, tags: [] } as MvtFeatureTags, pbf.readVarint() + pbf.pos));
}

function readFeature(tag: number, feature: MvtFeatureTags, pbf: PbfReader): void {
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
