import { encodeComponentCode } from '../../codes/component.js';
import { componentClassName } from '../../codes/component-classes.js';
import { encodeSocialStaticCode, encodeDynamicCode } from '../../codes/social-grid.js';
import { encodeUnitGridCode } from '../../codes/unit-grid.js';
import { geometryAreaM2 } from '../../geo/area.js';
import { dissolve } from '../../geo/dissolve.js';
import type { AdminArea, Address, Alias, Component, Grid, House, Poi, Road } from '../../model.js';
import { formatDoorPlate } from '../../model.js';
import { aliasRecords } from './aliases.js';
import { planComponents } from './components.js';
import { planDistrict, type DistrictPlan } from './district-plan.js';
import { planHouses } from './houses.js';
import type { GeneratorInputs } from './inputs.js';
import { generatePois } from './pois.js';
import { createRandom, deriveSeed } from './random.js';
import { buildRoads } from './roads.js';

/** Everything one generated district holds, ready to be written to a store. */
export interface GeneratedDistrict {
  areas: AdminArea[];
  grids: Grid[];
  roads: Road[];
  houses: House[];
  addresses: Address[];
  components: Component[];
  pois: Poi[];
  /** the shipped aliases (崇文区 → 东城区, …); copy 0 only, as they name the real district's areas */
  aliases: Alias[];
}

export interface DistrictOptions {
  seed: number;
  /** 0 for the district itself; copy k of `--scale` sits k district-widths east with its own codes */
  copy: number;
  /** first ids to use, so copies never collide (pois: 1 when not given) */
  firstIds: { road: number; house: number; address: number; poi?: number };
  /** when unit grids and the current social grid versions took effect */
  unitGridsFrom: string;
  socialGridsFrom: string;
  socialGridCount: number;
}

export const DEFAULT_DISTRICT_OPTIONS: Omit<DistrictOptions, 'copy' | 'firstIds'> = {
  seed: 1,
  // the merged new Dongcheng (东城 + 崇文) was set up in July 2010
  unitGridsFrom: '2010-07-01',
  socialGridsFrom: '2026-01-01',
  // Dongcheng's social-management grids (standards.md §5.1)
  socialGridCount: 589,
};

const COPY_GAP_M = 800;

/** Generates one district of the default layout; deterministic for a given seed and copy. */
export function generateDistrict(inputs: GeneratorInputs, options: DistrictOptions): GeneratedDistrict {
  const seed = deriveSeed(options.seed, `copy-${options.copy}`);
  const plan = planDistrict(inputs, {
    seed,
    offsetEastM: options.copy * (inputs.layout.extentM[0] + COPY_GAP_M),
    socialGridCount: options.socialGridCount,
  });
  const districtCode = copyDistrictCode(inputs.divisions.district.code, options.copy);
  const districtName = options.copy === 0 ? inputs.divisions.district.name : `${inputs.divisions.district.name}（模拟${options.copy + 1}）`;
  const recode = (code: string): string => districtCode + code.slice(6);

  const cellRings = (cells: readonly number[]) =>
    cells.map((c) => plan.lattice.cellRing(c % plan.lattice.columns, Math.floor(c / plan.lattice.columns)));
  const shape = (cells: readonly number[]) => dissolve(cellRings(cells), plan.position);

  const areas: AdminArea[] = [
    { code: districtCode, level: 'district', name: districtName, parentCode: null, geometry: shape(plan.streets.flatMap((s) => s.cells)) },
    ...plan.streets.map((s) => ({ code: recode(s.code), level: 'street' as const, name: s.name, parentCode: districtCode, geometry: shape(s.cells) })),
    ...plan.communities.map((c) => ({
      code: recode(c.code),
      level: 'community' as const,
      name: c.name,
      parentCode: recode(plan.streets[c.street]!.code),
      geometry: shape(c.cells),
    })),
  ];

  const unitCode = (g: number): string => {
    const grid = plan.unitGrids[g]!;
    return encodeUnitGridCode({ communityCode: recode(plan.communities[grid.community]!.code), serial: grid.serial });
  };
  const socialCode = (s: number): string => {
    const grid = plan.socialGrids[s]!;
    return encodeSocialStaticCode({ communityCode: recode(plan.communities[grid.community]!.code), gridType: '1', serial: grid.serial });
  };
  const dynamicCode = encodeDynamicCode({ year: Number(options.socialGridsFrom.slice(0, 4)), version: 1 });
  const grids: Grid[] = [
    ...plan.unitGrids.map((grid, g) => {
      const geometry = shape(grid.cells);
      const community = plan.communities[grid.community]!;
      return {
        scheme: 'unit' as const,
        code: unitCode(g),
        dynamicCode: null,
        name: `${community.name}${grid.serial}号单元网格`,
        communityCode: recode(community.code),
        geometry,
        areaM2: round2(geometryAreaM2(geometry)),
        validFrom: options.unitGridsFrom,
        validTo: null,
      };
    }),
    ...plan.socialGrids.map((grid, s) => {
      const geometry = shape(grid.unitGrids.flatMap((g) => plan.unitGrids[g]!.cells));
      const community = plan.communities[grid.community]!;
      return {
        scheme: 'social' as const,
        code: socialCode(s),
        dynamicCode,
        name: `${community.name}第${grid.serial}网格`,
        communityCode: recode(community.code),
        geometry,
        areaM2: round2(geometryAreaM2(geometry)),
        validFrom: options.socialGridsFrom,
        validTo: null,
      };
    }),
  ];

  const roadNetwork = buildRoads(plan, inputs.roadNames, createRandom(deriveSeed(seed, 'roads')), options.firstIds.road);
  const roads: Road[] = roadNetwork.stretches.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
    geometry: { type: 'LineString', coordinates: s.vertices.map(plan.position) },
  }));

  const planned = planHouses(plan, roadNetwork, createRandom(deriveSeed(seed, 'houses')));
  const houses: House[] = [];
  const addresses: Address[] = [];
  const addressPrefix = (cell: number): string => {
    const community = plan.communities[plan.cellCommunity[cell]!]!;
    return `北京市${districtName}${plan.streets[community.street]!.name}${community.name}`;
  };
  const cellGrids = (cell: number) => {
    const unitGrid = plan.cellUnitGrid[cell]!;
    return { unitGridCode: unitCode(unitGrid), socialStaticCode: socialCode(plan.unitGrids[unitGrid]!.socialGrid) };
  };
  planned.forEach((p, k) => {
    const id = options.firstIds.house + k;
    const address: Address = {
      id: options.firstIds.address + k,
      road: p.door.road.name,
      number: p.door.number,
      compound: p.door.compound,
      building: p.door.building,
      unit: null,
      geometry: { type: 'Point', coordinates: p.door.point },
      houseId: id,
      status: '在用',
      retiredOn: null,
    };
    addresses.push(address);
    houses.push({
      id,
      geometry: p.footprint,
      floors: p.floors,
      floorsBelow: p.floorsBelow,
      heightM: p.heightM,
      use: p.use,
      yearBuilt: p.yearBuilt,
      households: p.households,
      address: addressPrefix(p.cell) + formatDoorPlate(address),
      ...cellGrids(p.cell),
      status: '在用',
      retiredOn: null,
    });
  });

  const serials = new Map<string, number>();
  const components: Component[] = planComponents(plan, roadNetwork, createRandom(deriveSeed(seed, 'components'))).map((p) => {
    const major = p.classCode.slice(0, 2);
    const minor = p.classCode.slice(2, 4);
    const serial = (serials.get(p.classCode) ?? 0) + 1;
    serials.set(p.classCode, serial);
    const [deptMain, deptOwner, deptMaintain] = departments(p.classCode);
    return {
      code: encodeComponentCode({ districtCode, major, minor, serial }),
      major,
      minor,
      name: componentClassName(major, minor) ?? p.classCode,
      status: p.status,
      deptMain,
      deptOwner,
      deptMaintain,
      initialDate: p.initialDate,
      changeDate: p.changeDate,
      dataSource: p.dataSource,
      geometry: p.geometry,
      unitGridCode: unitCode(plan.cellUnitGrid[p.cell]!),
    };
  });

  const pois = generatePois(
    { plan, roads: roadNetwork, parks: inputs.layout.parks, planned, houses, cellGrids, addressPrefix, firstId: options.firstIds.poi ?? 1 },
    createRandom(deriveSeed(seed, 'pois')),
  );
  const aliases = options.copy === 0 ? aliasRecords(inputs.aliases, 1) : [];

  return { areas, grids, roads, houses, addresses, components, pois, aliases };
}

/** District code of copy k: the real code for k = 0, then the following codes of the same city. */
export function copyDistrictCode(districtCode: string, copy: number): string {
  const next = Number(districtCode) + copy;
  if (String(next).slice(0, 4) !== districtCode.slice(0, 4)) throw new Error(`scale ${copy + 1} runs out of district codes after ${districtCode}`);
  return String(next);
}

/** 主管 / 权属 / 养护 for a class: the district bureau in charge, the owner and the maintainer. */
function departments(classCode: string): [string, string | null, string | null] {
  switch (classCode.slice(0, 2)) {
    case '01': {
      const utility: Record<string, [string, string, string]> = {
        '0101': ['东城区水务局', '北京市自来水集团有限责任公司', '北京市自来水集团有限责任公司'],
        '0102': ['东城区水务局', '北京城市排水集团有限责任公司', '北京城市排水集团有限责任公司'],
        '0103': ['东城区水务局', '北京城市排水集团有限责任公司', '北京城市排水集团有限责任公司'],
        '0104': ['东城区水务局', '北京城市排水集团有限责任公司', '北京城市排水集团有限责任公司'],
        '0105': ['东城区城市管理委员会', '国网北京市电力公司', '国网北京东城供电公司'],
        '0107': ['东城区科学技术和信息化局', '中国联合网络通信有限公司北京市分公司', '中国联合网络通信有限公司北京市分公司'],
        '0110': ['东城区城市管理委员会', '北京市热力集团有限责任公司', '北京市热力集团有限责任公司'],
        '0111': ['东城区城市管理委员会', '北京市燃气集团有限责任公司', '北京市燃气集团有限责任公司'],
        '0113': ['东城区消防救援支队', '东城区消防救援支队', '北京市自来水集团有限责任公司'],
      };
      return utility[classCode] ?? ['东城区城市管理委员会', '东城区城市管理委员会', '东城区市政管理服务中心'];
    }
    case '02':
      return ['东城区交通委员会', '东城区交通委员会', '北京市公安局公安交通管理局东城交通支队'];
    case '03':
      return ['东城区城市管理委员会', '东城区环境卫生服务中心', '东城区环境卫生服务中心'];
    case '04':
      return ['东城区园林绿化局', '东城区园林绿化局', '东城区绿化一队'];
    case '05':
      return ['东城区住房和城市建设委员会', null, null];
    default:
      return ['东城区城市管理委员会', null, null];
  }
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

export type { DistrictPlan };
