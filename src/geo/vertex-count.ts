/**
 * Positions in a GeoJSON geometry: every ring and part of a (multi) polygon or line, the members
 * of a GeometryCollection summed; anything not shaped as GeoJSON counts what positions it holds.
 * Counting stops once it passes `stopAbove` (a limit's check need not walk a million positions),
 * and nesting of any depth is walked without recursion.
 * @example countVertices({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }) // 4
 */
export function countVertices(geometry: unknown, stopAbove = Infinity): number {
  let count = 0;
  const stack: unknown[] = [geometry];
  while (stack.length > 0 && count <= stopAbove) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      if (typeof value[0] === 'number') count++;
      else for (const member of value) stack.push(member);
    } else if (value !== null && typeof value === 'object') {
      const { coordinates, geometries } = value as { coordinates?: unknown; geometries?: unknown };
      stack.push(coordinates, geometries);
    }
  }
  return count;
}
