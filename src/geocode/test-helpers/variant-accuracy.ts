// Measures a forward geocoder against the classes of address-variants.ts: per class the share
// answered right and the share answered confidently wrong, and the calibration table (score band →
// share right) that the README publishes (issue 9). Used by forward-variants.test.ts and by
// scripts/calibration-table.ts, so the test and the published table are the same measurement.
import { loadGeneratorInputs } from '../../ingest/generate/inputs.js';
import type { Store } from '../../store/store.js';
import { inUse, type ForwardGeocoder } from '../forward.js';
import type { GeocodeAnswer, GeocodeResult } from '../geocode-result.js';
import { seeded, specOf, type Spec } from './address-noise.js';
import { variantClasses, type KnownNames, type VariantClass, type VariantItem } from './address-variants.js';

/** An answer at or above this score claims to be right (issue 9: ≥ 99 % of them must be). */
export const CONFIDENT = 0.8;
/** 2,000 items a class put a 95 % share within ±1 % (95 % confidence) */
export const VARIANTS_PER_CLASS = 2000;
export const VARIANTS_SEED = 9;

/** The district's door plates taken apart, and the names variants must not collide with. */
export function variantInputs(store: Store): { plates: Spec[]; known: KnownNames } {
  const areas = [...store.iterate('areas')];
  const district = areas.find((a) => a.level === 'district')!.name;
  const streets = areas.filter((a) => a.level === 'street').map((a) => a.name);
  const communities = areas.filter((a) => a.level === 'community').map((a) => a.name);
  const houses = new Map(inUse(store.iterate('houses')).map((h) => [h.id, h]));
  const addresses = inUse(store.iterate('addresses')).filter((a) => a.houseId !== null && houses.get(a.houseId)?.address != null);
  const plates = addresses.map((a) => specOf(houses.get(a.houseId!)!, a, streets, district));
  // the listed names too: a name the generator may hand out is a real Dongcheng name, never a variant
  const listed = loadGeneratorInputs().roadNames;
  const roads = new Set([
    ...[...store.iterate('roads')].map((r) => r.name),
    ...addresses.map((a) => a.road),
    ...listed.northSouthMain,
    ...listed.eastWestMain,
    ...listed.hutong,
  ]);
  roads.delete('');
  return { plates, known: { district, roads, streets, communities } };
}

/** The items of one class. */
export interface Sample {
  cls: VariantClass;
  items: VariantItem[];
}

/**
 * `perClass` items of every class, from plates in a seeded order (each class its own stream, so
 * adding a class changes no other class's items); a class that applies to few plates visits
 * them again with other random draws.
 */
export function sampleVariants(classes: readonly VariantClass[], plates: readonly Spec[], perClass: number, seed: number): Sample[] {
  return classes.map((cls) => {
    const random = seeded(seed ^ hash(cls.name));
    const order = plates.map((_, k) => k);
    for (let k = order.length - 1; k > 0; k--) {
      const r = Math.floor(random() * (k + 1));
      [order[k], order[r]] = [order[r]!, order[k]!];
    }
    const items: VariantItem[] = [];
    for (let pass = 0; items.length < perClass; pass++) {
      const before = items.length;
      for (const k of order) {
        if (items.length >= perClass) break;
        const item = cls.generate(plates[k]!, random);
        if (item !== null) items.push(item);
      }
      if (items.length === before) break;
    }
    return { cls, items };
  });
}

function hash(text: string): number {
  let h = 2166136261;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 16777619);
  return h >>> 0;
}

/**
 * A geocoder's answer to one query: `lookup` where the geocoder has it, else `geocode` with an
 * empty list read as a refusal (the refusal API arrives with the matcher rewrite, issue 9).
 */
export function lookupOf(geocoder: ForwardGeocoder): (query: string) => GeocodeAnswer {
  const lookup = (geocoder as unknown as { lookup?: (query: string, options: { limit: number }) => GeocodeAnswer }).lookup;
  if (typeof lookup === 'function') return (query) => lookup.call(geocoder, query, { limit: 1 });
  return (query) => {
    const results = geocoder.geocode(query, { limit: 1 });
    return { results, reason: results.length === 0 ? 'no result' : null };
  };
}

/** How one answer to one item went. */
export interface Judgement {
  /** positive: the expected house at door level; negative: no confident answer */
  right: boolean;
  /** the best answer names the right place at its own level (the expected house, road, 社区 …) */
  placeRight: boolean;
  /** the best answer's score, null when refused */
  score: number | null;
}

/** Judges the best answer to an item. */
export function judge(item: VariantItem, answer: GeocodeAnswer): Judgement {
  const top: GeocodeResult | undefined = answer.results[0];
  if (top === undefined) return { right: item.expect.kind === 'none', placeRight: false, score: null };
  const expect = item.expect;
  if (expect.kind === 'none') {
    // an area the text really names is a fair answer at area level; nothing else is
    const placeRight =
      (top.level === 'community' && expect.community !== null && top.community?.name === expect.community) ||
      (top.level === 'street' && expect.street !== null && top.street?.name === expect.street);
    return { right: top.score < CONFIDENT, placeRight, score: top.score };
  }
  const right = top.level === 'door' && top.houseId === expect.houseId;
  // a compound gate (N号院) or a place at the plate holds the house, but is not it
  const holdsPlate = top.houseId === null && [`${expect.road}${expect.number}号院`, `${expect.road}${expect.number}号`].some((gate) => top.address.endsWith(gate));
  let placeRight = right;
  switch (top.level) {
    case 'door':
      placeRight ||= holdsPlate;
      break;
    case 'road':
      placeRight = top.matched?.road != null ? top.matched.road === expect.road : top.address.endsWith(expect.road);
      break;
    case 'community':
      placeRight = top.community?.name === expect.community;
      break;
    case 'street':
      placeRight = top.street?.name === expect.street;
      break;
    case 'district':
      placeRight = top.district?.name === expect.district;
      break;
    case 'poi':
      placeRight = holdsPlate;
      break;
  }
  return { right, placeRight, score: top.score };
}

/** One class's results. */
export interface ClassRow {
  name: string;
  positive: boolean;
  n: number;
  right: number;
  /** score ≥ CONFIDENT and the place is wrong */
  confidentWrong: number;
  refused: number;
  example: string;
  /** a few wrong answers, confident ones first: `text → answer` */
  misses: string[];
}

/** One score band of the calibration table. */
export interface BandRow {
  label: string;
  low: number;
  answers: number;
  /** answers naming the right place at their own level */
  right: number;
}

export interface Measurement {
  classes: ClassRow[];
  bands: BandRow[];
  /** refusals over all classes, and how many of them were of negative items */
  refusals: { n: number; right: number };
}

const BANDS: [label: string, low: number][] = [
  ['[0.9, 1]', 0.9],
  ['[0.8, 0.9)', 0.8],
  ['[0.7, 0.8)', 0.7],
  ['[0.6, 0.7)', 0.6],
  ['[0.5, 0.6)', 0.5],
  ['< 0.5', -Infinity],
];

/** Runs every item through `lookup` and tallies per class and per score band. */
export function measure(samples: readonly Sample[], lookup: (query: string) => GeocodeAnswer): Measurement {
  const bands: BandRow[] = BANDS.map(([label, low]) => ({ label, low, answers: 0, right: 0 }));
  const refusals = { n: 0, right: 0 };
  const classes = samples.map(({ cls, items }): ClassRow => {
    const row: ClassRow = { name: cls.name, positive: cls.positive, n: items.length, right: 0, confidentWrong: 0, refused: 0, example: items[0]?.text ?? '', misses: [] };
    const confident: string[] = [];
    const other: string[] = [];
    for (const item of items) {
      const answer = lookup(item.text);
      const verdict = judge(item, answer);
      if (verdict.right) row.right++;
      if (verdict.score === null) {
        row.refused++;
        refusals.n++;
        if (!cls.positive) refusals.right++;
      } else {
        const band = bands.find((b) => verdict.score! >= b.low)!;
        band.answers++;
        if (verdict.placeRight) band.right++;
      }
      const wrongConfident = verdict.score !== null && verdict.score >= CONFIDENT && !verdict.placeRight;
      if (wrongConfident) row.confidentWrong++;
      if (!verdict.right || wrongConfident) {
        const top = answer.results[0];
        const line = `${item.text} → ${top === undefined ? `refused (${answer.reason})` : `${top.address} (${top.level}, ${top.score})`}`;
        (wrongConfident ? confident : other).push(line);
      }
    }
    row.misses = [...confident.slice(0, 3), ...other.slice(0, 3)].slice(0, 4);
    return row;
  });
  return { classes, bands, refusals };
}

/** Classes, sampled and measured on a district's store with its own forward geocoder. */
export function measureVariants(store: Store, geocoder: ForwardGeocoder, { perClass = VARIANTS_PER_CLASS, seed = VARIANTS_SEED } = {}): { samples: Sample[]; measurement: Measurement } {
  const { plates, known } = variantInputs(store);
  const samples = sampleVariants(variantClasses(known), plates, perClass, seed);
  return { samples, measurement: measure(samples, lookupOf(geocoder)) };
}

const percent = (part: number, whole: number): string => (whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)} %`);
const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The per-class table as Markdown. */
export function classTable(m: Measurement): string {
  const lines = [
    '| class | kind | n | right | confident wrong | refused | e.g. |',
    '|---|---|--:|--:|--:|--:|---|',
    ...m.classes.map(
      (r) =>
        `| ${r.name} | ${r.positive ? 'house' : 'no place'} | ${r.n} | ${percent(r.right, r.n)} | ${percent(r.confidentWrong, r.n)} | ${percent(r.refused, r.n)} | ${cell(r.example)} |`,
    ),
  ];
  return lines.join('\n');
}

/** The calibration table (score band → share of answers naming the right place) as Markdown. */
export function calibrationTable(m: Measurement): string {
  const lines = [
    '| score | answers | right | share right |',
    '|---|--:|--:|--:|',
    ...m.bands.map((b) => `| ${b.label} | ${b.answers} | ${b.right} | ${percent(b.right, b.answers)} |`),
    `| no answer | ${m.refusals.n} | ${m.refusals.right} | ${percent(m.refusals.right, m.refusals.n)} |`,
  ];
  return lines.join('\n');
}
