import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

/** A decoded feature with its geometry as plain [x, y] rings/lines/points in tile coordinates. */
export interface DecodedFeature {
  id: number | undefined;
  type: 1 | 2 | 3;
  properties: Record<string, string | number | boolean>;
  geometry: [number, number][][];
}

/** Decodes an MVT (gzip or not) with @mapbox/vector-tile into layer name → features. */
export function decodeTile(bytes: Uint8Array): Record<string, { extent: number; version: number; features: DecodedFeature[] }> {
  const data = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const tile = new VectorTile(new PbfReader(data));
  const out: Record<string, { extent: number; version: number; features: DecodedFeature[] }> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features: DecodedFeature[] = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features.push({
        id: f.id,
        type: f.type as 1 | 2 | 3,
        properties: f.properties,
        geometry: f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y] as [number, number])),
      });
    }
    out[name] = { extent: layer.extent, version: layer.version, features };
  }
  return out;
}

/** Twice the signed area of a closed ring in the y-down tile plane (positive: clockwise on screen). */
export function ringArea(ring: [number, number][]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) sum += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return sum;
}
