import type { Store } from '../store/store.js';
import { LayerIndex } from './layer-index.js';
import { BUFFER, EXTENT, TILE_LAYERS, TILE_SOURCES, type TileLayerName, type TileSourceName } from './layers.js';
import { encodeTile, type EncodableLayer } from './mvt-encode.js';
import { tileWorldBox, type TileCoord } from './tile-coords.js';
import { readLayerFeatures } from './tile-features.js';
import { tileGeometry } from './tile-geometry.js';
import { FULL_DETAIL_ZOOM } from './thinning.js';

export type LayerIndexes = Record<TileLayerName, LayerIndex>;

/** Reads every tile layer from the store into its index. */
export function loadLayerIndexes(store: Store): LayerIndexes {
  const indexes = {} as LayerIndexes;
  for (const layer of Object.values(TILE_LAYERS)) {
    const thinnedZooms = layer.thinned ? zoomsBelow(layer.minzoom, FULL_DETAIL_ZOOM) : [];
    indexes[layer.name] = new LayerIndex(readLayerFeatures(store, layer.name), { thinnedZooms });
  }
  return indexes;
}

/**
 * Cuts one tile of a source: for each layer drawn at the tile's zoom, the features meeting the
 * tile plus its buffer, thinned where the layer is, clipped and encoded. Null when the tile has
 * no feature at all.
 */
export function renderTile(indexes: LayerIndexes, source: TileSourceName, tile: TileCoord): Uint8Array | null {
  const box = tileWorldBox(tile, BUFFER / EXTENT);
  const layers: EncodableLayer[] = [];
  for (const name of TILE_SOURCES[source]) {
    const layer = TILE_LAYERS[name];
    if (tile.z < layer.minzoom) continue;
    const lowZoom = layer.allFieldsFrom !== undefined && tile.z < layer.allFieldsFrom;
    const features: EncodableLayer['features'] = [];
    // in id order: a tile's bytes then depend only on its content, not on how the index was
    // packed, so ETags survive restarts and index rebuilds
    for (const feature of indexes[name].search(box, tile.z)) {
      if (feature.minzoom !== undefined && tile.z < feature.minzoom) continue;
      const geometry = tileGeometry(feature, tile);
      if (geometry) features.push({ id: feature.id, tags: (lowZoom && feature.lowZoomTags) || feature.tags, geometry });
    }
    if (features.length > 0) layers.push({ name, features });
  }
  return layers.length > 0 ? encodeTile(layers) : null;
}

function zoomsBelow(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
