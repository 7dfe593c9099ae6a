import type { MultiPolygon, Polygon } from 'geojson';
import { layerTable } from './columns.js';

export type AreaGeometry = Polygon | MultiPolygon;

export const ADMIN_LEVELS = ['district', 'street', 'community'] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

/** A district, street (街道) or community (社区) with its boundary. */
export interface AdminArea {
  code: string;
  level: AdminLevel;
  name: string;
  /** the enclosing area's code; null for a district */
  parentCode: string | null;
  geometry: AreaGeometry;
}

export const AREAS = layerTable<AdminArea>()({
  table: 'admin_areas',
  key: 'code',
  columns: [
    { name: 'code', type: 'text', description: '6-digit district, 9-digit street or 12-digit community code (GB/T 10114)' },
    { name: 'level', type: 'text', values: ADMIN_LEVELS },
    { name: 'name', type: 'text', attribute: { required: true } },
    { name: 'parent_code', type: 'text', nullable: true, description: 'the enclosing area; null for a district' },
    { name: 'geometry', type: 'geometry' },
  ],
});
