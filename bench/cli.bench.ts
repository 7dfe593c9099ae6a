// the batch CLI file → file, as the built binary runs it: a 1M-row CSV of points reversed, and
// the population-base job — 1.2M rows of noisy addresses — geocoded; each with one thread, two
// threads and the default (threads added when they measure worth it), medians of three runs
// taken in turn, so that a load that comes and goes falls on every setting alike.
import { execFile } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { geometryBBox } from '../src/geo/bbox.js';
import { noisyAddresses } from '../src/geocode/test-helpers/address-noise.js';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import { median, seededRandom, type Row } from './lib/stats.js';

const run = promisify(execFile);
const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;
const REPORT_CPU = new URL('./lib/report-cpu.cjs', import.meta.url).pathname;
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
  const cpu = (t: Timing) => `${t.cpu.toFixed(1)} s CPU`;
  return [
    { group: 'cli', what: `reverse ${points.toLocaleString('en')}-row CSV file → file, default (target ≥ 500,000); ${cpu(reverse.default)}`, value: rate(points, reverse.default.wall), unit: 'rows/s' },
    { group: 'cli', what: `… threads=1; ${cpu(reverse['threads=1'])}`, value: rate(points, reverse['threads=1'].wall), unit: 'rows/s' },
    { group: 'cli', what: `… threads=2; ${cpu(reverse['threads=2'])}`, value: rate(points, reverse['threads=2'].wall), unit: 'rows/s' },
    { group: 'cli', what: `geocode ${addresses.toLocaleString('en')} address rows, default (target ≤ 12); ${cpu(geocode.default)}`, value: geocode.default.wall, unit: 's' },
    { group: 'cli', what: '… as a rate', value: rate(addresses, geocode.default.wall), unit: 'rows/s' },
    { group: 'cli', what: `… threads=1; ${cpu(geocode['threads=1'])}`, value: rate(addresses, geocode['threads=1'].wall), unit: 'rows/s' },
    { group: 'cli', what: `… threads=2; ${cpu(geocode['threads=2'])}`, value: rate(addresses, geocode['threads=2'].wall), unit: 'rows/s' },
    { group: 'cli', what: '… threads=2 ÷ threads=1 (target ≥ 1.5 on 2 cores)', value: geocode['threads=1'].wall / geocode['threads=2'].wall, unit: '×' },
    { group: 'cli', what: 'input sizes (points, addresses)', value: (statSync(pointsCsv).size + statSync(addressesCsv).size) / 2 ** 20, unit: 'MB' },
    // above the core count, other work shares the cores and wall times say little (CPU times more)
    { group: 'cli', what: 'load average at the end (1 min)', value: loadavg()[0]!, unit: 'runnable' },
  ];
}

/** Wall seconds, and CPU seconds over all the process's threads. */
interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall and CPU seconds of each setting over REPS rounds. */
async function timedSettings(args: string[]): Promise<Record<(typeof SETTINGS)[number]['name'], Timing>> {
  const times = new Map<string, Timing[]>(SETTINGS.map((s) => [s.name, []]));
  for (let rep = 0; rep < REPS; rep++) for (const setting of SETTINGS) times.get(setting.name)!.push(await timed([...args, ...setting.args]));
  const medians = [...times].map(([name, runs]) => [name, { wall: median(runs.map((t) => t.wall)), cpu: median(runs.map((t) => t.cpu)) }]);
  return Object.fromEntries(medians) as Record<(typeof SETTINGS)[number]['name'], Timing>;
}

async function timed(args: string[]): Promise<Timing> {
  const started = performance.now();
  const { stderr } = await run(process.execPath, ['--require', REPORT_CPU, BIN, ...args], { maxBuffer: 64 * 2 ** 20 });
  const cpu = Number(/cpu-seconds (\S+)/.exec(stderr)?.[1]);
  return { wall: (performance.now() - started) / 1000, cpu };
}

async function writeLines(path: string, header: string, count: number, line: (k: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(header + '\n');
  for (let k = 0; k < count; k++) if (!out.write(line(k) + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
