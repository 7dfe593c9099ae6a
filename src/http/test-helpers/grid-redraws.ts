import type { Position } from 'geojson';
import polygonClipping, { type Geom } from 'polygon-clipping';
import type { AreaGeometry, Grid } from '../../model.js';
import type { Store } from '../../store/store.js';

/**
 * Two social grids of one community sharing an edge, and a piece of the second (a square of
 * ~40 m on a shared vertex) that redraws trade back and forth: the n-th redraw of a pair gives
 * the piece to the first grid when n is even and takes it back when n is odd, so any number of
 * redraws succeed and the grids end as they began. Houses on the piece change grid each time.
 */
export interface RedrawPair {
  first: Grid;
  second: Grid;
  /** the first grid with the piece */
  grown: AreaGeometry;
}

/** A `POST /v1/grids/{staticCode}/versions` request. */
export interface RedrawRequestOf {
  staticCode: string;
  body: { geometry: AreaGeometry; valid_from: string; neighbours?: { static_code: string; geometry: AreaGeometry }[] };
}

const HALF_DEG = 0.0002;

/**
 * Up to `count` pairs with no grid in two pairs, among the current social grids whose codes start
 * with `prefix`. The piece is a square, or with `pieceVertices` a wavy ring of that many vertices
 * (a boundary as digitized, for the cost of large redraws).
 */
export function redrawPairs(store: Store, count: number, prefix = '', { pieceVertices }: { pieceVertices?: number } = {}): RedrawPair[] {
  const grids = [...store.iterate('grids')].filter((g) => g.scheme === 'social' && g.code.startsWith(prefix));
  const used = new Set<string>();
  const pairs: RedrawPair[] = [];
  for (const first of grids) {
    if (pairs.length >= count) break;
    if (used.has(first.code)) continue;
    for (const second of grids) {
      if (second.code === first.code || used.has(second.code) || second.communityCode !== first.communityCode) continue;
      const vertex = sharedVertex(first.geometry, second.geometry);
      if (vertex === null) continue;
      const [x, y] = vertex as [number, number];
      const shape = pieceVertices === undefined ? square(x, y) : wavyRing(x, y, pieceVertices);
      const piece = polygonClipping.intersection(second.geometry.coordinates as Geom, shape);
      const rest = polygonClipping.difference(second.geometry.coordinates as Geom, piece);
      if (piece.length === 0 || rest.length === 0) continue;
      const grown = polygonClipping.union(first.geometry.coordinates as Geom, piece);
      pairs.push({ first, second, grown: grown.length === 1 ? { type: 'Polygon', coordinates: grown[0]! } : { type: 'MultiPolygon', coordinates: grown } });
      used.add(first.code).add(second.code);
      break;
    }
  }
  return pairs;
}

function square(x: number, y: number): Geom {
  return [[[x - HALF_DEG, y - HALF_DEG], [x + HALF_DEG, y - HALF_DEG], [x + HALF_DEG, y + HALF_DEG], [x - HALF_DEG, y + HALF_DEG], [x - HALF_DEG, y - HALF_DEG]]];
}

/** A ring of `vertices` positions around (x, y), its radius waving ±15 % so that no three are in line. */
function wavyRing(x: number, y: number, vertices: number): Geom {
  const ring = Array.from({ length: vertices }, (_, k): [number, number] => {
    const angle = (2 * Math.PI * k) / vertices;
    const radius = 2 * HALF_DEG * (1 + 0.15 * Math.sin(7 * angle));
    return [x + radius * Math.cos(angle), y + radius * Math.sin(angle)];
  });
  return [[...ring, ring[0]!]];
}

/** The n-th redraw of a pair (n from 0), taking effect on `validFrom` (later than every earlier one). */
export function redrawRequest(pair: RedrawPair, n: number, validFrom: string): RedrawRequestOf {
  if (n % 2 === 0) return { staticCode: pair.first.code, body: { geometry: pair.grown, valid_from: validFrom } };
  return {
    staticCode: pair.first.code,
    body: { geometry: pair.first.geometry, valid_from: validFrom, neighbours: [{ static_code: pair.second.code, geometry: pair.second.geometry }] },
  };
}

/** The day `n` days after 2027-01-01, as YYYY-MM-DD: redraw k of a run takes effect on day k. */
export function redrawDay(n: number): string {
  return new Date(Date.UTC(2027, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
}

/** A vertex of a's outer ring that is also a vertex of b's, or null. */
function sharedVertex(a: AreaGeometry, b: AreaGeometry): Position | null {
  const ring = (g: AreaGeometry): Position[] => (g.type === 'Polygon' ? g.coordinates[0]! : g.coordinates[0]![0]!);
  const theirs = new Set(ring(b).map((p) => `${p[0]},${p[1]}`));
  return ring(a).find((p) => theirs.has(`${p[0]},${p[1]}`)) ?? null;
}
