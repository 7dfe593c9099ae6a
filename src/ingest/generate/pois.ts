import type { Position } from 'geojson';
import { convexHull } from '../../geo/convex-hull.js';
import { dissolve } from '../../geo/dissolve.js';
import { interiorPoint } from '../../geo/interior-point.js';
import { pointInRings } from '../../geo/pip.js';
import { formatDoorPlate, type House, type Poi } from '../../model.js';
import type { DistrictPlan } from './district-plan.js';
import type { PlannedHouse } from './houses.js';
import type { Layout } from './inputs.js';
import { NameBook, chineseNumber, communityStem, isNamingStem, roadStem, streetStem } from './place-names.js';
import { shuffle, type Random } from './random.js';
import { edgeKey, type RoadNetwork, type RoadStretch } from './roads.js';

/** What named places are made from: the plan, its roads and houses, and where grids and addresses come from. */
export interface PoiSources {
  plan: DistrictPlan;
  roads: RoadNetwork;
  parks: Layout['parks'];
  /** the houses as planned and as stored, index for index */
  planned: readonly PlannedHouse[];
  houses: readonly House[];
  /** the unit and social grid holding a cell */
  cellGrids(cell: number): Pick<Poi, 'unitGridCode' | 'socialStaticCode'>;
  /** `北京市<district><street><community>` of a cell: what a canonical address starts with */
  addressPrefix(cell: number): string;
  firstId: number;
}

type Place = Omit<Poi, 'id'>;

const STATION_SPACING_M = 900;
const MAX_STATIONS = 30;
const MAX_OFFICE_COMPOUNDS = 12;
const COMPOUND_SUFFIXES = ['小区', '家园', '花园', '嘉园', '公寓', '苑', '北里', '南里', '东里', '西里'];

/**
 * Named places of a generated district, named after the roads and communities around them so they
 * read like Beijing's: the layout's landmark parks (polygons), subway entrances at main-road
 * crossings (东四站A口), named compounds behind N号院 gates (小区, 家园, …, or the plate itself)
 * and office towers (…大厦A座), and in every street and community the schools, clinics, hospitals,
 * markets and pocket parks it would have, each in one of its houses. Names are unique; grids are
 * those of the cell holding each place's representative point, as import would assign them.
 */
export function generatePois(sources: PoiSources, random: Random): Poi[] {
  const book = new NameBook();
  const taken = new Set<number>();
  const places = [
    ...landmarkParks(sources, book),
    ...subwayEntrances(sources, book, random),
    ...compoundPlaces(sources, book, taken, random),
    ...servicePlaces(sources, book, taken, random),
  ];
  return places.map((place, k) => ({ id: sources.firstId + k, ...place }));
}

/** The layout's parks as the polygons of their park cells. */
function landmarkParks({ plan, parks, cellGrids }: PoiSources, book: NameBook): Place[] {
  const { lattice } = plan;
  const places: Place[] = [];
  for (const park of parks) {
    const [x0, y0] = plan.frame.toMetres(park.box[0], park.box[1]);
    const [x1, y1] = plan.frame.toMetres(park.box[2], park.box[3]);
    const cells: number[] = [];
    for (let cell = 0; cell < plan.cellPark.length; cell++) {
      if (!plan.cellPark[cell]) continue;
      const [x, y] = lattice.cellPoint(cell % lattice.columns, Math.floor(cell / lattice.columns), 0.5, 0.5);
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) cells.push(cell);
    }
    if (cells.length === 0 || !book.reserve(park.name)) continue;
    const ring = (cell: number) => lattice.cellRing(cell % lattice.columns, Math.floor(cell / lattice.columns));
    const geometry = dissolve(cells.map(ring), plan.position);
    const [px, py] = interiorPoint(geometry);
    // the park cell that owns the point by the reverse geocoder's rule, so its grids are the ones import finds
    const holder = cells.find((cell) => pointInRings(px!, py!, [ring(cell).map(plan.position)]));
    if (holder === undefined) throw new Error(`${park.name}: its interior point lies in none of its cells`);
    const aliases = park.aliases.filter((alias) => book.reserve(alias));
    places.push({ name: park.name, aliases, category: park.name.endsWith('公园') ? '公园' : '景点', geometry, address: null, ...cellGrids(holder) });
  }
  return places;
}

/** Stations every ~900 m at crossings of two main roads, named after one of them, with an entrance in 2–4 of the corner blocks. */
function subwayEntrances({ plan, roads, cellGrids }: PoiSources, book: NameBook, random: Random): Place[] {
  const { lattice } = plan;
  const mainAt = { ew: new Map<number, RoadStretch>(), ns: new Map<number, RoadStretch>() };
  for (const road of roads.stretches) if (road.kind === 'main') for (const v of road.vertices) mainAt[road.direction].set(v, road);
  const crossings = [...mainAt.ew.keys()].filter((v) => mainAt.ns.has(v)).sort((a, b) => a - b);
  shuffle(crossings, random);
  const chosen: number[] = [];
  const places: Place[] = [];
  const distance = (a: number, b: number): number => Math.hypot(lattice.xy[a * 2]! - lattice.xy[b * 2]!, lattice.xy[a * 2 + 1]! - lattice.xy[b * 2 + 1]!);
  for (const v of crossings) {
    if (chosen.length >= MAX_STATIONS) break;
    if (chosen.some((u) => distance(u, v) < STATION_SPACING_M)) continue;
    const stems = [roadStem(mainAt.ns.get(v)!.name), roadStem(mainAt.ew.get(v)!.name)];
    if (random.chance(0.5)) stems.reverse();
    const stem = stems.find((s) => isNamingStem(s) && !book.has(`${s}站`));
    if (stem === undefined) continue;
    const i = v % (lattice.columns + 1);
    const j = Math.floor(v / (lattice.columns + 1));
    // corner blocks clockwise from north-west, each with the point 10% in from the crossing
    const corners = (
      [
        [i - 1, j - 1, 0.9, 0.9],
        [i, j - 1, 0.1, 0.9],
        [i, j, 0.1, 0.1],
        [i - 1, j, 0.9, 0.1],
      ] as const
    ).filter(([ci, cj]) => ci >= 0 && cj >= 0 && ci < lattice.columns && cj < lattice.rows && plan.cellStreet[cj * lattice.columns + ci]! >= 0);
    while (corners.length > 2 && random.chance(0.4)) corners.splice(random.int(0, corners.length - 1), 1);
    if (corners.length === 0) continue;
    book.reserve(`${stem}站`);
    chosen.push(v);
    corners.forEach(([ci, cj, u, w], k) => {
      const letter = 'ABCD'[k]!;
      const name = book.take([`${stem}站${letter}口`], (n) => `${stem}站${letter}${n}口`);
      places.push({
        name,
        aliases: [`${stem}地铁站${letter}口`],
        category: '地铁站出入口',
        geometry: { type: 'Point', coordinates: plan.toLngLat(...lattice.cellPoint(ci, cj, u, w)) },
        address: null,
        ...cellGrids(cj * lattice.columns + ci),
      });
    });
  }
  return places;
}

/** About half the residential compounds get a name (小区, 家园, … or their N号院 plate); a few office compounds become towers, 大厦A座, B座 … */
function compoundPlaces({ plan, planned, houses, cellGrids, addressPrefix }: PoiSources, book: NameBook, taken: Set<number>, random: Random): Place[] {
  const gates = new Map<string, number[]>();
  planned.forEach((house, k) => {
    if (!house.door.compound) return;
    const key = `${house.door.road.id}:${house.door.number}`;
    const members = gates.get(key);
    if (members) members.push(k);
    else gates.set(key, [k]);
  });
  const places: Place[] = [];
  let offices = 0;
  for (const members of gates.values()) {
    const { door, cell } = planned[members[0]!]!;
    const community = plan.communities[plan.cellCommunity[cell]!]!;
    const stems = shuffle([roadStem(door.road.name), communityStem(community.name)].filter(isNamingStem), random);
    if (stems.length === 0) continue;
    const towers = members.filter((k) => houses[k]!.use === '办公').slice(0, 4);
    if (towers.length >= 2 && offices < MAX_OFFICE_COMPOUNDS && random.chance(0.5)) {
      offices++;
      const base = book.take(
        stems.flatMap((s) => [`${s}大厦`, `${s}国际大厦`]),
        (n) => `${stems[0]}第${chineseNumber(n)}大厦`,
      );
      towers.forEach((k, t) => {
        taken.add(k);
        const house = houses[k]!;
        const name = book.take([`${base}${'ABCD'[t]}座`], (n) => `${base}${'ABCD'[t]}${n}座`);
        places.push({ name, aliases: [], category: '写字楼', geometry: house.geometry, address: house.address, unitGridCode: house.unitGridCode, socialStaticCode: house.socialStaticCode });
      });
      continue;
    }
    const homes = members.filter((k) => houses[k]!.use === '住宅').length;
    if (homes * 2 < members.length || !random.chance(0.5)) continue;
    const plate = formatDoorPlate({ road: door.road.name, number: door.number, compound: true, building: null, unit: null });
    const suffixes = shuffle([...COMPOUND_SUFFIXES], random);
    const name = random.chance(0.3) && book.reserve(plate)
      ? plate
      : book.take(
          stems.flatMap((s) => suffixes.map((suffix) => s + suffix)),
          (n) => `${stems[0]}${chineseNumber(n)}区`,
        );
    const corners = members.flatMap((k) => houses[k]!.geometry.coordinates[0]!.slice(0, -1));
    places.push({ name, aliases: [], category: '小区', geometry: convexHull(corners), address: addressPrefix(cell) + plate, ...cellGrids(cell) });
  }
  return places;
}

/**
 * What every street and community has, each in one of its houses (public-service buildings for
 * schools and clinics, shops for markets): a community health station and, by chance, a
 * kindergarten, a primary school, a market and a pocket park; per street a health centre, one or
 * two middle schools and perhaps a hospital. A school has its short name as an alias.
 */
function servicePlaces(sources: PoiSources, book: NameBook, taken: Set<number>, random: Random): Place[] {
  const { plan, planned, houses } = sources;
  const places: Place[] = [];
  const byCommunity: number[][] = plan.communities.map(() => []);
  planned.forEach((house, k) => {
    // park pavilions are no place for a school
    if (!plan.cellPark[house.cell]) byCommunity[plan.cellCommunity[house.cell]!]!.push(k);
  });
  const host = (community: number, uses: readonly string[]): number | null => {
    const free = byCommunity[community]!.filter((k) => !taken.has(k));
    const preferred = free.filter((k) => uses.includes(houses[k]!.use));
    const other = free.filter((k) => houses[k]!.use !== '住宅');
    const pool = preferred.length > 0 ? preferred : other.length > 0 ? other : free;
    if (pool.length === 0) return null;
    const k = random.pick(pool);
    taken.add(k);
    return k;
  };
  const stemsAt = (k: number): string[] => {
    const community = plan.communities[plan.cellCommunity[planned[k]!.cell]!]!;
    return [roadStem(planned[k]!.door.road.name), communityStem(community.name)].filter(isNamingStem);
  };
  const at = (k: number, name: string, category: string, aliases: string[] = []): void => {
    const house = houses[k]!;
    const point = interiorPoint(house.geometry).map((v) => Math.round(v * 1e7) / 1e7);
    places.push({ name, aliases, category, geometry: { type: 'Point', coordinates: point }, address: house.address, unitGridCode: house.unitGridCode, socialStaticCode: house.socialStaticCode });
  };
  /** `<stem><kind>` near house k, else numbered (东四第二小学). */
  const named = (k: number, kind: string): string => {
    const stems = stemsAt(k);
    return book.take(
      stems.map((s) => s + kind),
      (n) => `${stems[0]}第${chineseNumber(n)}${kind}`,
    );
  };
  // an alias only while nothing else is called that, and then nothing else may take it as its name
  const short = (alias: string): string[] => (book.reserve(alias) ? [alias] : []);

  plan.streets.forEach((street, s) => {
    const communities = plan.communities.flatMap((c, index) => (c.street === s ? [index] : []));
    if (communities.length === 0) return;
    const centre = host(random.pick(communities), ['公共服务']);
    if (centre !== null) at(centre, book.take([`${streetStem(street.name)}社区卫生服务中心`], (n) => `${streetStem(street.name)}第${chineseNumber(n)}社区卫生服务中心`), '卫生服务站');
    for (let m = random.int(1, 2); m > 0; m--) {
      const k = host(random.pick(communities), ['公共服务']);
      if (k === null) continue;
      const stems = stemsAt(k);
      if (stems.length === 0) continue;
      const [name, alias] = middleSchool(book, stems);
      at(k, name, '学校', short(alias));
    }
    if (random.chance(0.5)) {
      const k = host(random.pick(communities), ['公共服务']);
      if (k !== null && stemsAt(k).length > 0) at(k, named(k, random.pick(['医院', '医院', '中医医院', '口腔医院'])), '医院');
    }
  });

  plan.communities.forEach((community, c) => {
    const stem = communityStem(community.name);
    const station = host(c, ['公共服务']);
    if (station !== null) at(station, book.take([`${stem}社区卫生服务站`], (n) => `${stem}第${chineseNumber(n)}社区卫生服务站`), '卫生服务站');
    if (random.chance(0.7)) {
      const k = host(c, ['公共服务']);
      if (k !== null && stemsAt(k).length > 0) at(k, named(k, '幼儿园'), '学校');
    }
    if (random.chance(0.45)) {
      const k = host(c, ['公共服务']);
      if (k !== null && stemsAt(k).length > 0) {
        const road = planned[k]!.door.road.name;
        // a school on a hutong takes its full name and is called by the short one: 史家胡同小学, 史家小学
        if (road.endsWith('胡同') && book.reserve(`${road}小学`)) at(k, `${road}小学`, '学校', short(`${roadStem(road)}小学`));
        else at(k, named(k, '小学'), '学校');
      }
    }
    if (random.chance(0.6)) {
      const k = host(c, ['商业']);
      if (k !== null && stemsAt(k).length > 0) at(k, named(k, random.pick(['菜市场', '超市', '便民超市'])), '市场');
    }
    if (random.chance(0.2)) pocketPark(sources, book, c, random, places);
  });
  return places;
}

/** 北京市东直门中学, called 东直门中学; when every stem has one, 北京市东直门第二中学, called 东直门二中. */
function middleSchool(book: NameBook, stems: readonly string[]): [name: string, alias: string] {
  for (const stem of stems) if (book.reserve(`北京市${stem}中学`)) return [`北京市${stem}中学`, `${stem}中学`];
  for (let n = 2; ; n++) {
    const ordinal = chineseNumber(n);
    if (book.reserve(`北京市${stems[0]}第${ordinal}中学`)) return [`北京市${stems[0]}第${ordinal}中学`, `${stems[0]}${ordinal}中`];
  }
}

/** A small park at the middle of one of the community's blocks, named after a road beside it. */
function pocketPark({ plan, roads, cellGrids }: PoiSources, book: NameBook, community: number, random: Random, places: Place[]): void {
  const { lattice } = plan;
  const cells = plan.communities[community]!.cells.filter((cell) => !plan.cellPark[cell]);
  if (cells.length === 0) return;
  const cell = random.pick(cells);
  const i = cell % lattice.columns;
  const j = Math.floor(cell / lattice.columns);
  const sides = [
    edgeKey(lattice.vertexId(i, j), true),
    edgeKey(lattice.vertexId(i, j + 1), true),
    edgeKey(lattice.vertexId(i, j), false),
    edgeKey(lattice.vertexId(i + 1, j), false),
  ];
  const stems = [...sides.map((edge) => roadStem(roads.edgeRoad.get(edge)!.name)), communityStem(plan.communities[community]!.name)].filter(isNamingStem);
  if (stems.length === 0) return;
  const name = book.take(
    ['公园', '街心公园', '游园'].flatMap((kind) => stems.map((s) => s + kind)),
    (n) => `${stems[0]}第${chineseNumber(n)}游园`,
  );
  const point: Position = plan.toLngLat(...lattice.cellPoint(i, j, 0.5, 0.5));
  places.push({ name, aliases: [], category: '公园', geometry: { type: 'Point', coordinates: point }, address: null, ...cellGrids(cell) });
}
