import type { LineString, Point, Polygon, Position } from 'geojson';
import type { ComponentStatus } from '../../model.js';
import type { DistrictPlan } from './district-plan.js';
import type { RoadNetwork } from './roads.js';
import type { Random } from './random.js';

/** A generated component before its code is assigned: class, place and the cell that holds it. */
export interface PlannedComponent {
  classCode: string;
  cell: number;
  geometry: Point | LineString | Polygon;
  status: ComponentStatus;
  initialDate: string;
  changeDate: string | null;
  dataSource: string;
}

/** How one class is laid along roads: spacing in metres, on one or both sides, inset from the centreline. */
interface RoadRule {
  classCode: string;
  spacingM: number;
  bothSides: boolean;
  insetM: number;
}

// densities follow what surveys of Beijing streets find: lamps every 30–40 m, street trees every
// 6–8 m on avenues, a manhole of each utility every 50–120 m; hutongs carry fewer, closer to the centre
const MAIN_ROAD_RULES: RoadRule[] = [
  { classCode: '0402', spacingM: 7, bothSides: true, insetM: 6 },
  { classCode: '0118', spacingM: 32, bothSides: true, insetM: 4.5 },
  { classCode: '0104', spacingM: 30, bothSides: true, insetM: 3.2 },
  { classCode: '0103', spacingM: 50, bothSides: false, insetM: 1.5 },
  { classCode: '0102', spacingM: 50, bothSides: false, insetM: 2.2 },
  { classCode: '0101', spacingM: 70, bothSides: false, insetM: 2.8 },
  { classCode: '0105', spacingM: 70, bothSides: false, insetM: 3.4 },
  { classCode: '0107', spacingM: 80, bothSides: false, insetM: 3.8 },
  { classCode: '0108', spacingM: 150, bothSides: false, insetM: 4.1 },
  { classCode: '0109', spacingM: 150, bothSides: false, insetM: 4.3 },
  { classCode: '0111', spacingM: 90, bothSides: false, insetM: 1.9 },
  { classCode: '0110', spacingM: 110, bothSides: false, insetM: 2.5 },
  { classCode: '0106', spacingM: 64, bothSides: true, insetM: 4.8 },
  { classCode: '0112', spacingM: 300, bothSides: false, insetM: 3.1 },
  { classCode: '0113', spacingM: 110, bothSides: true, insetM: 6.5 },
  { classCode: '0305', spacingM: 55, bothSides: true, insetM: 5.5 },
  { classCode: '0209', spacingM: 140, bothSides: true, insetM: 5.8 },
  { classCode: '0212', spacingM: 90, bothSides: false, insetM: 7 },
  { classCode: '0117', spacingM: 60, bothSides: false, insetM: 5.2 },
  { classCode: '0116', spacingM: 180, bothSides: false, insetM: 7.4 },
  { classCode: '0115', spacingM: 220, bothSides: false, insetM: 7.6 },
  { classCode: '0203', spacingM: 450, bothSides: true, insetM: 6.2 },
  { classCode: '0121', spacingM: 600, bothSides: false, insetM: 7.8 },
  { classCode: '0306', spacingM: 120, bothSides: true, insetM: 8.2 },
  { classCode: '0307', spacingM: 45, bothSides: true, insetM: 8.5 },
];
const HUTONG_RULES: RoadRule[] = [
  { classCode: '0402', spacingM: 14, bothSides: false, insetM: 1.8 },
  { classCode: '0118', spacingM: 36, bothSides: false, insetM: 1.5 },
  { classCode: '0102', spacingM: 45, bothSides: false, insetM: 0.9 },
  { classCode: '0101', spacingM: 60, bothSides: false, insetM: 1.1 },
  { classCode: '0103', spacingM: 70, bothSides: false, insetM: 0.7 },
  { classCode: '0111', spacingM: 80, bothSides: false, insetM: 1.3 },
  { classCode: '0105', spacingM: 100, bothSides: false, insetM: 1.2 },
  { classCode: '0107', spacingM: 130, bothSides: false, insetM: 1.0 },
  { classCode: '0113', spacingM: 140, bothSides: false, insetM: 1.6 },
  { classCode: '0305', spacingM: 90, bothSides: false, insetM: 1.7 },
  { classCode: '0117', spacingM: 45, bothSides: false, insetM: 1.4 },
  { classCode: '0307', spacingM: 60, bothSides: false, insetM: 1.9 },
];

/**
 * Components of a district: along every road edge by the rules above, a guard rail per avenue
 * block, and per cell the things that stand inside blocks (toilets, old trees, green spaces,
 * car parks, notice boards, fitness kits). Every point lies strictly inside the cell it is
 * assigned to, so its unit grid is known by construction and agrees with point-in-polygon.
 */
export function planComponents(plan: DistrictPlan, roads: RoadNetwork, random: Random): PlannedComponent[] {
  const { lattice, toLngLat } = plan;
  const { columns, rows } = lattice;
  const out: PlannedComponent[] = [];
  const inDistrict = (i: number, j: number): boolean =>
    i >= 0 && j >= 0 && i < columns && j < rows && plan.cellStreet[j * columns + i]! >= 0;
  const size = (i: number, j: number): [number, number] => {
    const [x0, y0] = lattice.cellPoint(i, j, 0, 0);
    const [x1, y1] = lattice.cellPoint(i, j, 1, 1);
    return [Math.abs(x1 - x0), Math.abs(y0 - y1)];
  };
  const add = (classCode: string, i: number, j: number, geometry: PlannedComponent['geometry']): void => {
    const surveyed = random.int(2005, 2012);
    const changed = random.chance(0.15) ? random.int(surveyed + 1, 2026) : null;
    out.push({
      classCode,
      cell: j * columns + i,
      geometry,
      status: random.weighted<ComponentStatus>({ 完好: 920, 破损: 40, 丢失: 8, 占用: 22, 废弃: 10 }),
      initialDate: isoDate(surveyed, random),
      changeDate: changed === null ? null : isoDate(changed, random),
      dataSource: random.weighted({ 实测: 80, 调绘: 12, 地形图: 6, 其他: 2 }),
    });
  };
  const point = (i: number, j: number, u: number, v: number): Point => ({ type: 'Point', coordinates: toLngLat(...lattice.cellPoint(i, j, u, v)) });

  // each road edge has up to two cells beside it; `place` maps (t along the edge, inset metres) into one of them
  const sidesOf = (vertex: number, horizontal: boolean) => {
    const i = vertex % (columns + 1);
    const j = Math.floor(vertex / (columns + 1));
    const sides: { i: number; j: number; place: (t: number, insetM: number) => [number, number] }[] = [];
    if (horizontal) {
      if (inDistrict(i, j - 1)) sides.push({ i, j: j - 1, place: (t, d) => [t, 1 - d / size(i, j - 1)[1]] });
      if (inDistrict(i, j)) sides.push({ i, j, place: (t, d) => [t, d / size(i, j)[1]] });
    } else {
      if (inDistrict(i - 1, j)) sides.push({ i: i - 1, j, place: (t, d) => [1 - d / size(i - 1, j)[0], t] });
      if (inDistrict(i, j)) sides.push({ i, j, place: (t, d) => [d / size(i, j)[0], t] });
    }
    return sides;
  };

  // a running distance per rule and road keeps spacing even across the edges of a stretch
  for (const road of roads.stretches) {
    const rules = road.kind === 'main' ? MAIN_ROAD_RULES : HUTONG_RULES;
    const carry = rules.map((rule) => random.range(0, rule.spacingM));
    for (let k = 0; k < road.vertices.length - 1; k++) {
      const a = road.vertices[k]!;
      const b = road.vertices[k + 1]!;
      const horizontal = road.direction === 'ew';
      const sides = sidesOf(a, horizontal);
      if (sides.length === 0) continue;
      const lengthM = Math.hypot(lattice.xy[b * 2]! - lattice.xy[a * 2]!, lattice.xy[b * 2 + 1]! - lattice.xy[a * 2 + 1]!);
      rules.forEach((rule, r) => {
        let at = carry[r]!;
        for (; at < lengthM; at += rule.spacingM) {
          const t = Math.min(0.99, Math.max(0.01, at / lengthM));
          const chosen = rule.bothSides ? sides : [sides[Math.floor(at / rule.spacingM) % sides.length]!];
          for (const side of chosen) add(rule.classCode, side.i, side.j, point(side.i, side.j, ...side.place(t, rule.insetM)));
        }
        carry[r] = at - lengthM;
      });
      if (road.kind === 'main' && random.chance(0.35)) {
        const side = sides[0]!;
        const line: Position[] = [0.1, 0.5, 0.9].map((t) => toLngLat(...lattice.cellPoint(side.i, side.j, ...side.place(t, 0.6))));
        add('0211', side.i, side.j, { type: 'LineString', coordinates: line });
      }
      if (k === 0) {
        const side = sides[0]!;
        add('0213', side.i, side.j, point(side.i, side.j, ...side.place(0.03, 2)));
      }
    }
  }

  for (let cell = 0; cell < plan.cellStreet.length; cell++) {
    if (plan.cellStreet[cell]! < 0) continue;
    const i = cell % columns;
    const j = Math.floor(cell / columns);
    const inner = (): [number, number] => [random.range(0.25, 0.75), random.range(0.25, 0.75)];
    if (plan.cellPark[cell]) {
      add('0405', i, j, quad(plan, i, j, 0.12, 0.88, 0.12, 0.88));
      for (let k = 0; k < 24; k++) add('0402', i, j, point(i, j, random.range(0.14, 0.86), random.range(0.14, 0.86)));
      for (let k = 0; k < 4; k++) add('0407', i, j, point(i, j, ...inner()));
      if (random.chance(0.5)) add('0301', i, j, point(i, j, ...inner()));
      if (random.chance(0.3)) add('0406', i, j, point(i, j, ...inner()));
      if (random.chance(0.2)) add('0401', i, j, point(i, j, ...inner()));
      continue;
    }
    if (plan.cellHutong[cell]) {
      if (random.chance(0.18)) add('0301', i, j, point(i, j, random.range(0.1, 0.9), 0.08));
      if (random.chance(0.12)) add('0401', i, j, point(i, j, ...inner()));
      if (random.chance(0.1)) add('0304', i, j, point(i, j, random.range(0.1, 0.9), 0.92));
      if (random.chance(0.25)) add('0131', i, j, point(i, j, random.range(0.1, 0.9), 0.07));
    } else {
      if (random.chance(0.3)) add('0405', i, j, quad(plan, i, j, 0.42, 0.58, 0.1, 0.2));
      if (random.chance(0.25)) add('0201', i, j, quad(plan, i, j, 0.08, 0.16, 0.3, 0.7));
      if (random.chance(0.3)) add('0503', i, j, point(i, j, ...inner()));
      for (let k = random.int(0, 4); k > 0; k--) add('0402', i, j, point(i, j, random.range(0.35, 0.65), random.range(0.45, 0.55)));
    }
    if (random.chance(0.2)) add('0501', i, j, point(i, j, random.range(0.2, 0.8), 0.06));
    if (random.chance(0.12)) add('0126', i, j, point(i, j, ...inner()));
    if (random.chance(0.04)) add('0602', i, j, quad(plan, i, j, 0.3, 0.7, 0.3, 0.7));
  }
  return out;
}

function quad(plan: DistrictPlan, i: number, j: number, u0: number, u1: number, v0: number, v1: number): Polygon {
  const at = (u: number, v: number): Position => plan.toLngLat(...plan.lattice.cellPoint(i, j, u, v));
  return { type: 'Polygon', coordinates: [[at(u0, v1), at(u1, v1), at(u1, v0), at(u0, v0), at(u0, v1)]] };
}

function isoDate(year: number, random: Random): string {
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
