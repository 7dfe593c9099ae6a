/**
 * The vector-tile catalogue: which layers exist, what their features carry, from which zoom they
 * are drawn, and which layers each tile source bundles. TileJSON's `vector_layers`, the style and
 * the tiler all read it from here.
 */

import { attributesOf, type LayerTable } from '../layers/columns.js';
import { COMPONENTS, HOUSES } from '../model.js';

/** Deepest zoom tiles are cut at; clients over-zoom beyond it. */
export const MAX_ZOOM = 18;
/** MVT extent: tile coordinates run 0..EXTENT. */
export const EXTENT = 4096;
/** Geometry kept beyond each tile edge (in tile units) so strokes and labels do not break at seams. */
export const BUFFER = 64;

export type TileLayerName = 'streets' | 'communities' | 'social_grids' | 'unit_grids' | 'houses' | 'components' | 'labels';
export type TileSourceName = 'grids' | 'components' | 'houses' | 'wangge';

/** What a point of the `labels` layer names (its `kind` attribute). */
export type LabelKind = 'street' | 'community' | 'social_grid' | 'unit_grid';

/**
 * From which zoom each kind of label point is in the `labels` layer: street names from z10, when
 * the district is a few hundred pixels; community names from z13; grid codes (16 and 15 digits,
 * ~100 px at 11 px type) from where their grids (~270 m and ~120 m across) are wider than that.
 */
export const LABEL_MINZOOMS: Readonly<Record<LabelKind, number>> = { street: 10, community: 13, social_grid: 16, unit_grid: 17 };

export interface TileLayer {
  name: TileLayerName;
  description: string;
  /** first zoom the layer is in tiles; it stays up to MAX_ZOOM */
  minzoom: number;
  /** attribute → description, as TileJSON `vector_layers` lists them */
  fields: Readonly<Record<string, string>>;
  /**
   * Below this zoom features carry only `lowZoomFields`, which keeps dense low-zoom tiles under
   * the size budget (as OpenMapTiles does for buildings). Absent: all fields at every zoom.
   */
  allFieldsFrom?: number;
  lowZoomFields?: readonly string[];
  /** thinned below full-detail zoom (thinning.ts) */
  thinned?: boolean;
}

/** No tile may be larger than this (uncompressed); tests check every tile of the default district. */
export const MAX_TILE_BYTES = 500 * 1024;

export const TILE_LAYERS: Readonly<Record<TileLayerName, TileLayer>> = {
  streets: {
    name: 'streets',
    description: 'Streets (街道): the district subdivisions run by a street sub-centre. Feature id = the 9-digit code.',
    minzoom: 10,
    fields: { code: '9-digit street code (GB/T 10114)', name: 'street name' },
  },
  communities: {
    name: 'communities',
    description: 'Communities (社区). Feature id = the 12-digit code.',
    minzoom: 12,
    fields: { code: '12-digit community code', name: 'community name', street: '9-digit code of the street it belongs to' },
  },
  social_grids: {
    name: 'social_grids',
    description: 'Social-management grids (社会管理网格), current versions. Feature id = the 16-digit static code.',
    minzoom: 13,
    fields: {
      static_code: '16-digit static code (never changes)',
      dynamic_code: '6-digit dynamic code of the current boundary version (year + version)',
      name: 'grid name',
      community: '12-digit code of the community it lies in',
    },
  },
  unit_grids: {
    name: 'unit_grids',
    description: 'Unit grids (万米单元网格), current versions. Feature id = the 15-digit code.',
    minzoom: 14,
    fields: { code: '15-digit unit grid code', community: '12-digit code of the community it lies in' },
  },
  houses: {
    name: 'houses',
    description:
      'Houses with heights for 2.5D extrusion. Feature id = the house id (stable, for feature-state). ' +
      'height/min_height are metres above ground; render_height/render_min_height repeat them for OpenMapTiles-style clients. ' +
      'Below z15 only the height fields, floors, floors_below and use are carried. Retired houses (status 废弃) are not drawn.',
    minzoom: 13,
    allFieldsFrom: 15,
    lowZoomFields: ['height', 'min_height', 'render_height', 'render_min_height', ...Object.keys(tileAttributeFields(HOUSES, 'every zoom'))],
    fields: {
      height: 'roof height above ground, metres',
      min_height: 'height of the lowest drawn part above ground, metres (0: houses stand on the ground)',
      render_height: 'same as height',
      render_min_height: 'same as min_height',
      ...tileAttributeFields(HOUSES),
      unit_grid: '15-digit code of the unit grid it stands in',
      social_static: '16-digit static code of the social grid it stands in',
    },
  },
  components: {
    name: 'components',
    description:
      'City components (部件). Feature id = the 16-digit component code. Below z17 they are thinned: per cell of ' +
      '1/64 tile the component of the highest-priority class is kept (classes by major: 06 其他设施, 03 市容环境, ' +
      '02 道路交通, 05 房屋土地, 01 公用设施, 04 园林绿化; then the smaller code). From z17 every component is in its tile. ' +
      'Retired components (status 废弃) are not drawn.',
    minzoom: 14,
    thinned: true,
    fields: {
      code: '16-digit component code',
      major: '2-digit major class (01 公用设施 … 06 其他设施)',
      minor: '2-digit minor class within the major',
      class: 'class name, e.g. 上水井盖',
      status: '完好 / 破损 / 丢失 / 占用',
      ...tileAttributeFields(COMPONENTS),
    },
  },
  labels: {
    name: 'labels',
    description:
      'Label points: one per street, community, social grid and unit grid, at the pole of inaccessibility of its polygon ' +
      '(the inside point farthest from its edges), so each name is drawn once. Feature id = the id of the polygon it names. ' +
      `In tiles by kind: ${Object.entries(LABEL_MINZOOMS).map(([kind, z]) => `${kind} from z${z}`).join(', ')}.`,
    minzoom: Math.min(...Object.values(LABEL_MINZOOMS)),
    fields: {
      kind: 'what it names: street, community, social_grid or unit_grid',
      code: 'the code of what it names (social grid: the 16-digit static code)',
      name: 'the name of what it names',
    },
  },
};

/**
 * The attributes of a store layer its tiles carry (`tile` in src/layers/<layer>.ts), name →
 * description; with `only`, those carried at every zoom.
 */
export function tileAttributeFields(table: LayerTable, only?: 'every zoom'): Record<string, string> {
  const carried = attributesOf(table).filter((c) => c.attribute.tile !== undefined && (only === undefined || c.attribute.tile === only));
  return Object.fromEntries(carried.map((c) => [c.name, c.description ?? c.name]));
}

/** The layers each tile source serves, drawn bottom to top. */
export const TILE_SOURCES: Readonly<Record<TileSourceName, readonly TileLayerName[]>> = {
  grids: ['streets', 'communities', 'social_grids', 'unit_grids', 'labels'],
  components: ['components'],
  houses: ['houses'],
  wangge: ['streets', 'communities', 'social_grids', 'unit_grids', 'houses', 'components', 'labels'],
};

export function isTileSource(name: string): name is TileSourceName {
  return Object.hasOwn(TILE_SOURCES, name);
}

/** The lowest zoom at which a source has any layer. */
export function sourceMinZoom(source: TileSourceName): number {
  return Math.min(...TILE_SOURCES[source].map((layer) => TILE_LAYERS[layer].minzoom));
}
