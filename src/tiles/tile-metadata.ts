import type { ArchiveMetadata, VectorLayerInfo } from './archive.js';
import { MAX_ZOOM, TILE_LAYERS, TILE_SOURCES, sourceMinZoom, type TileSourceName } from './layers.js';

/** The `vector_layers` entries of a source, as TileJSON 3.0.0 and MBTiles `json` list them. */
export function vectorLayersOf(source: TileSourceName): VectorLayerInfo[] {
  return TILE_SOURCES[source].map((name) => {
    const layer = TILE_LAYERS[name];
    return { id: name, description: layer.description, minzoom: layer.minzoom, maxzoom: MAX_ZOOM, fields: { ...layer.fields } };
  });
}

/** Metadata of a source over data with the given bounds (west, south, east, north). */
export function sourceMetadata(source: TileSourceName, bounds: ArchiveMetadata['bounds'], attribution: string, version: string): ArchiveMetadata {
  const [west, south, east, north] = bounds;
  return {
    name: source,
    description: `wangge vector tiles (source ${source}): ${TILE_SOURCES[source].join(', ')}`,
    attribution,
    version,
    minzoom: sourceMinZoom(source),
    maxzoom: MAX_ZOOM,
    bounds,
    // a city map opens where houses are drawn
    center: [round((west + east) / 2), round((south + north) / 2), Math.max(14, sourceMinZoom(source))],
    vectorLayers: vectorLayersOf(source),
  };
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;
