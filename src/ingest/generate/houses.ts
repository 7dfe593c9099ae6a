import type { Polygon, Position } from 'geojson';
import type { DistrictPlan } from './district-plan.js';
import { edgeKey, type RoadNetwork, type RoadStretch } from './roads.js';
import type { Random } from './random.js';

/** A generated building with its door plate, before codes and canonical addresses are attached. */
export interface PlannedHouse {
  cell: number;
  footprint: Polygon;
  floors: number;
  floorsBelow: number;
  heightM: number;
  use: string;
  yearBuilt: number;
  households: number;
  door: { road: RoadStretch; number: number; compound: boolean; building: number | null; point: Position };
}

type Side = 'north' | 'south' | 'west' | 'east';

/** A door waiting for its number: numbers are handed out per road side once all doors are known. */
interface Door {
  road: RoadStretch;
  /** distance along the road's numbering direction, in metres */
  along: number;
  /** odd on the north side of east–west roads and the west side of north–south roads */
  odd: boolean;
  houses: PlannedHouse[];
}

/**
 * Houses cell by cell: hutong cells are cut into courtyards (1–2 floors, doors on the hutong to
 * their north or south); other cells hold a compound of 6–30-floor blocks behind one gate
 * (`N号院`, buildings `M号楼`); parks keep a pavilion or two. Door numbers run along each road.
 */
export function planHouses(plan: DistrictPlan, roads: RoadNetwork, random: Random): PlannedHouse[] {
  const { lattice } = plan;
  const { columns } = lattice;
  const houses: PlannedHouse[] = [];
  const doors: Door[] = [];
  const { toLngLat } = plan;

  const sideRoad = (i: number, j: number, side: Side): RoadStretch => {
    const v = side === 'south' ? lattice.vertexId(i, j + 1) : side === 'east' ? lattice.vertexId(i + 1, j) : lattice.vertexId(i, j);
    const road = roads.edgeRoad.get(edgeKey(v, side === 'north' || side === 'south'));
    if (!road) throw new Error(`cell ${i},${j} has no road on its ${side} side`);
    return road;
  };
  const addDoor = (road: RoadStretch, side: Side, at: [number, number], house: PlannedHouse[]): void => {
    const along = road.direction === 'ew' ? at[0] : -at[1];
    // a cell's north side faces the road's south side, and so on
    const odd = road.direction === 'ew' ? side === 'south' : side === 'east';
    doors.push({ road, along, odd, houses: house });
  };

  for (let cell = 0; cell < plan.cellStreet.length; cell++) {
    if (plan.cellStreet[cell]! < 0) continue;
    const i = cell % columns;
    const j = Math.floor(cell / columns);
    const sides: Side[] = ['north', 'south', 'west', 'east'];
    const margin = Object.fromEntries(sides.map((s) => [s, sideRoad(i, j, s).kind === 'main' ? 9 : 3.5])) as Record<Side, number>;
    const [nwX, nwY] = lattice.cellPoint(i, j, 0, 0);
    const [seX, seY] = lattice.cellPoint(i, j, 1, 1);
    const widthM = Math.abs(seX - nwX);
    const heightM = Math.abs(nwY - seY);
    const u0 = margin.west / widthM;
    const u1 = 1 - margin.east / widthM;
    const v0 = margin.north / heightM;
    const v1 = 1 - margin.south / heightM;
    const quad = (a0: number, a1: number, b0: number, b1: number): Polygon => ({
      type: 'Polygon',
      coordinates: [
        [
          toLngLat(...lattice.cellPoint(i, j, a0, b1)),
          toLngLat(...lattice.cellPoint(i, j, a1, b1)),
          toLngLat(...lattice.cellPoint(i, j, a1, b0)),
          toLngLat(...lattice.cellPoint(i, j, a0, b0)),
          toLngLat(...lattice.cellPoint(i, j, a0, b1)),
        ],
      ],
    });

    if (plan.cellPark[cell]) {
      if (!random.chance(0.4)) continue;
      const a = random.range(0.3, 0.6);
      const b = random.range(0.3, 0.6);
      const house = building(cell, quad(a, a + 0.12, b, b + 0.15), 1, 0, 5.5, '公共服务', random.int(1420, 1950), 0);
      const [x, y] = lattice.cellPoint(i, j, a + 0.06, b + 0.15);
      house.door.point = toLngLat(x, y);
      houses.push(house);
      addDoor(sideRoad(i, j, 'south'), 'south', [x, y], [house]);
      continue;
    }

    if (plan.cellHutong[cell]) {
      const nu = Math.max(2, Math.round(((u1 - u0) * widthM) / random.range(15, 23)));
      const nv = Math.max(2, Math.round(((v1 - v0) * heightM) / random.range(26, 34)));
      const gapU = 0.7 / widthM;
      const gapV = 0.7 / heightM;
      for (let b = 0; b < nv; b++) {
        for (let a = 0; a < nu; a++) {
          if (random.chance(0.04)) continue;
          const a0 = u0 + ((u1 - u0) * a) / nu + gapU;
          const a1 = u0 + ((u1 - u0) * (a + 1)) / nu - gapU;
          const b0 = v0 + ((v1 - v0) * b) / nv + gapV;
          const b1 = v0 + ((v1 - v0) * (b + 1)) / nv - gapV;
          const floors = random.chance(0.82) ? 1 : 2;
          const use = random.weighted({ 住宅: 80, 商业: 12, 文物保护: 4, 公共服务: 4 });
          const house = building(
            cell,
            quad(a0, a1, b0, b1),
            floors,
            random.chance(0.04) ? 1 : 0,
            floors === 1 ? random.range(4, 5.5) : random.range(6.5, 8),
            use,
            random.int(1880, 1995),
            use === '住宅' ? random.int(1, 8) : 0,
          );
          // courtyard gates open onto the hutong on the nearer long side
          const side: Side = b < nv / 2 - 0.5 ? 'north' : 'south';
          const [x, y] = lattice.cellPoint(i, j, (a0 + a1) / 2, side === 'north' ? b0 : b1);
          house.door.point = toLngLat(x, y);
          houses.push(house);
          addDoor(sideRoad(i, j, side), side, [x, y], [house]);
        }
      }
      continue;
    }

    // a compound: its gate faces a main road where there is one, else the south side
    const gateSide = sides.find((s) => sideRoad(i, j, s).kind === 'main') ?? 'south';
    const nu = random.int(2, 3);
    const nv = 2;
    const compound: PlannedHouse[] = [];
    const tall = gateSide !== 'south' || random.chance(0.3);
    for (let b = 0; b < nv; b++) {
      for (let a = 0; a < nu; a++) {
        if (random.chance(0.08)) continue;
        const inset = random.range(0.12, 0.22);
        const du = (u1 - u0) / nu;
        const dv = (v1 - v0) / nv;
        const a0 = u0 + du * (a + inset);
        const a1 = u0 + du * (a + 1 - inset);
        const b0 = v0 + dv * (b + inset * 1.4);
        const b1 = v0 + dv * (b + 1 - inset * 1.4);
        const floors = tall ? random.int(12, 30) : random.chance(0.7) ? random.int(6, 9) : random.int(10, 18);
        const use = random.weighted({ 住宅: 70, 办公: 15, 商业: 10, 公共服务: 5 });
        const house = building(
          cell,
          quad(a0, a1, b0, b1),
          floors,
          random.chance(0.55) ? random.int(1, 3) : 0,
          floors * 3 + random.range(0.5, 3),
          use,
          random.int(1975, 2022),
          use === '住宅' ? floors * random.int(4, 8) : 0,
        );
        house.door.point = toLngLat(...lattice.cellPoint(i, j, (a0 + a1) / 2, b1));
        compound.push(house);
      }
    }
    if (compound.length === 0) continue;
    compound.forEach((house, k) => {
      house.door.compound = true;
      house.door.building = k + 1;
    });
    houses.push(...compound);
    const gate: Record<Side, [number, number]> = { north: [0.5, 0], south: [0.5, 1], west: [0, 0.5], east: [1, 0.5] };
    addDoor(sideRoad(i, j, gateSide), gateSide, lattice.cellPoint(i, j, ...gate[gateSide]), compound);
  }

  numberDoors(doors);
  return houses;
}

function building(
  cell: number,
  footprint: Polygon,
  floors: number,
  floorsBelow: number,
  heightM: number,
  use: string,
  yearBuilt: number,
  households: number,
): PlannedHouse {
  return {
    cell,
    footprint,
    floors,
    floorsBelow,
    heightM: Math.round(heightM * 10) / 10,
    use,
    yearBuilt,
    households,
    // road and point are set by the caller, the number by numberDoors
    door: { road: undefined as unknown as RoadStretch, number: 0, compound: false, building: null, point: [0, 0] },
  };
}

/** Numbers doors along each road from its west (or north) end: odd on one side, even on the other. */
function numberDoors(doors: Door[]): void {
  const sides = new Map<string, Door[]>();
  for (const door of doors) {
    const key = `${door.road.id}:${door.odd}`;
    const list = sides.get(key);
    if (list) list.push(door);
    else sides.set(key, [door]);
  }
  for (const list of sides.values()) {
    list.sort((a, b) => a.along - b.along);
    list.forEach((door, k) => {
      const number = door.odd ? 2 * k + 1 : 2 * k + 2;
      for (const house of door.houses) {
        house.door.road = door.road;
        house.door.number = number;
      }
    });
  }
}
