import type { Feature } from 'geojson';
import { formatWkt } from '../geo/wkt.js';
import { csvField } from './csv.js';
import type { FeatureFormat } from './read-features.js';

/** Serialises features as text chunks in a streaming-friendly way: head, one chunk per feature, tail. */
export interface FeatureSerializer {
  head: string;
  feature(feature: Feature, index: number): string;
  tail: string;
}

/**
 * GeoJSON FeatureCollection, newline-delimited GeoJSON, or CSV with the properties as columns
 * (in `columns` order) and the geometry as a `wkt` column — the forms `wangge import` reads back.
 */
export function featureSerializer(format: FeatureFormat, columns: readonly string[]): FeatureSerializer {
  switch (format) {
    case 'geojson':
      return {
        head: '{"type":"FeatureCollection","features":[\n',
        feature: (f, k) => (k === 0 ? '' : ',\n') + JSON.stringify(f),
        tail: '\n]}\n',
      };
    case 'ndjson':
      return { head: '', feature: (f) => JSON.stringify(f) + '\n', tail: '' };
    case 'csv':
      return {
        head: [...columns, 'wkt'].map(csvField).join(',') + '\n',
        feature: (f) => [...columns.map((c) => csvField(f.properties?.[c])), csvField(formatWkt(f.geometry))].join(',') + '\n',
        tail: '',
      };
  }
}
