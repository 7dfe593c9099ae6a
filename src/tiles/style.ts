import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from '@maplibre/maplibre-gl-style-spec';
import { TILE_LAYERS, type TileLayerName } from './layers.js';

/** The one vector source of the default style: every layer, from `/tiles/wangge.json`. */
export const STYLE_SOURCE = 'wangge';

/** Id of the 2.5D house layer; the map page test counts what it drew. */
export const HOUSES_LAYER_ID = 'houses-extrusion';

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
 * The map style served at `/styles/default.json`: grids, 2.5D houses and components from the
 * `wangge` tile source (or `tileSource`, e.g. a served MBTiles file's), on a plain background. It
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
      {
        id: 'components-circle',
        type: 'circle',
        ...fromLayer('components'),
        paint: {
          'circle-color': MAJOR_COLOURS,
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 14, 1, 16, 2.5, 18, 5],
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 14, 0, 16, 1],
        },
      },
      {
        id: 'unit-grids-label',
        type: 'symbol',
        ...fromLayer('unit_grids'),
        // 15-digit codes only fit their grid (about 100 m across) from z16
        minzoom: 16,
        layout: { 'text-field': ['get', 'code'], 'text-font': LABEL_FONT, 'text-size': 11 },
        paint: { 'text-color': '#555555', 'text-halo-color': '#ffffff', 'text-halo-width': 1.2 },
      },
    ],
  };
}

/** Source, source layer and minzoom of a style layer drawing a tile layer. */
function fromLayer(name: TileLayerName): Pick<Exclude<LayerSpecification, { type: 'background' }>, 'source' | 'source-layer' | 'minzoom'> {
  return { source: STYLE_SOURCE, 'source-layer': name, minzoom: TILE_LAYERS[name].minzoom };
}
