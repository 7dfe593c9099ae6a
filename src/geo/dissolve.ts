import type { Position } from 'geojson';
import type { AreaGeometry } from '../model.js';
import { pointInRings } from './pip.js';

/**
 * Merges polygons that share exact vertices (a topological mesh) into one (multi)polygon.
 * Input rings are vertex ids in counter-clockwise order, not closed. Interior edges, which
 * appear once in each direction, cancel; the remaining edges are chained into rings.
 * Where the outline touches itself at a vertex, the trace takes the leftmost turn, so the
 * parts come out as separate simple rings that touch at that point (valid OGC geometry).
 */
export function dissolve(rings: readonly (readonly number[])[], position: (id: number) => Position): AreaGeometry {
  const boundary = new Map<string, [number, number]>();
  for (const ring of rings) {
    for (let k = 0; k < ring.length; k++) {
      const a = ring[k]!;
      const b = ring[(k + 1) % ring.length]!;
      const reverse = `${b},${a}`;
      if (boundary.has(reverse)) boundary.delete(reverse);
      else boundary.set(`${a},${b}`, [a, b]);
    }
  }
  const outgoing = new Map<number, number[]>();
  for (const [a, b] of boundary.values()) {
    const list = outgoing.get(a);
    if (list) list.push(b);
    else outgoing.set(a, [b]);
  }

  const traced: Position[][] = [];
  for (const [start, first] of boundary.values()) {
    if (!takeEdge(outgoing, start, first)) continue;
    const ids = [start];
    let previous = start;
    let current = first;
    while (current !== start) {
      ids.push(current);
      const next = leftmostTurn(position(previous), position(current), outgoing.get(current) ?? [], position);
      if (next === undefined) throw new Error(`dissolve: open boundary at vertex ${current}`);
      takeEdge(outgoing, current, next);
      previous = current;
      current = next;
    }
    const coords = ids.map(position);
    coords.push(coords[0]!);
    traced.push(coords);
  }
  return assemble(traced);
}

function takeEdge(outgoing: Map<number, number[]>, a: number, b: number): boolean {
  const list = outgoing.get(a);
  const at = list ? list.indexOf(b) : -1;
  if (at < 0) return false;
  list!.splice(at, 1);
  return true;
}

function leftmostTurn(
  from: Position,
  at: Position,
  candidates: number[],
  position: (id: number) => Position,
): number | undefined {
  if (candidates.length <= 1) return candidates[0];
  const dx = at[0]! - from[0]!;
  const dy = at[1]! - from[1]!;
  let best: number | undefined;
  let bestTurn = -Infinity;
  for (const id of candidates) {
    const p = position(id);
    const ex = p[0]! - at[0]!;
    const ey = p[1]! - at[1]!;
    const turn = Math.atan2(dx * ey - dy * ex, dx * ex + dy * ey);
    if (turn > bestTurn) {
      bestTurn = turn;
      best = id;
    }
  }
  return best;
}

/** Shoelace area in coordinate units: positive for counter-clockwise rings. */
export function planarRingArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length - 1; i++) {
    sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  }
  return sum / 2;
}

function assemble(rings: Position[][]): AreaGeometry {
  const exteriors = rings.filter((r) => planarRingArea(r) > 0).sort((a, b) => planarRingArea(a) - planarRingArea(b));
  const polygons = exteriors.map((outer) => [outer]);
  for (const hole of rings.filter((r) => planarRingArea(r) < 0)) {
    // an edge midpoint of the hole is strictly inside its shell: edges never coincide after cancelling
    const a = hole[0]!;
    const b = hole[1]!;
    const mx = (a[0]! + b[0]!) / 2;
    const my = (a[1]! + b[1]!) / 2;
    // exteriors are sorted smallest first, so the first hit is the innermost shell
    const shell = polygons.find((polygon) => pointInRings(mx, my, [polygon[0]!]));
    if (!shell) throw new Error('dissolve: a hole lies outside every exterior ring');
    shell.push(hole);
  }
  if (polygons.length === 1) return { type: 'Polygon', coordinates: polygons[0]! };
  return { type: 'MultiPolygon', coordinates: polygons };
}
