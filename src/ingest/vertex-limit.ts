import { countVertices } from '../geo/vertex-count.js';
import type { SourceItem } from './read-features.js';

/**
 * Passes features on, turning each whose geometry has more than `maxVertices` positions into an
 * invalid item, reported by line or number like any invalid feature (issue 12: a 1M-vertex polygon
 * made every tile over it cost 0.2–0.4 s). `hint` says how to import it anyway.
 */
export function* limitVertices(items: Iterable<SourceItem>, maxVertices: number, hint: string): Generator<SourceItem> {
  for (const item of items) {
    if (item.feature === undefined || countVertices(item.feature.geometry, maxVertices) <= maxVertices) {
      yield item;
      continue;
    }
    const count = countVertices(item.feature.geometry);
    yield { where: item.where, error: `geometry has ${count.toLocaleString('en')} vertices, more than the ${maxVertices.toLocaleString('en')} a feature may have (${hint})` };
  }
}
