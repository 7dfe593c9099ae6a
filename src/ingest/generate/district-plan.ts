import type { Position } from 'geojson';
import { pointInRings } from '../../geo/pip.js';
import { createLattice, type Lattice } from './lattice.js';
import { createLocalFrame, type LocalFrame } from './frame.js';
import { createRandom, deriveSeed } from './random.js';
import { farthestPointSeeds, growRegions } from './grow-regions.js';
import type { GeneratorInputs } from './inputs.js';

/**
 * The cell-level plan of a district: which lattice cells it covers and, for each cell, its
 * street, community, unit grid and social grid. Geometry is derived from this plan afterwards,
 * so every boundary is made of the same shared lattice vertices and areas nest exactly.
 */
export interface DistrictPlan {
  lattice: Lattice;
  frame: LocalFrame;
  /** cell index = j * columns + i; -1 outside the district */
  cellStreet: Int32Array;
  cellCommunity: Int32Array;
  cellUnitGrid: Int32Array;
  cellPark: Uint8Array;
  /** 1 where a cell holds hutong courtyards rather than modern blocks */
  cellHutong: Uint8Array;
  streets: { code: string; name: string; cells: number[] }[];
  communities: { code: string; name: string; street: number; cells: number[] }[];
  /** cells of each unit grid, serial in reading order within its community */
  unitGrids: { community: number; serial: number; cells: number[]; socialGrid: number }[];
  socialGrids: { community: number; serial: number; unitGrids: number[] }[];
  /** lng/lat of every lattice vertex, computed once so shared vertices are bit-identical */
  position(vertexId: number): Position;
  /** lng/lat of a point in the plan's local metres (this copy's east offset applied) */
  toLngLat(x: number, y: number): Position;
}

export interface PlanOptions {
  seed: number;
  /** east offset of this copy in metres, for `--scale` */
  offsetEastM: number;
  /** number of social grids to lay out across the district */
  socialGridCount: number;
}

export function planDistrict(inputs: GeneratorInputs, options: PlanOptions): DistrictPlan {
  const { layout, divisions } = inputs;
  const frame = createLocalFrame(layout.origin[0], layout.origin[1]);
  const lattice = createLattice(
    { widthM: layout.extentM[0], heightM: layout.extentM[1], columnM: [125, 190], rowM: [90, 134], warpM: 22, jitterM: 9 },
    createRandom(deriveSeed(options.seed, 'lattice')),
  );
  const { columns, rows } = lattice;
  const cellCount = columns * rows;
  const centre = (cell: number): [number, number] => {
    const [x, y] = lattice.cellPoint(cell % columns, Math.floor(cell / columns), 0.5, 0.5);
    return [x, y];
  };
  const toLocal = ([lng, lat]: [number, number]): [number, number] => frame.toMetres(lng, lat);

  const outline = layout.outline.map(toLocal);
  const inside = new Uint8Array(cellCount);
  for (let c = 0; c < cellCount; c++) inside[c] = pointInRings(...centre(c), [outline]) ? 1 : 0;
  cleanMask(inside, columns, rows);

  const neighbours = (cell: number): number[] => {
    const i = cell % columns;
    const j = Math.floor(cell / columns);
    const out: number[] = [];
    if (i > 0) out.push(cell - 1);
    if (i < columns - 1) out.push(cell + 1);
    if (j > 0) out.push(cell - columns);
    if (j < rows - 1) out.push(cell + columns);
    return out;
  };
  const within = (allowed: (cell: number) => boolean) => (cell: number) => neighbours(cell).filter(allowed);
  const distance = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const districtCells = range(cellCount).filter((c) => inside[c]);

  // streets grow from their hand-placed seeds towards their real share of the district's area
  const streetInfo = divisions.streets.map((s) => {
    const placed = layout.streets[s.code];
    if (!placed) throw new Error(`layout has no placement for street ${s.code} ${s.name}`);
    return { ...s, ...placed, seedXY: toLocal(placed.seed) };
  });
  const streetSeeds = streetInfo.map((s) => nearestCell(districtCells, centre, s.seedXY));
  const cellStreet = growRegions(
    cellCount,
    within((c) => inside[c] === 1),
    streetSeeds,
    streetInfo.map((s) => s.areaKm2),
    (r, c) => distance(centre(c), streetInfo[r]!.seedXY),
  );

  const random = createRandom(deriveSeed(options.seed, 'plan'));
  const cellCommunity = new Int32Array(cellCount).fill(-1);
  const streets = streetInfo.map((s, r) => ({ code: s.code, name: s.name, cells: districtCells.filter((c) => cellStreet[c] === r) }));
  const communities: DistrictPlan['communities'] = [];
  streetInfo.forEach((street, r) => {
    const cells = streets[r]!.cells;
    const seeds = sortReadingOrder(farthestPointSeeds(cells, street.communities.length, centre), centre);
    const owner = growRegions(
      cellCount,
      within((c) => cellStreet[c] === r),
      seeds,
      seeds.map(() => random.range(0.7, 1.3)),
      (k, c) => distance(centre(c), centre(seeds[k]!)),
    );
    street.communities.forEach((community, k) => {
      const index = communities.length;
      const own = cells.filter((c) => owner[c] === k);
      for (const c of own) cellCommunity[c] = index;
      communities.push({ code: community.code, name: community.name, street: r, cells: own });
    });
  });

  const cellArea = (cell: number): number => quadArea(lattice, cell % columns, Math.floor(cell / columns));
  const cellUnitGrid = new Int32Array(cellCount).fill(-1);
  const unitGrids: DistrictPlan['unitGrids'] = [];
  communities.forEach((community, index) => {
    const groups = mergeSmallCells(community.cells, cellArea, neighbours, (c) => cellCommunity[c] === index);
    sortReadingOrder(groups.map((g) => g[0]!), centre).forEach((first, k) => {
      const cells = groups.find((g) => g[0] === first)!;
      for (const c of cells) cellUnitGrid[c] = unitGrids.length;
      unitGrids.push({ community: index, serial: k + 1, cells, socialGrid: -1 });
    });
  });

  const socialGrids = planSocialGrids(communities, unitGrids, cellUnitGrid, neighbours, centre, options.socialGridCount);

  const cellPark = new Uint8Array(cellCount);
  const parks = layout.parks.map(({ box }) => [...toLocal([box[0], box[1]]), ...toLocal([box[2], box[3]])]);
  const cellHutong = new Uint8Array(cellCount);
  const phase = random.range(0, 100);
  for (const c of districtCells) {
    const [x, y] = centre(c);
    cellPark[c] = parks.some(([x0, y0, x1, y1]) => x >= x0! && x <= x1! && y >= y0! && y <= y1!) ? 1 : 0;
    // smooth noise keeps hutong quarters and modern estates in patches rather than salt and pepper
    const noise = 0.5 + 0.25 * Math.sin(x / 310 + phase) * Math.cos(y / 270 - phase) + 0.25 * Math.sin((x + y) / 520 + phase * 2);
    cellHutong[c] = noise < streetInfo[cellStreet[c]!]!.hutongShare ? 1 : 0;
  }

  const toLngLat = (x: number, y: number): Position => frame.toLngLat(x + options.offsetEastM, y);
  const positions: Position[] = [];
  const position = (id: number): Position => (positions[id] ??= toLngLat(lattice.xy[id * 2]!, lattice.xy[id * 2 + 1]!));

  return {
    lattice,
    frame,
    cellStreet,
    cellCommunity,
    cellUnitGrid,
    cellPark,
    cellHutong,
    streets,
    communities,
    unitGrids,
    socialGrids,
    position,
    toLngLat,
  };
}

function planSocialGrids(
  communities: DistrictPlan['communities'],
  unitGrids: DistrictPlan['unitGrids'],
  cellUnitGrid: Int32Array,
  cellNeighbours: (cell: number) => number[],
  centre: (cell: number) => [number, number],
  total: number,
): DistrictPlan['socialGrids'] {
  const gridsOf = communities.map((_, index) => range(unitGrids.length).filter((g) => unitGrids[g]!.community === index));
  const counts = apportion(gridsOf.map((g) => g.length), total);
  const gridCentre = (g: number): [number, number] => centre(unitGrids[g]!.cells[0]!);
  const gridNeighbours = (g: number): number[] => {
    const out = new Set<number>();
    for (const c of unitGrids[g]!.cells) {
      for (const n of cellNeighbours(c)) {
        const other = cellUnitGrid[n]!;
        if (other >= 0 && other !== g && unitGrids[other]!.community === unitGrids[g]!.community) out.add(other);
      }
    }
    return [...out];
  };
  const socialGrids: DistrictPlan['socialGrids'] = [];
  gridsOf.forEach((grids, community) => {
    const seeds = sortReadingOrder(farthestPointSeeds(grids, counts[community]!, gridCentre), gridCentre);
    const owner = growRegions(unitGrids.length, gridNeighbours, seeds, seeds.map(() => 1), (k, g) => {
      const [ax, ay] = gridCentre(g);
      const [bx, by] = gridCentre(seeds[k]!);
      return Math.hypot(ax - bx, ay - by);
    });
    seeds.forEach((_, k) => {
      const members = grids.filter((g) => owner[g] === k);
      for (const g of members) unitGrids[g]!.socialGrid = socialGrids.length;
      socialGrids.push({ community, serial: k + 1, unitGrids: members });
    });
  });
  return socialGrids;
}

/** Splits `total` into integer parts proportional to `weights`, each at least 1 and at most its weight. */
export function apportion(weights: number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total < weights.length || total > sum) throw new Error(`cannot split ${total} over ${weights.length} parts of ${sum}`);
  const exact = weights.map((w) => (w / sum) * total);
  const parts = exact.map((e, k) => Math.min(weights[k]!, Math.max(1, Math.floor(e))));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = range(weights.length).sort((a, b) => exact[b]! - parts[b]! - (exact[a]! - parts[a]!));
  while (left !== 0) {
    for (const k of order) {
      if (left > 0 && parts[k]! < weights[k]!) {
        parts[k]!++;
        left--;
      } else if (left < 0 && parts[k]! > 1) {
        parts[k]!--;
        left++;
      }
      if (left === 0) break;
    }
  }
  return parts;
}

/** Pairs each small cell with a small neighbour in the same community, so unit grids vary in shape. */
function mergeSmallCells(
  cells: number[],
  area: (cell: number) => number,
  neighbours: (cell: number) => number[],
  sameCommunity: (cell: number) => boolean,
): number[][] {
  const taken = new Set<number>();
  const groups: number[][] = [];
  for (const c of cells) {
    if (taken.has(c)) continue;
    taken.add(c);
    const group = [c];
    if (area(c) < 13_500) {
      const partner = neighbours(c)
        .filter((n) => sameCommunity(n) && !taken.has(n) && area(n) + area(c) <= 23_000)
        .sort((a, b) => area(a) - area(b))[0];
      if (partner !== undefined) {
        taken.add(partner);
        group.push(partner);
      }
    }
    groups.push(group);
  }
  return groups;
}

/** Cells (or items) north to south, west to east within a row: the numbering order of standards §3.2. */
function sortReadingOrder(items: number[], centre: (item: number) => [number, number]): number[] {
  // rows of ~100 m: items whose centres are within a row band read west to east
  const band = (item: number): number => Math.round(-centre(item)[1] / 100);
  return [...items].sort((a, b) => band(a) - band(b) || centre(a)[0] - centre(b)[0]);
}

function nearestCell(cells: number[], centre: (cell: number) => [number, number], [x, y]: [number, number]): number {
  let best = cells[0]!;
  let bestD = Infinity;
  for (const c of cells) {
    const [cx, cy] = centre(c);
    const d = (cx - x) ** 2 + (cy - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function quadArea(lattice: Lattice, i: number, j: number): number {
  const ring = lattice.cellRing(i, j);
  let sum = 0;
  for (let k = 0; k < 4; k++) {
    const a = ring[k]! * 2;
    const b = ring[(k + 1) % 4]! * 2;
    sum += lattice.xy[a]! * lattice.xy[b + 1]! - lattice.xy[b]! * lattice.xy[a + 1]!;
  }
  return sum / 2;
}

/**
 * Makes the district mask one simple polygon: keeps the largest 4-connected part, fills holes
 * and adds a cell wherever two cells touch only at a corner.
 */
function cleanMask(mask: Uint8Array, columns: number, rows: number): void {
  const at = (i: number, j: number): number => (i < 0 || j < 0 || i >= columns || j >= rows ? 0 : mask[j * columns + i]!);
  for (let changed = true; changed; ) {
    changed = false;
    const parts = components(mask, columns, rows, 1);
    const largest = parts.reduce((a, b) => (b.length > a.length ? b : a), [] as number[]);
    const keep = new Set(largest);
    mask.forEach((v, c) => {
      if (v && !keep.has(c)) {
        mask[c] = 0;
        changed = true;
      }
    });
    for (const part of components(mask, columns, rows, 0)) {
      const touchesEdge = part.some((c) => c % columns === 0 || c % columns === columns - 1 || c < columns || c >= columns * (rows - 1));
      if (!touchesEdge) {
        for (const c of part) mask[c] = 1;
        changed = true;
      }
    }
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < columns; i++) {
        const nw = at(i - 1, j - 1);
        const ne = at(i, j - 1);
        const sw = at(i - 1, j);
        const se = at(i, j);
        if (nw === se && ne === sw && nw !== ne) {
          // fill the empty one of the diagonal pair that lies inside the grid
          const fill = nw ? (i < columns ? [i, j - 1] : [i - 1, j]) : [i - 1, j - 1];
          if (fill[0]! >= 0 && fill[1]! >= 0 && fill[0]! < columns && fill[1]! < rows) {
            mask[fill[1]! * columns + fill[0]!] = 1;
            changed = true;
          }
        }
      }
    }
  }
}

function components(mask: Uint8Array, columns: number, rows: number, value: number): number[][] {
  const seen = new Uint8Array(mask.length);
  const out: number[][] = [];
  for (let start = 0; start < mask.length; start++) {
    if (seen[start] || mask[start] !== value) continue;
    const part: number[] = [];
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const c = stack.pop()!;
      part.push(c);
      const i = c % columns;
      const j = Math.floor(c / columns);
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const ni = i + di;
        const nj = j + dj;
        if (ni < 0 || nj < 0 || ni >= columns || nj >= rows) continue;
        const n = nj * columns + ni;
        if (!seen[n] && mask[n] === value) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    out.push(part);
  }
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k);
}
