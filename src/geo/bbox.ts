import type { Geometry, Position } from 'geojson';

/** Axis-aligned box in degrees, in rbush's item order. */
export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Calls `visit` for every position of a geometry, whatever its type. */
export function eachPosition(geometry: Geometry, visit: (p: Position) => void): void {
  switch (geometry.type) {
    case 'Point':
      visit(geometry.coordinates);
      return;
    case 'MultiPoint':
    case 'LineString':
      geometry.coordinates.forEach(visit);
      return;
    case 'MultiLineString':
    case 'Polygon':
      for (const line of geometry.coordinates) line.forEach(visit);
      return;
    case 'MultiPolygon':
      for (const polygon of geometry.coordinates) for (const ring of polygon) ring.forEach(visit);
      return;
    case 'GeometryCollection':
      for (const g of geometry.geometries) eachPosition(g, visit);
  }
}

/** Bounding box of any geometry; throws on an empty one. */
export function geometryBBox(geometry: Geometry): BBox {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  eachPosition(geometry, ([x, y]) => {
    if (x! < box.minX) box.minX = x!;
    if (y! < box.minY) box.minY = y!;
    if (x! > box.maxX) box.maxX = x!;
    if (y! > box.maxY) box.maxY = y!;
  });
  if (box.minX === Infinity) throw new Error(`${geometry.type} has no coordinates`);
  return box;
}

/** The smallest box holding both. */
export function unionBBox(a: BBox, b: BBox): BBox {
  return { minX: Math.min(a.minX, b.minX), minY: Math.min(a.minY, b.minY), maxX: Math.max(a.maxX, b.maxX), maxY: Math.max(a.maxY, b.maxY) };
}

/** True when (x, y) lies in the box, edges included. */
export function bboxContainsPoint(box: BBox, x: number, y: number): boolean {
  return x >= box.minX && x <= box.maxX && y >= box.minY && y <= box.maxY;
}
