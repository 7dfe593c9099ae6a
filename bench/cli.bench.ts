// the batch CLI file → file, as the built binary runs it: a 1M-row CSV of points reversed, and
// the population-base job — 1.2M rows of noisy addresses — geocoded; each with one thread, two
// threads and the default (threads added when they measure worth it), medians of three runs
// taken in turn, so that a load that comes and goes falls on every setting alike.
import { execFile } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { geometryBBox } from '../src/geo/bbox.js';
import { noisyAddresses } from '../src/geocode/test-helpers/address-noise.js';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import { median, seededRandom, type Row } from './lib/stats.js';

const run = promisify(execFile);
const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;
const REPS = 3;
const SETTINGS = [
  { name: 'threads=1', args: ['--threads', '1'] },
  { name: 'threads=2', args: ['--threads', '2'] },
  { name: 'default', args: [] },
] as const;

export async function cliBench(district: GeneratedDistrict, dbPath: string, dir: string, points = 1_000_000, addresses = 1_200_000): Promise<Row[]> {
  const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
  const random = seededRandom(5);
  const pointsCsv = join(dir, 'points.csv');
  await writeLines(pointsCsv, 'id,lng,lat', points, (k) =>
    `${k},${(box.minX + random() * (box.maxX - box.minX)).toFixed(6)},${(box.minY + random() * (box.maxY - box.minY)).toFixed(6)}`,
  );
  const reverse = await timedSettings(['reverse', pointsCsv, '-o', join(dir, 'points.out.csv'), '--db', dbPath]);

  const noisy = noisyAddresses(district, addresses, 1200);
  const addressesCsv = join(dir, 'population.csv');
  await writeLines(addressesCsv, 'person,address', addresses, (k) => `${k},"${noisy[k]!.text.replaceAll('"', '""')}"`);
  const geocode = await timedSettings(['geocode', addressesCsv, '-o', join(dir, 'population.out.csv'), '--db', dbPath]);

  const rate = (n: number, seconds: number) => n / seconds;
  return [
    { group: 'cli', what: `reverse ${points.toLocaleString('en')}-row CSV file → file, default (target ≥ 500,000)`, value: rate(points, reverse.default), unit: 'rows/s' },
    { group: 'cli', what: '… threads=1', value: rate(points, reverse['threads=1']), unit: 'rows/s' },
    { group: 'cli', what: '… threads=2', value: rate(points, reverse['threads=2']), unit: 'rows/s' },
    { group: 'cli', what: `geocode ${addresses.toLocaleString('en')} address rows, default (target ≤ 12)`, value: geocode.default, unit: 's' },
    { group: 'cli', what: '… as a rate', value: rate(addresses, geocode.default), unit: 'rows/s' },
    { group: 'cli', what: '… threads=1', value: rate(addresses, geocode['threads=1']), unit: 'rows/s' },
    { group: 'cli', what: '… threads=2', value: rate(addresses, geocode['threads=2']), unit: 'rows/s' },
    { group: 'cli', what: '… threads=2 ÷ threads=1 (target ≥ 1.5 on 2 cores)', value: geocode['threads=1'] / geocode['threads=2'], unit: '×' },
    { group: 'cli', what: 'input sizes (points, addresses)', value: (statSync(pointsCsv).size + statSync(addressesCsv).size) / 2 ** 20, unit: 'MB' },
  ];
}

/** Median wall seconds of each setting over REPS rounds. */
async function timedSettings(args: string[]): Promise<Record<(typeof SETTINGS)[number]['name'], number>> {
  const times = new Map<string, number[]>(SETTINGS.map((s) => [s.name, []]));
  for (let rep = 0; rep < REPS; rep++) for (const setting of SETTINGS) times.get(setting.name)!.push(await timed([...args, ...setting.args]));
  return Object.fromEntries([...times].map(([name, seconds]) => [name, median(seconds)])) as Record<(typeof SETTINGS)[number]['name'], number>;
}

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [BIN, ...args], { maxBuffer: 64 * 2 ** 20 });
  return (performance.now() - started) / 1000;
}

async function writeLines(path: string, header: string, count: number, line: (k: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(header + '\n');
  for (let k = 0; k < count; k++) if (!out.write(line(k) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
