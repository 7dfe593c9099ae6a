import type { Feature, Geometry } from 'geojson';
import { formatWkt } from '../geo/wkt.js';
import { csvField } from './csv.js';
import type { FeatureFormat } from './read-features.js';

/** Serialises features as text chunks in a streaming-friendly way: head, one chunk per feature, tail. */
export interface FeatureSerializer {
  head: string;
  feature(feature: Feature<Geometry | null>, index: number): string;
  tail: string;
}

/**
 * GeoJSON FeatureCollection, newline-delimited GeoJSON, or CSV with the properties as columns
 * (in `columns` order) and the geometry as a `wkt` column — the forms `wangge import` reads back.
 * A layer without geometry (`withGeometry` false) has no `wkt` column; a list of names is one
 * CSV cell joined with `|`, which import splits again.
 */
export function featureSerializer(format: FeatureFormat, columns: readonly string[], withGeometry = true): FeatureSerializer {
  switch (format) {
    case 'geojson':
      return {
        head: '{"type":"FeatureCollection","features":[\n',
        feature: (f, k) => (k === 0 ? '' : ',\n') + JSON.stringify(f),
        tail: '\n]}\n',
      };
    case 'ndjson':
      return { head: '', feature: (f) => JSON.stringify(f) + '\n', tail: '' };
    case 'csv': {
      const cells = (f: Feature<Geometry | null>): unknown[] => {
        const values = columns.map((c) => f.properties?.[c]).map((v) => (Array.isArray(v) ? v.join('|') : v));
        return withGeometry ? [...values, f.geometry === null ? null : formatWkt(f.geometry)] : values;
      };
      return {
        head: (withGeometry ? [...columns, 'wkt'] : columns).map(csvField).join(',') + '\n',
        feature: (f) => cells(f).map(csvField).join(',') + '\n',
        tail: '',
      };
    }
  }
}
