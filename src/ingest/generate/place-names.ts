// a road name ends in what kind of road it is: 北大街, 外大街, 东路, 街, 胡同, 前巷
const ROAD_KIND = /(?:[内外]?[东西南北中]?(?:大街|小街)|[东西南北中]?[路街]|[东西南北中前后]?(?:胡同|巷))$/;

/** The part of a road name that names a place: 东四 for 东四北大街, 天坛 for 天坛东路, 史家 for 史家胡同. */
export function roadStem(road: string): string {
  const stem = road.replace(ROAD_KIND, '');
  return stem.length >= 2 ? stem : road;
}

/** 多福巷 for 多福巷社区. */
export function communityStem(community: string): string {
  return community.replace(/社区$/, '');
}

/** 东华门 for 东华门街道. */
export function streetStem(street: string): string {
  return street.replace(/街道$/, '');
}

/**
 * True when a stem reads well in a place name: not a ring road (二环 names no school), not
 * already a station (北京站 would make 北京站站), not a bare district number (二区 of 二区社区).
 */
export function isNamingStem(stem: string): boolean {
  return stem.length >= 2 && !stem.includes('环') && !stem.endsWith('站') && !/^[一二三四五六七八九十]+区$/.test(stem);
}

const DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 二 … 九十九, as ordinals in names (第二小学, 二区). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`chineseNumber takes 1–99, got ${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  return `${tens === 1 ? '' : DIGITS[tens]}十${n % 10 === 0 ? '' : DIGITS[n % 10]}`;
}

/** The names given out in one district, so no two places share one. */
export class NameBook {
  private readonly used = new Set<string>();

  has(name: string): boolean {
    return this.used.has(name);
  }

  /** Claims `name` if it is free; false when it is taken. */
  reserve(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  /** Claims the first free candidate, else the first free `numbered(2)`, `numbered(3)`, … (Beijing's 第二小学, 二区). */
  take(candidates: readonly string[], numbered: (n: number) => string): string {
    for (const name of candidates) if (this.reserve(name)) return name;
    for (let n = 2; ; n++) {
      const name = numbered(n);
      if (this.reserve(name)) return name;
    }
  }
}
