import { geometryBBox, type BBox } from './bbox.js';
import type { AreaGeometry } from '../model.js';

/**
 * Where two shapes of a polygon differ: the box of the edges one has and the other has not
 * (null when they are the same; a whole shape's box when the other is null). The points inside
 * one shape and not the other form a region whose boundary is made of such edges (on an edge
 * both shapes have, the inside is on the same side in both — nothing changes next to it — or on
 * opposite sides, and then both sides change), so that region lies in the box. A redraw that
 * moves a 40 m piece from one grid to another changes answers in a 40 m box, not in both grids:
 * the reverse geocoder relabels just the raster cells there, the redraw reassigns the houses there.
 */
export function changedBox(before: AreaGeometry | null, after: AreaGeometry | null): BBox | null {
  if (before === null || after === null) return before === null && after === null ? null : geometryBBox((before ?? after)!);
  const edges = (g: AreaGeometry): Map<string, number[]> => {
    const out = new Map<string, number[]>();
    for (const polygon of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
      for (const ring of polygon) {
        for (let k = 0; k < ring.length - 1; k++) {
          const [ax, ay] = ring[k]!;
          const [bx, by] = ring[k + 1]!;
          // either direction: the same segment
          const forward = ax! < bx! || (ax === bx && ay! <= by!);
          out.set(forward ? `${ax},${ay},${bx},${by}` : `${bx},${by},${ax},${ay}`, [ax!, ay!, bx!, by!]);
        }
      }
    }
    return out;
  };
  const old = edges(before);
  const now = edges(after);
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const grow = (e: number[]): void => {
    box.minX = Math.min(box.minX, e[0]!, e[2]!);
    box.minY = Math.min(box.minY, e[1]!, e[3]!);
    box.maxX = Math.max(box.maxX, e[0]!, e[2]!);
    box.maxY = Math.max(box.maxY, e[1]!, e[3]!);
  };
  for (const [key, e] of old) if (!now.has(key)) grow(e);
  for (const [key, e] of now) if (!old.has(key)) grow(e);
  return box.minX === Infinity ? null : box;
}
