import type { Polygon } from 'geojson';
import { layerTable } from './columns.js';
import { LIFE_STATUSES, type LifeStatus } from './life-status.js';

/** A building: footprint plus what a 2.5D map and the population base need. */
export interface House {
  id: number;
  geometry: Polygon;
  floors: number;
  floorsBelow: number;
  heightM: number;
  use: string;
  yearBuilt: number | null;
  households: number;
  /** canonical door-plate address, e.g. 北京市东城区东华门街道多福巷社区多福巷12号 */
  address: string | null;
  unitGridCode: string | null;
  socialStaticCode: string | null;
  status: LifeStatus;
  retiredOn: string | null;
}

export const HOUSES = layerTable<House>()({
  table: 'houses',
  key: 'id',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'geometry', type: 'geometry' },
    { name: 'floors', type: 'integer', description: 'floors above ground', attribute: { required: true, min: 0, max: 200, tile: 'every zoom' } },
    { name: 'floors_below', type: 'integer', description: 'floors below ground', attribute: { min: 0, max: 20, default: 0, tile: 'every zoom' } },
    {
      name: 'height_m',
      type: 'real',
      description: 'roof height above ground, metres',
      attribute: { min: 0, max: 1000, default: (house: Readonly<Record<string, unknown>>) => (house.floors as number) * 3, defaultText: '3 m a floor' },
    },
    { name: 'use', type: 'text', description: 'use (住宅, 商业, 办公, …)', attribute: { maxLength: 100, default: '未知', tile: 'every zoom' } },
    { name: 'year_built', type: 'integer', nullable: true, attribute: { min: 1000, max: 2100 } },
    { name: 'households', type: 'integer', attribute: { min: 0, default: 0 } },
    { name: 'address', type: 'text', nullable: true, description: 'canonical door-plate address', attribute: { maxLength: 200, tile: 'full detail' } },
    { name: 'unit_grid_code', type: 'text', nullable: true, description: '15-digit code of the unit grid it stands in' },
    { name: 'social_static_code', type: 'text', nullable: true, description: '16-digit static code of the social grid it stands in' },
    { name: 'status', type: 'text', values: LIFE_STATUSES },
    { name: 'retired_on', type: 'date', nullable: true, description: 'the day it was retired (status 废弃)' },
  ],
});
