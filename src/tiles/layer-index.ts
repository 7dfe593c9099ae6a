import Flatbush from 'flatbush';
import type { BBox } from '../geo/bbox.js';
import { thin } from './thinning.js';
import type { TileFeature } from './tile-features.js';

/** Features with a static R-tree (flatbush) over their world boxes. */
interface SpatialSet {
  features: TileFeature[];
  tree: Flatbush | null;
}

/** Builds the tree over `features` sorted by id, so index order is id order. */
function spatialSet(unsorted: TileFeature[]): SpatialSet {
  const features = [...unsorted].sort((a, b) => a.id - b.id);
  if (features.length === 0) return { features, tree: null };
  const tree = new Flatbush(features.length);
  for (const { bbox } of features) tree.add(bbox.minX, bbox.minY, bbox.maxX, bbox.maxY);
  tree.finish();
  return { features, tree };
}

/** Features meeting `box`, in id order (a numeric sort of indices, cheaper than comparing features). */
function searchSet({ features, tree }: SpatialSet, box: BBox): TileFeature[] {
  if (!tree) return [];
  const found = Uint32Array.from(tree.search(box.minX, box.minY, box.maxX, box.maxY)).sort();
  return Array.from(found, (i) => features[i]!);
}

export interface LayerIndexOptions {
  /** zooms at which the layer is thinned (thinning.ts); each gets its own set of survivors */
  thinnedZooms?: readonly number[];
}

/**
 * The features of one tile layer, searchable by world box. Tiles are cut on demand from what a
 * search returns, so memory stays at the size of the data (geojson-vt keeps every tile it ever
 * sliced; the issue note has the measurement). A thinned layer also keeps, per thinned zoom, the
 * survivors in their own tree: a z14 tile then reads ~4,000 features instead of ~20,000.
 * Changes replace features by key and rebuild the trees (~0.2 s for 200k components).
 */
export class LayerIndex {
  private full: SpatialSet;
  private byKey = new Map<string, number>();
  private readonly thinnedZooms: readonly number[];
  private thinned = new Map<number, SpatialSet>();

  constructor(features: Iterable<TileFeature>, options: LayerIndexOptions = {}) {
    this.thinnedZooms = options.thinnedZooms ?? [];
    this.full = { features: [...features], tree: null };
    this.rebuild(this.full.features);
  }

  get size(): number {
    return this.full.features.length;
  }

  /** Features whose box meets `box` (world coordinates), as drawn at zoom `z`, in id order. */
  search(box: BBox, z: number): TileFeature[] {
    return searchSet(this.thinned.get(z) ?? this.full, box);
  }

  /** Every feature, in index order. */
  all(): readonly TileFeature[] {
    return this.full.features;
  }

  get(key: string): TileFeature | undefined {
    const at = this.byKey.get(key);
    return at === undefined ? undefined : this.full.features[at];
  }

  /**
   * Puts `feature` under `key` (null removes it). Returns the boxes the change covers — the old
   * feature's and the new one's — so exactly the tiles they touch can be dropped.
   */
  replace(changes: Iterable<{ key: string; feature: TileFeature | null }>): BBox[] {
    const features = [...this.full.features];
    const touched: BBox[] = [];
    const removed = new Set<number>();
    // the last change of a key wins; applying each in turn could re-add a key removed before it
    const latest = new Map<string, TileFeature | null>();
    for (const { key, feature } of changes) latest.set(key, feature);
    for (const [key, feature] of latest) {
      const at = this.byKey.get(key);
      if (at !== undefined) {
        touched.push(features[at]!.bbox);
        if (feature) features[at] = feature;
        else removed.add(at);
      } else if (feature) {
        features.push(feature);
      }
      if (feature) touched.push(feature.bbox);
    }
    this.rebuild(removed.size > 0 ? features.filter((_, i) => !removed.has(i)) : features);
    return touched;
  }

  private rebuild(features: TileFeature[]): void {
    this.full = spatialSet(features);
    this.byKey = new Map(this.full.features.map((f, i) => [f.key, i]));
    this.thinned = new Map(this.thinnedZooms.map((z) => [z, spatialSet(thin(this.full.features, z))]));
  }
}
