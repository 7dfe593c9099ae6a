import type { LineString, Point, Polygon } from 'geojson';
import { layerTable } from './columns.js';

export const COMPONENT_STATUSES = ['完好', '破损', '丢失', '占用', '废弃'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** A city component (部件): manhole cover, street lamp, hydrant, … */
export interface Component {
  code: string;
  major: string;
  minor: string;
  name: string;
  status: ComponentStatus;
  /** 主管部门 */
  deptMain: string;
  /** 权属单位 */
  deptOwner: string | null;
  /** 养护单位 */
  deptMaintain: string | null;
  initialDate: string;
  changeDate: string | null;
  dataSource: string | null;
  geometry: Point | LineString | Polygon;
  /** the unit grid holding the component's representative point */
  unitGridCode: string | null;
}

export const COMPONENTS = layerTable<Component>()({
  table: 'components',
  key: 'code',
  columns: [
    { name: 'code', type: 'text', description: '16-digit component code: district, class, serial' },
    { name: 'major', type: 'text', description: 'major class (大类), 2 digits' },
    { name: 'minor', type: 'text', description: 'minor class (小类), 2 digits' },
    { name: 'name', type: 'text', description: 'default: the class name' },
    { name: 'status', type: 'text', values: COMPONENT_STATUSES },
    { name: 'dept_main', type: 'text', description: '主管部门', attribute: { required: true, maxLength: 100 } },
    { name: 'dept_owner', type: 'text', nullable: true, description: '权属单位', attribute: { maxLength: 100 } },
    { name: 'dept_maintain', type: 'text', nullable: true, description: '养护单位', attribute: { maxLength: 100 } },
    { name: 'initial_date', type: 'date' },
    { name: 'change_date', type: 'date', nullable: true },
    { name: 'data_source', type: 'text', nullable: true, attribute: { maxLength: 100 } },
    { name: 'geometry', type: 'geometry' },
    { name: 'unit_grid_code', type: 'text', nullable: true, description: 'the unit grid holding its representative point' },
  ],
});
