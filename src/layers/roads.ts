import type { LineString } from 'geojson';
import { layerTable } from './columns.js';

export const ROAD_KINDS = ['main', 'hutong'] as const;

/** A named road, street or hutong centreline. */
export interface Road {
  id: number;
  name: string;
  kind: (typeof ROAD_KINDS)[number];
  geometry: LineString;
}

export const ROADS = layerTable<Road>()({
  table: 'roads',
  key: 'id',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'text', attribute: { required: true } },
    { name: 'kind', type: 'text', values: ROAD_KINDS, attribute: { default: 'hutong' } },
    { name: 'geometry', type: 'geometry' },
  ],
});
