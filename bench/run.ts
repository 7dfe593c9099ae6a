// npm run bench: every figure of the geocoder and the service beside its peers, measured in this
// run on the default district; printed as a table and written to bench/results/latest.json.
// `npm run bench -- reverse http` runs only the named groups and writes latest.reverse.http.json,
// so a partial run never replaces the figures of a whole one.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict } from '../src/ingest/generate/district.js';
import { loadGeneratorInputs } from '../src/ingest/generate/inputs.js';
import { buildDistrictDatabase } from '../src/store/build-district.js';
import { cliBench } from './cli.bench.js';
import { edgeBench } from './edge.bench.js';
import { forwardBench } from './forward.bench.js';
import { httpBench } from './http.bench.js';
import { postgisBench } from './postgis.bench.js';
import { formatValue, type Row } from './lib/stats.js';
import { reverseBench } from './reverse.bench.js';
import { tilesBench } from './tiles.bench.js';

const only = new Set(process.argv.slice(2));
const wanted = (group: string) => only.size === 0 || only.has(group);
const rows: Row[] = [];
const started = performance.now();
const dir = mkdtempSync(join(os.tmpdir(), 'wangge-bench-'));

try {
  const district = generateDistrict(loadGeneratorInputs(), { ...DEFAULT_DISTRICT_OPTIONS, copy: 0, firstIds: { road: 1, house: 1, address: 1 } });
  if (wanted('reverse')) rows.push(...reverseBench(district));
  if (wanted('forward')) rows.push(...forwardBench(district));
  const dbPath = join(dir, 'dongcheng.db');
  if (wanted('cli') || wanted('http') || wanted('edge') || wanted('tiles') || wanted('postgis')) buildDistrictDatabase(dbPath);
  if (wanted('cli')) rows.push(...(await cliBench(district, dbPath, dir)));
  if (wanted('http')) rows.push(...(await httpBench(dbPath)));
  if (wanted('edge')) rows.push(...(await edgeBench(dbPath)));
  if (wanted('tiles')) rows.push(...(await tilesBench(dbPath, dir)));
  if (wanted('postgis')) rows.push(...(await postgisBench(district, dbPath, dir)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.table(rows.map((r) => ({ group: r.group, what: r.what, value: formatValue(r.value), unit: r.unit })));
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = only.size === 0 ? 'latest.json' : `latest.${[...only].join('.')}.json`;
writeFileSync(new URL(`./results/${file}`, import.meta.url), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2) + '\n');
