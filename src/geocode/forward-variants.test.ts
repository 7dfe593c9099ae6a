import { pinyin } from 'pinyin-pro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import type { ForwardGeocoder } from './forward.js';
import { loadGeocoders } from './geocoders.js';
import { canonicalStyle, render, seeded, type Spec } from './test-helpers/address-noise.js';
import { variantClasses, type KnownNames, type VariantClass } from './test-helpers/address-variants.js';
import {
  calibrationTable,
  classTable,
  CONFIDENT,
  lookupOf,
  measure,
  sampleVariants,
  VARIANTS_PER_CLASS,
  VARIANTS_SEED,
  variantInputs,
  type Measurement,
  type Sample,
} from './test-helpers/variant-accuracy.js';

let district: TestDistrict;
let plates: Spec[];
let known: KnownNames;
let classes: VariantClass[];
let samples: Sample[];
let geocoder: ForwardGeocoder;
let measurement: Measurement;

beforeAll(() => {
  district = openTestDistrict('variants', { readonly: true });
  ({ plates, known } = variantInputs(district.store));
  classes = variantClasses(known);
  let started = performance.now();
  samples = sampleVariants(classes, plates, VARIANTS_PER_CLASS, VARIANTS_SEED);
  const generatedMs = performance.now() - started;
  geocoder = loadGeocoders(district.store).forward;
  started = performance.now();
  measurement = measure(samples, lookupOf(geocoder));
  const items = samples.reduce((sum, s) => sum + s.items.length, 0);
  console.log(
    `address variants: ${items} items generated in ${generatedMs.toFixed(0)} ms, answered in ${(performance.now() - started).toFixed(0)} ms\n\n` +
      `${classTable(measurement)}\n\ncalibration (best answer per item, all classes):\n\n${calibrationTable(measurement)}\n\n` +
      measurement.classes
        .filter((r) => r.misses.length > 0)
        .map((r) => `misses, ${r.name}:\n${r.misses.map((m) => `  ${m}`).join('\n')}`)
        .join('\n'),
  );
});

afterAll(() => district?.remove());

const row = (name: string) => measurement.classes.find((r) => r.name === name)!;
const itemsOf = (name: string) => samples.find((s) => s.cls.name === name)!.items;

describe('address variant generators', () => {
  it('give every class its full count of items', () => {
    for (const sample of samples) expect(sample.items.length, sample.cls.name).toBe(VARIANTS_PER_CLASS);
    expect(classes.filter((c) => c.positive).length).toBeGreaterThanOrEqual(8);
    expect(classes.filter((c) => !c.positive).length).toBeGreaterThanOrEqual(5);
  });

  it('are deterministic for a seed, and another seed gives other items', () => {
    const items = (classes: VariantClass[], seed: number) => sampleVariants(classes, plates, 30, seed).map((s) => s.items);
    const a = items(classes, 1);
    expect(items(variantClasses(known), 1)).toEqual(a);
    expect(items(classes, 2)).not.toEqual(a);
  });

  it('write something else than the canonical address', () => {
    const canonical = new Set(plates.map((p) => render(p, canonicalStyle(), seeded(1))));
    for (const { cls, items } of samples) {
      if (cls.name === 'canonical') {
        for (const item of items) expect(canonical.has(item.text), item.text).toBe(true);
        continue;
      }
      const same = items.filter((item) => canonical.has(item.text)).map((i) => i.text);
      expect(same, cls.name).toEqual([]);
    }
  });

  it('never spell a road as another road of the district (positives) or as any road (made-up names)', () => {
    for (const { cls, items } of samples) {
      if (cls.name === 'canonical' || cls.name === 'former district 崇文区' || cls.name.startsWith('other district') && cls.name.endsWith('a road name of ours')) continue;
      const roads = items.filter((item) => known.roads.has(item.road)).map((i) => i.road);
      expect(roads, cls.name).toEqual([]);
    }
  });

  it('write ordinal series with the same number in another numeral form', () => {
    const chinese = (n: number): string[] => {
      const digit = '一二三四五六七八九';
      if (n === 1) return ['头', '一'];
      if (n < 10) return [digit[n - 1]!];
      return [`十${n === 10 ? '' : digit[n - 11]}`];
    };
    for (const item of itemsOf('ordinal numerals')) {
      const plain = item.road.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace('條', '条').replace('區', '区');
      const digits = /[0-9]+/.exec(plain);
      // 头条 written 一条, or the ending in its traditional form
      const readBack = digits === null ? [plain, plain.replace(/一(条|区|巷)$/, '头$1')] : chinese(Number(digits[0])).map((c) => plain.replace(digits[0], c));
      expect(readBack, item.road).toContain(item.expect.kind === 'house' ? item.expect.road : '');
    }
  });

  it('write homophones that read the same, and drop exactly one character', () => {
    // character by character: a reading in context can differ from a character's own
    const reading = (text: string): string => [...text].map((ch) => pinyin(ch, { toneType: 'none' })).join(' ');
    for (const item of itemsOf('one-character homophone')) {
      const road = item.expect.kind === 'house' ? item.expect.road : '';
      expect([...item.road].filter((ch, k) => ch !== road[k]).length, item.road).toBe(1);
      expect(reading(item.road), `${item.road} / ${road}`).toBe(reading(road));
    }
    for (const item of itemsOf('one character missing')) {
      const road = item.expect.kind === 'house' ? item.expect.road : '';
      expect([...road].some((_, k) => road.slice(0, k) + road.slice(k + 1) === item.road), `${item.road} / ${road}`).toBe(true);
    }
  });

  it('name 崇文区 only for plates of its former 街道', () => {
    for (const item of itemsOf('former district 崇文区')) {
      expect(item.text).toContain('崇文区');
      expect(item.expect.kind === 'house' && item.expect.district).toBe(known.district);
    }
  });
});

describe('forward geocoder on address variants (issue 9)', () => {
  it('answers every canonical plate with its house', () => {
    const canonical = row('canonical');
    expect(canonical.misses).toEqual([]);
    expect(canonical.right).toBe(canonical.n);
  });

  it('answers ≥ 95 % of each class of road-name variants with the house at door level', () => {
    for (const r of measurement.classes.filter((c) => c.positive)) expect.soft(r.right / r.n, `${r.name}: ${r.misses.join('; ')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('gives no place to ≥ 99.5 % of each class of addresses that are not here', () => {
    for (const r of measurement.classes.filter((c) => !c.positive)) expect.soft(r.confidentWrong / r.n, `${r.name}: ${r.misses.join('; ')}`).toBeLessThanOrEqual(0.005);
  });

  it('is confidently wrong on ≤ 0.5 % of all items', () => {
    const n = measurement.classes.reduce((sum, r) => sum + r.n, 0);
    const wrong = measurement.classes.reduce((sum, r) => sum + r.confidentWrong, 0);
    expect(wrong / n).toBeLessThanOrEqual(0.005);
  });

  it(`is right ≥ 99 % of the time when it scores ≥ ${CONFIDENT}`, () => {
    const confident = measurement.bands.filter((b) => b.low >= CONFIDENT);
    const answers = confident.reduce((sum, b) => sum + b.answers, 0);
    const right = confident.reduce((sum, b) => sum + b.right, 0);
    expect(answers).toBeGreaterThan(0);
    expect(right / answers).toBeGreaterThanOrEqual(0.99);
  });
});
