import { PbfReader } from 'pbf';

// field numbers of vector_tile.proto (MVT 2.1): Tile.layers, Layer.name
const TILE_LAYERS = 3;
const LAYER_NAME = 1;
const LENGTH_DELIMITED = 2;

/**
 * One MVT holding every layer of the given tiles (uncompressed), in order; a layer whose name an
 * earlier tile already has is left out, so a layer two parts share appears once. Layers are
 * copied as bytes: protobuf repeated fields concatenate, which is how Martin joins composite
 * sources too. Null when no tile has a layer.
 * @example joinTileLayers([gridsMvt, housesMvt]) // the layers of both, as one tile
 */
export function joinTileLayers(tiles: readonly Uint8Array[]): Uint8Array | null {
  const names = new Set<string>();
  const layers: Uint8Array[] = [];
  for (const tile of tiles) {
    const pbf = new PbfReader(tile);
    while (pbf.pos < pbf.length) {
      const start = pbf.pos;
      const key = pbf.readVarint();
      if (key >> 3 !== TILE_LAYERS || (key & 7) !== LENGTH_DELIMITED) {
        pbf.skip(key);
        continue;
      }
      const end = pbf.readVarint() + pbf.pos;
      const name = layerName(tile.subarray(pbf.pos, end));
      if (!names.has(name)) {
        names.add(name);
        layers.push(tile.subarray(start, end));
      }
      pbf.pos = end;
    }
  }
  return layers.length === 0 ? null : Buffer.concat(layers);
}

function layerName(layer: Uint8Array): string {
  const pbf = new PbfReader(layer);
  while (pbf.pos < pbf.length) {
    const key = pbf.readVarint();
    if (key >> 3 === LAYER_NAME) return pbf.readString();
    pbf.skip(key);
  }
  throw new Error('a tile layer has no name, which MVT requires');
}
