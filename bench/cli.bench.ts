// the batch CLI file → file, as the built binary runs it: a 1M-row CSV of points reversed, and
// the population-base job — 1.2M rows of noisy addresses — geocoded.
import { execFile } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { geometryBBox } from '../src/geo/bbox.js';
import { noisyAddresses } from '../src/geocode/test-helpers/address-noise.js';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import { seededRandom, type Row } from './lib/stats.js';

const run = promisify(execFile);
const BIN = new URL('../bin/wangge.js', import.meta.url).pathname;

export async function cliBench(district: GeneratedDistrict, dbPath: string, dir: string, points = 1_000_000, addresses = 1_200_000): Promise<Row[]> {
  const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
  const random = seededRandom(5);
  const pointsCsv = join(dir, 'points.csv');
  await writeLines(pointsCsv, 'id,lng,lat', points, (k) =>
    `${k},${(box.minX + random() * (box.maxX - box.minX)).toFixed(6)},${(box.minY + random() * (box.maxY - box.minY)).toFixed(6)}`,
  );
  const reverseS = await timed(['reverse', pointsCsv, '-o', join(dir, 'points.out.csv'), '--db', dbPath]);

  const noisy = noisyAddresses(district, addresses, 1200);
  const addressesCsv = join(dir, 'population.csv');
  await writeLines(addressesCsv, 'person,address', addresses, (k) => `${k},"${noisy[k]!.text.replaceAll('"', '""')}"`);
  const geocodeS = await timed(['geocode', addressesCsv, '-o', join(dir, 'population.out.csv'), '--db', dbPath]);

  return [
    { group: 'cli', what: `reverse ${points.toLocaleString('en')}-row CSV file → file (target ≥ 500,000)`, value: points / reverseS, unit: 'rows/s' },
    { group: 'cli', what: `geocode ${addresses.toLocaleString('en')} address rows (target < 20)`, value: geocodeS, unit: 's' },
    { group: 'cli', what: '… as a rate', value: addresses / geocodeS, unit: 'rows/s' },
    { group: 'cli', what: 'input sizes (points, addresses)', value: (statSync(pointsCsv).size + statSync(addressesCsv).size) / 2 ** 20, unit: 'MB' },
  ];
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
