import { clipLine, clipRing, type ClipBox } from './clip.js';
import { BUFFER, EXTENT } from './layers.js';
import type { TileCoord } from './tile-coords.js';
import type { TileFeature } from './tile-features.js';

/**
 * A feature's geometry in one tile: integer tile coordinates, clipped to the tile plus its
 * buffer. Points: one flat x,y array. Lines: one array per part. Polygons: open rings (MVT
 * closes them), each polygon's exterior first with positive area in the y-down tile plane
 * (clockwise on screen, MVT 2.1 §4.3.4.4) followed by its holes with negative area.
 */
export interface TileGeometry {
  type: 1 | 2 | 3;
  parts: number[][];
}

const CLIP: ClipBox = { min: -BUFFER, max: EXTENT + BUFFER };

/** The geometry of `feature` in tile `tile`, or null when nothing of it remains there. */
export function tileGeometry(feature: TileFeature, tile: TileCoord): TileGeometry | null {
  const scale = 2 ** tile.z * EXTENT;
  const ox = tile.x * EXTENT;
  const oy = tile.y * EXTENT;
  const toTile = (world: Float64Array, dropLast: boolean): number[] => {
    const n = world.length - (dropLast ? 2 : 0);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i += 2) {
      out[i] = world[i]! * scale - ox;
      out[i + 1] = world[i + 1]! * scale - oy;
    }
    return out;
  };
  const b = feature.bbox;
  const inside = b.minX * scale - ox >= CLIP.min && b.maxX * scale - ox <= CLIP.max && b.minY * scale - oy >= CLIP.min && b.maxY * scale - oy <= CLIP.max;

  switch (feature.type) {
    case 1: {
      const points = roundPoints(toTile(feature.points, false));
      return points.length > 0 ? { type: 1, parts: [points] } : null;
    }
    case 2: {
      const parts: number[][] = [];
      for (const line of feature.lines) {
        const projected = toTile(line, false);
        for (const part of inside ? [projected] : clipLine(projected, CLIP)) {
          const rounded = roundPath(part);
          if (rounded.length >= 4) parts.push(rounded);
        }
      }
      return parts.length > 0 ? { type: 2, parts } : null;
    }
    case 3: {
      // most features at the zooms that matter lie wholly inside: project and round in one pass
      const toRing = inside
        ? (world: Float64Array) => roundedRing(world, scale, ox, oy)
        : (world: Float64Array) => roundPath(clipRing(toTile(world, true), CLIP));
      const parts: number[][] = [];
      for (const rings of feature.polygons) {
        const exterior = oriented(toRing(rings[0]!), 1);
        if (!exterior) continue;
        parts.push(exterior);
        for (let h = 1; h < rings.length; h++) {
          const hole = oriented(toRing(rings[h]!), -1);
          if (hole) parts.push(hole);
        }
      }
      return parts.length > 0 ? { type: 3, parts } : null;
    }
  }
}

/** A rounded open ring with the orientation `sign` asks for; null if it collapsed. */
function oriented(rounded: number[], sign: 1 | -1): number[] | null {
  // a closed rounded ring may end on its start point
  const n = rounded.length;
  if (n >= 4 && rounded[0] === rounded[n - 2] && rounded[1] === rounded[n - 1]) rounded.length = n - 2;
  if (rounded.length < 6) return null;
  const area = shoelace(rounded);
  if (area === 0) return null;
  return Math.sign(area) === sign ? rounded : reverse(rounded);
}

/** A closed world ring as an open ring of rounded tile coordinates without repeated points. */
function roundedRing(world: Float64Array, scale: number, ox: number, oy: number): number[] {
  const out: number[] = [];
  let lastX = NaN;
  let lastY = NaN;
  for (let i = 0; i < world.length - 2; i += 2) {
    const x = Math.round(world[i]! * scale - ox);
    const y = Math.round(world[i + 1]! * scale - oy);
    if (x === lastX && y === lastY) continue;
    out.push(x, y);
    lastX = x;
    lastY = y;
  }
  return out;
}

/** Points inside the clip box, rounded; points of the same position are kept (they are distinct features' parts). */
function roundPoints(flat: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const x = Math.round(flat[i]!);
    const y = Math.round(flat[i + 1]!);
    if (x >= CLIP.min && x <= CLIP.max && y >= CLIP.min && y <= CLIP.max) out.push(x, y);
  }
  return out;
}

/** Rounds to integers and drops points equal to the one before. */
function roundPath(flat: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const x = Math.round(flat[i]!);
    const y = Math.round(flat[i + 1]!);
    const n = out.length;
    if (n > 0 && out[n - 2] === x && out[n - 1] === y) continue;
    out.push(x, y);
  }
  return out;
}

/** Twice the signed area of an open ring: Σ x_i·y_(i+1) − x_(i+1)·y_i. */
export function shoelace(flat: number[]): number {
  let sum = 0;
  const n = flat.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    sum += flat[i]! * flat[j + 1]! - flat[j]! * flat[i + 1]!;
  }
  return sum;
}

function reverse(flat: number[]): number[] {
  const out = new Array<number>(flat.length);
  for (let i = 0, j = flat.length - 2; j >= 0; i += 2, j -= 2) {
    out[i] = flat[j]!;
    out[i + 1] = flat[j + 1]!;
  }
  return out;
}
