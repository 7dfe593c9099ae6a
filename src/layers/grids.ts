import { layerTable } from './columns.js';
import type { AreaGeometry } from './areas.js';

export const GRID_SCHEMES = ['unit', 'social'] as const;
export type GridScheme = (typeof GRID_SCHEMES)[number];

/** One version of a grid; history is kept by closing `validTo` and adding a new row. */
export interface Grid {
  scheme: GridScheme;
  /** unit grid: the 15-digit code; social grid: the 16-digit static code */
  code: string;
  /** social grids only: the 6-digit boundary version (year + version) */
  dynamicCode: string | null;
  name: string;
  communityCode: string;
  geometry: AreaGeometry;
  areaM2: number;
  validFrom: string;
  /** null while the version is current */
  validTo: string | null;
}

// keyed by `id`, which no record member holds: a grid version is found by scheme, code and date
export const GRIDS = layerTable<Grid>()({
  table: 'grids',
  key: 'id',
  columns: [
    { name: 'scheme', type: 'text', values: GRID_SCHEMES },
    { name: 'code', type: 'text', description: 'unit grid: the 15-digit code; social grid: the 16-digit static code' },
    { name: 'dynamic_code', type: 'text', nullable: true, description: 'social grids: the 6-digit boundary version (year + version)' },
    { name: 'name', type: 'text' },
    { name: 'community_code', type: 'text' },
    { name: 'geometry', type: 'geometry' },
    { name: 'area_m2', type: 'real' },
    { name: 'valid_from', type: 'date' },
    { name: 'valid_to', type: 'date', nullable: true, description: 'null while the version is current' },
  ],
});
