import type { MultiPolygon, Point, Polygon } from 'geojson';
import { layerTable } from './columns.js';

/**
 * A named place (地名 / 兴趣点): a landmark, school, hospital, park, residential compound (小区 / 院),
 * market, subway entrance … Geocoding answers a query naming it at level `poi`.
 */
export interface Poi {
  id: number;
  name: string;
  /** other names people use for it (地坛 for 地坛公园); may be empty */
  aliases: string[];
  /** what kind of place: 学校, 医院, 公园, 小区, 市场, 地铁站出入口, 景点, 公交站, … (free text) */
  category: string;
  geometry: Point | Polygon | MultiPolygon;
  /** its door-plate address when known */
  address: string | null;
  /** the grids holding its representative point, assigned on import */
  unitGridCode: string | null;
  socialStaticCode: string | null;
}

export const POIS = layerTable<Poi>()({
  table: 'pois',
  key: 'id',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'name', type: 'text' },
    { name: 'aliases', type: 'names', description: 'other names people use for it' },
    { name: 'category', type: 'text', description: 'what kind of place: 学校, 医院, 公园, 小区, …' },
    { name: 'geometry', type: 'geometry' },
    { name: 'address', type: 'text', nullable: true, description: 'its door-plate address when known', attribute: {} },
    { name: 'unit_grid_code', type: 'text', nullable: true },
    { name: 'social_static_code', type: 'text', nullable: true },
  ],
});
