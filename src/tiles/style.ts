import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from '@maplibre/maplibre-gl-style-spec';
import { LABEL_MINZOOMS, TILE_LAYERS, type LabelKind, type TileLayerName } from './layers.js';

/** The one vector source of the default style: every layer, from `/tiles/wangge.json`. */
export const STYLE_SOURCE = 'wangge';

/** Id of the 2.5D house layer; the map page test counts what it drew. */
export const HOUSES_LAYER_ID = 'houses-extrusion';

/** Id of the component layer, drawn under the houses. */
export const COMPONENTS_LAYER_ID = 'components-circle';

/** Id of the symbol layer drawing one kind of label point; the map page test counts what it placed. */
export function labelLayerId(kind: LabelKind): string {
  return `${kind.replace('_', '-')}-labels`;
}

/**
 * Where each kind of label stops being drawn (exclusive; none: to the deepest zoom); each starts at
 * its LABEL_MINZOOMS zoom. Streets give way to communities at z14, communities to grid codes at z17;
 * social-grid codes stay from z16 on and, placed first, win over the unit-grid codes under them.
 */
export const LABEL_MAXZOOMS: Readonly<Record<LabelKind, number | undefined>> = { street: 14, community: 17, social_grid: undefined, unit_grid: undefined };

// the style has no `glyphs` URL, so MapLibre (≥ 5.11) draws labels with the browser's own fonts:
// no glyph server, no internet. The stack is a CSS font-family list then, not a glyph PBF name.
const LABEL_FONT = ['sans-serif'];

/** House colour per `use`; anything else (a use added later) gets the last colour. */
const USE_COLOURS: ExpressionSpecification = [
  'match',
  ['get', 'use'],
  '住宅', '#e9d3b0',
  '商业', '#e38b6d',
  '办公', '#8fb3de',
  '公共服务', '#9fcf9f',
  '文物保护', '#c9a0dc',
  '#d4cfc6',
];

/** Component colour per major class (01 公用设施 … 06 其他设施); local majors get the last colour. */
const MAJOR_COLOURS: ExpressionSpecification = [
  'match',
  ['get', 'major'],
  '01', '#1f77b4',
  '02', '#ff7f0e',
  '03', '#8c564b',
  '04', '#2ca02c',
  '05', '#d62728',
  '06', '#7f7f7f',
  '#17becf',
];

/**
 * The map style served at `/styles/default.json`: grids, components, 2.5D houses and the names and
 * codes of the label points from the `wangge` tile source (or `tileSource`, e.g. a served MBTiles
 * file's), on a plain background. It
 * loads nothing but `${baseUrl}/tiles/<source>.json` and the tiles it lists, so it works without internet.
 * @example defaultStyle('http://localhost:8080').sources.wangge // { type: 'vector', url: 'http://localhost:8080/tiles/wangge.json' }
 */
export function defaultStyle(baseUrl: string, tileSource: string = STYLE_SOURCE): StyleSpecification {
  return {
    version: 8,
    name: 'wangge default',
    sources: { [STYLE_SOURCE]: { type: 'vector', url: `${baseUrl}/tiles/${encodeURIComponent(tileSource)}.json` } },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': '#f4f2ee' } },
      {
        id: 'unit-grids-line',
        type: 'line',
        ...fromLayer('unit_grids'),
        paint: { 'line-color': '#9a9a9a', 'line-width': 0.6 },
      },
      {
        id: 'social-grids-line',
        type: 'line',
        ...fromLayer('social_grids'),
        paint: { 'line-color': '#2e86c1', 'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.8, 18, 1.8] },
      },
      {
        id: 'communities-line',
        type: 'line',
        ...fromLayer('communities'),
        paint: {
          'line-color': '#7d3c98',
          'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1.2, 18, 3],
          'line-dasharray': [3, 2],
        },
      },
      {
        id: 'streets-line',
        type: 'line',
        ...fromLayer('streets'),
        layout: { 'line-join': 'round' },
        paint: { 'line-color': '#a93226', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 2, 18, 6] },
      },
      {
        id: COMPONENTS_LAYER_ID,
        type: 'circle',
        ...fromLayer('components'),
        paint: {
          'circle-color': MAJOR_COLOURS,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1, 16, 2.5, 18, 5],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 14, 0, 16, 1],
          // flat on the ground, as a manhole cover is, so a tilted map shows them in perspective
          'circle-pitch-alignment': 'map',
        },
      },
      // after the components: MapLibre tests no depth for layers above the first 3D one, so circles
      // drawn after the houses painted over their walls at high pitch; drawn before, the walls hide them
      {
        id: HOUSES_LAYER_ID,
        type: 'fill-extrusion',
        ...fromLayer('houses'),
        paint: {
          'fill-extrusion-color': USE_COLOURS,
          'fill-extrusion-height': ['get', 'height'],
          'fill-extrusion-base': ['get', 'min_height'],
          'fill-extrusion-opacity': 0.85,
        },
      },
      // labels last, so no house hides them; MapLibre places the topmost symbol layer first, so
      // street names win a collision over community names, and those over grid codes
      labelLayer('unit_grid', ['get', 'code'], 11, '#555555'),
      labelLayer('social_grid', ['get', 'code'], 11, '#2e86c1'),
      labelLayer('community', ['get', 'name'], 12, '#7d3c98'),
      labelLayer('street', ['get', 'name'], ['interpolate', ['linear'], ['zoom'], 10, 11, 13, 14], '#a93226'),
    ],
  };
}

/** The symbol layer of one kind of label point, drawn from its LABEL_MINZOOMS zoom to its LABEL_MAXZOOMS one. */
function labelLayer(kind: LabelKind, text: ExpressionSpecification, size: number | ExpressionSpecification, colour: string): LayerSpecification {
  const maxzoom = LABEL_MAXZOOMS[kind];
  return {
    id: labelLayerId(kind),
    type: 'symbol',
    ...fromLayer('labels'),
    minzoom: LABEL_MINZOOMS[kind],
    ...(maxzoom === undefined ? {} : { maxzoom }),
    filter: ['==', ['get', 'kind'], kind],
    layout: { 'text-field': text, 'text-font': LABEL_FONT, 'text-size': size },
    paint: { 'text-color': colour, 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
  };
}

/** Source, source layer and minzoom of a style layer drawing a tile layer. */
function fromLayer(name: TileLayerName): Pick<Exclude<LayerSpecification, { type: 'background' }>, 'source' | 'source-layer' | 'minzoom'> {
  return { source: STYLE_SOURCE, 'source-layer': name, minzoom: TILE_LAYERS[name].minzoom };
}
