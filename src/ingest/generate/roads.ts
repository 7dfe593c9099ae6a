import type { DistrictPlan } from './district-plan.js';
import type { RoadNames } from './inputs.js';
import { shuffle, type Random } from './random.js';

/** A named stretch of road along one lattice line. */
export interface RoadStretch {
  id: number;
  name: string;
  kind: 'main' | 'hutong';
  direction: 'ew' | 'ns';
  /** lattice vertex ids from west to east (ew) or north to south (ns) */
  vertices: number[];
}

/**
 * The road network: every lattice edge that borders the district is a road. Every few lines a
 * main road runs across the district; the lines between are hutongs and lanes, cut into named
 * stretches where they cross a main road, as Beijing's hutongs run between avenues.
 * `edgeRoad` maps an edge key (see `edgeKey`) to its stretch.
 */
export interface RoadNetwork {
  stretches: RoadStretch[];
  edgeRoad: Map<number, RoadStretch>;
}

/** Key of the lattice edge leaving vertex (i, j) eastwards (`horizontal`) or southwards. */
export function edgeKey(vertexId: number, horizontal: boolean): number {
  return vertexId * 2 + (horizontal ? 0 : 1);
}

export function buildRoads(plan: DistrictPlan, names: RoadNames, random: Random, firstId: number): RoadNetwork {
  const { columns, rows } = plan.lattice;
  const inside = (i: number, j: number): boolean =>
    i >= 0 && j >= 0 && i < columns && j < rows && plan.cellStreet[j * columns + i]! >= 0;
  const mainColumns = mainLines(columns, random, 5, 8);
  const mainRows = mainLines(rows, random, 8, 12);
  const pool = namePool(names, random);
  const stretches: RoadStretch[] = [];
  const edgeRoad = new Map<number, RoadStretch>();

  const addRun = (vertices: number[], main: boolean, direction: 'ew' | 'ns'): void => {
    if (vertices.length < 2) return;
    const name = main ? pool.main(direction) : pool.hutong();
    const stretch: RoadStretch = { id: firstId + stretches.length, name, kind: main ? 'main' : 'hutong', direction, vertices };
    stretches.push(stretch);
    for (let k = 0; k < vertices.length - 1; k++) edgeRoad.set(edgeKey(vertices[k]!, direction === 'ew'), stretch);
  };

  // horizontal lines j = 0…rows: the edge (i,j)-(i+1,j) exists when a cell above or below is inside
  for (let j = 0; j <= rows; j++) {
    const main = mainRows.has(j);
    let run: number[] = [];
    for (let i = 0; i < columns; i++) {
      const exists = inside(i, j - 1) || inside(i, j);
      const cut = !exists || (!main && mainColumns.has(i) && run.length > 1) || (main && run.length > random.int(14, 22));
      if (cut) {
        addRun(run, main, 'ew');
        run = [];
      }
      if (exists) {
        if (run.length === 0) run.push(plan.lattice.vertexId(i, j));
        run.push(plan.lattice.vertexId(i + 1, j));
      }
    }
    addRun(run, main, 'ew');
  }
  for (let i = 0; i <= columns; i++) {
    const main = mainColumns.has(i);
    let run: number[] = [];
    for (let j = 0; j < rows; j++) {
      const exists = inside(i - 1, j) || inside(i, j);
      const cut = !exists || (!main && mainRows.has(j) && run.length > 1) || (main && run.length > random.int(18, 30));
      if (cut) {
        addRun(run, main, 'ns');
        run = [];
      }
      if (exists) {
        if (run.length === 0) run.push(plan.lattice.vertexId(i, j));
        run.push(plan.lattice.vertexId(i, j + 1));
      }
    }
    addRun(run, main, 'ns');
  }
  return { stretches, edgeRoad };
}

function mainLines(count: number, random: Random, minGap: number, maxGap: number): Set<number> {
  const lines = new Set<number>([0, count]);
  for (let at = random.int(2, minGap); at < count - 1; at += random.int(minGap, maxGap)) lines.add(at);
  return lines;
}

const ORDINALS = ['头条', '二条', '三条', '四条', '五条', '六条', '七条', '八条', '九条', '十条', '十一条', '十二条'];
const PREFIXES = ['东', '西', '南', '北', '前', '后', '大', '小'];

/**
 * Hands out unique names: the listed ones first (shuffled), then ordinal series (草厂头条 …),
 * then prefixed variants (东帽儿胡同) — the patterns Beijing itself uses when names run out.
 */
function namePool(names: RoadNames, random: Random): { main(direction: 'ew' | 'ns'): string; hutong(): string } {
  const used = new Set<string>();
  const queue = (list: string[]): string[] => shuffle(list.filter((n) => !used.has(n)), random);
  const mains = { ew: queue(names.eastWestMain), ns: queue(names.northSouthMain) };
  const hutongs = queue(names.hutong);
  const series = names.series.flatMap((base) => ORDINALS.map((o) => base + o));
  const variants = PREFIXES.flatMap((p) => names.hutong.filter((n) => n.endsWith('胡同')).map((n) => p + n));
  const take = (lists: string[][], fallback: string): string => {
    for (const list of lists) {
      while (list.length > 0) {
        const name = list.shift()!;
        if (!used.has(name)) {
          used.add(name);
          return name;
        }
      }
    }
    for (let k = 1; ; k++) {
      const name = `${fallback}${k}巷`;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
  return {
    main: (direction) => take([mains[direction]], direction === 'ew' ? '东西大街' : '南北大街'),
    hutong: () => take([hutongs, series, variants], '无名胡同'),
  };
}
