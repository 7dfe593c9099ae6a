import RBush from 'rbush';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { pointInPolygon } from '../geo/pip.js';
import type { AreaGeometry, Grid } from '../model.js';
import type { Store } from '../store/store.js';

interface Entry extends BBox {
  code: string;
  geometry: AreaGeometry;
}

/**
 * Finds the current unit grid and social grid containing a point: an R-tree (rbush) over the
 * grids' boxes, then exact point-in-polygon. A point on an edge shared by two grids goes to the
 * one pip.ts's edge rule gives it, so it is never in two grids of the same scheme.
 */
export class GridLocator {
  private readonly unit = new RBush<Entry>();
  private readonly social = new RBush<Entry>();

  constructor(grids: Iterable<Grid>) {
    const unit: Entry[] = [];
    const social: Entry[] = [];
    for (const grid of grids) {
      if (grid.validTo !== null) continue;
      (grid.scheme === 'unit' ? unit : social).push({ ...geometryBBox(grid.geometry), code: grid.code, geometry: grid.geometry });
    }
    this.unit.load(unit);
    this.social.load(social);
  }

  static fromStore(store: Store): GridLocator {
    return new GridLocator(store.iterate('grids'));
  }

  locate(lng: number, lat: number): { unitGridCode: string | null; socialStaticCode: string | null } {
    return { unitGridCode: find(this.unit, lng, lat), socialStaticCode: find(this.social, lng, lat) };
  }
}

function find(tree: RBush<Entry>, x: number, y: number): string | null {
  for (const entry of tree.search({ minX: x, minY: y, maxX: x, maxY: y })) {
    if (pointInPolygon(x, y, entry.geometry)) return entry.code;
  }
  return null;
}
