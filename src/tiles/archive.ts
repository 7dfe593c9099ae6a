/**
 * What tile archive writers (MBTiles, PMTiles) are given: a pyramid of encoded tiles and the
 * metadata describing them.
 */

/** One tile of a pyramid, in XYZ (slippy-map) numbering; `data` is a gzip-compressed MVT. */
export interface ArchiveTile {
  z: number;
  x: number;
  y: number;
  data: Uint8Array;
}

/** TileJSON-style `vector_layers` entry. */
export interface VectorLayerInfo {
  id: string;
  description: string;
  minzoom: number;
  maxzoom: number;
  fields: Record<string, string>;
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

/** Receives tiles in any order, then writes the archive on `finish`; `abort` leaves no file behind. */
export interface ArchiveWriter {
  add(tile: ArchiveTile): void;
  finish(metadata: ArchiveMetadata): Promise<void>;
  abort(): void;
}
