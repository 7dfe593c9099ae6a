import type { PartOutside } from '../geo/part-outside.js';

/** Areas up to this (m²) are rounding, not gaps, overlaps or parts beyond an edge (a 4 mm × 77 m strip is 0.3 m²). */
export const TOLERANCE_M2 = 1;

/** Lengths of line up to this (m) beyond an edge are rounding. */
export const TOLERANCE_M = 1;

/** True when a part outside an area is more than rounding. */
export function beyondTolerance(part: PartOutside | null): part is PartOutside {
  return part !== null && part.size > (part.unit === 'm' ? TOLERANCE_M : TOLERANCE_M2);
}
