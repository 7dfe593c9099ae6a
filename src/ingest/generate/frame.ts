import type { Position } from 'geojson';

// metres per degree on the sphere that geo/area.ts measures with, so generated sizes and measured areas agree
const METRES_PER_DEGREE = (6378137 * Math.PI) / 180;

/** A local east/north metre frame anchored at a south-west corner; good to centimetres over a district. */
export interface LocalFrame {
  toLngLat(x: number, y: number): Position;
  toMetres(lng: number, lat: number): [number, number];
}

export function createLocalFrame(originLng: number, originLat: number, coordinateDecimals = 7): LocalFrame {
  const metresPerLng = METRES_PER_DEGREE * Math.cos((originLat * Math.PI) / 180);
  const scale = 10 ** coordinateDecimals;
  const round = (v: number): number => Math.round(v * scale) / scale;
  return {
    toLngLat: (x, y) => [round(originLng + x / metresPerLng), round(originLat + y / METRES_PER_DEGREE)],
    toMetres: (lng, lat) => [(lng - originLng) * metresPerLng, (lat - originLat) * METRES_PER_DEGREE],
  };
}
