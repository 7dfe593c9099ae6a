/**
 * What tile archive writers (MBTiles, PMTiles) are given: a pyramid of encoded tiles and the
 * metadata describing them.
 */
import { fieldTypesOf, type FieldType, type Tilestats } from './tilestats.js';

/** One tile of a pyramid, in XYZ (slippy-map) numbering; `data` is a gzip-compressed MVT. */
export interface ArchiveTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

/** TileJSON-style `vector_layers` entry; `fields` maps each attribute to a description (TileJSON 3.0.0). */
export interface VectorLayerInfo {
  id: string;
  description: string;
  minzoom: number;
  maxzoom: number;
  fields: Record<string, string>;
}

/** A `vector_layers` entry as archives store it: `fields` maps each attribute to its type (MBTiles 1.3). */
export interface TypedVectorLayer extends Omit<VectorLayerInfo, 'fields'> {
  fields: Record<string, FieldType>;
}

export interface ArchiveMetadata {
  name: string;
  description: string;
  attribution: string;
  version: string;
  minzoom: number;
  maxzoom: number;
  /** west, south, east, north in degrees */
  bounds: [number, number, number, number];
  /** lng, lat, zoom */
  center: [number, number, number];
  vectorLayers: VectorLayerInfo[];
}

/**
 * Receives tiles in any order, then writes the archive on `finish` with the stats of the tiles
 * it was given; `abort` leaves no file behind.
 */
export interface ArchiveWriter {
  add(tile: ArchiveTile): void;
  finish(metadata: ArchiveMetadata, tilestats: Tilestats): Promise<void>;
  abort(): void;
}

/**
 * The `vector_layers` an archive stores: each layer's fields typed from the tiles actually
 * written (attributes in the layer's declared order, then any others); a layer with no feature
 * in them has no fields.
 */
export function typedVectorLayers(layers: readonly VectorLayerInfo[], tilestats: Tilestats): TypedVectorLayer[] {
  return layers.map(({ fields, ...layer }) => {
    const stats = tilestats.layers.find((l) => l.layer === layer.id);
    const types = stats ? fieldTypesOf(stats) : {};
    const ordered = [...Object.keys(fields).filter((name) => name in types), ...Object.keys(types).filter((name) => !(name in fields))];
    return { ...layer, fields: Object.fromEntries(ordered.map((name) => [name, types[name]!])) };
  });
}
