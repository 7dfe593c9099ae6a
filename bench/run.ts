// npm run bench: the foundation's numbers, printed as a table and written to bench/results/.
// district generation (scale 1), and point → grid lookup through the R-tree against a brute-force scan.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { geometryBBox } from '../src/geo/bbox.js';
import { pointInPolygon } from '../src/geo/pip.js';
import { PointResolver } from '../src/geocode/reverse.js';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict } from '../src/ingest/generate/district.js';
import { loadGeneratorInputs } from '../src/ingest/generate/inputs.js';
import { median, seededRandom, timeRuns } from './lib/stats.js';

const inputs = loadGeneratorInputs();
const generate = () => generateDistrict(inputs, { ...DEFAULT_DISTRICT_OPTIONS, copy: 0, firstIds: { road: 1, house: 1, address: 1 } });
const generateMs = median(timeRuns(3, generate));
const district = generate();
const grids = district.grids;
const units = grids.filter((g) => g.scheme === 'unit');

const box = geometryBBox(district.areas[0]!.geometry);
const random = seededRandom(42);
const points = Array.from({ length: 100_000 }, () => [box.minX + random() * (box.maxX - box.minX), box.minY + random() * (box.maxY - box.minY)] as const);

const buildMs = median(timeRuns(5, () => new PointResolver(district.areas, grids)));
const locator = new PointResolver(district.areas, grids);
let found = 0;
const rtreeMs = median(timeRuns(5, () => {
  for (const [x, y] of points) if (locator.resolve(x, y).unitGrid !== null) found++;
}));
const bruteSample = points.slice(0, 2_000);
const bruteMs = median(timeRuns(3, () => {
  for (const [x, y] of bruteSample) if (units.some((g) => pointInPolygon(x, y, g.geometry))) found++;
})) * (points.length / bruteSample.length);

const rows = [
  { what: 'generate Dongcheng (scale 1, in memory)', value: `${generateMs.toFixed(0)} ms` },
  { what: `build reverse index (${grids.length} grids)`, value: `${buildMs.toFixed(1)} ms` },
  { what: 'point → all five levels, wangge', value: `${Math.round(points.length / (rtreeMs / 1000)).toLocaleString()} points/s` },
  { what: 'point → unit grid, brute-force scan', value: `${Math.round(points.length / (bruteMs / 1000)).toLocaleString()} points/s` },
  { what: 'R-tree speed-up over brute force', value: `${(bruteMs / rtreeMs).toFixed(0)}×` },
];
console.table(rows);
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/foundation.json', import.meta.url), JSON.stringify({ machine, date: new Date().toISOString(), rows, found }, null, 2) + '\n');
