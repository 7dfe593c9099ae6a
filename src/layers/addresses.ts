import type { Point } from 'geojson';
import { layerTable } from './columns.js';
import { LIFE_STATUSES, type LifeStatus } from './life-status.js';

/** A door plate (门楼牌): `<road>N号`, or `<road>N号院M号楼` in a compound. */
export interface Address {
  id: number;
  road: string;
  number: number;
  /** true for a compound gate (N号院) */
  compound: boolean;
  building: number | null;
  unit: number | null;
  geometry: Point;
  houseId: number | null;
  status: LifeStatus;
  retiredOn: string | null;
}

export const ADDRESSES = layerTable<Address>()({
  table: 'addresses',
  key: 'id',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'road', type: 'text', description: 'the road, street or hutong the plate is on', attribute: { required: true, maxLength: 100 } },
    { name: 'number', type: 'integer', description: 'the number on the plate (N号)', attribute: { required: true, min: 1 } },
    { name: 'compound', type: 'boolean', description: 'a compound gate (N号院)', attribute: { default: false } },
    { name: 'building', type: 'integer', nullable: true, description: 'building in the compound (M号楼)', attribute: { min: 1 } },
    { name: 'unit', type: 'integer', nullable: true, description: 'unit (单元)', attribute: { min: 1 } },
    { name: 'geometry', type: 'geometry' },
    { name: 'house_id', type: 'integer', nullable: true, description: 'the house the plate is on; must exist', attribute: { min: 1 } },
    { name: 'status', type: 'text', values: LIFE_STATUSES },
    { name: 'retired_on', type: 'date', nullable: true, description: 'the day it was retired (status 废弃)' },
  ],
});
