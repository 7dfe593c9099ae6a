/**
 * Child process of the crash-safety test: writes changes `from`.. of a plan (crash-plan.ts) into
 * a store, one transaction each, printing `writing` before the first and `committed k` after each
 * commit, until it is killed.
 *
 *   node --import tsx src/test-helpers/crash-writer.ts DB PLAN.json FROM GRID
 */
import { readFileSync } from 'node:fs';
import type { Feature } from 'geojson';
import { interiorPoint } from '../geo/interior-point.js';
import { PointResolver } from '../geocode/reverse.js';
import { importLayer } from '../store/import-layer.js';
import { Store } from '../store/store.js';
import { FeatureWriter, type Writer } from '../write/feature-writer.js';
import { GridRedraw } from '../write/grid-redraw.js';
import { CRASH_WRITER, dayOf, tagOf, type CrashChange } from './crash-plan.js';

const [dbPath, planPath, fromArg, gridArg] = process.argv.slice(2);
if (!dbPath || !planPath || !fromArg || !gridArg) throw new Error('usage: crash-writer.ts DB PLAN.json FROM GRID');
const gridCode: string = gridArg;
const plan = JSON.parse(readFileSync(planPath, 'utf8')) as CrashChange[];
const from = Number(fromArg);

const store = Store.open(dbPath);
const grids = [...store.iterate('grids')];
const resolver = new PointResolver([], grids, { raster: false });
const gridsAt = (lng: number, lat: number): { unitGridCode: string | null; socialStaticCode: string | null } => {
  const found = resolver.resolve(lng, lat);
  return { unitGridCode: found.unitGrid?.code ?? null, socialStaticCode: found.socialGrid?.staticCode ?? null };
};
// the writer startLive wires, with a plain resolver: the live indexes take seconds to build
const writer = new FeatureWriter(store, gridsAt);
const redraw = new GridRedraw(store);
const by: Writer = { name: CRASH_WRITER, scope: gridCode.slice(0, 6), authorize: () => undefined };
const points = grids.filter((g) => g.scheme === 'unit' && g.code.startsWith(gridCode.slice(0, 9))).map((g) => interiorPoint(g.geometry) as [number, number]);

function component(k: number, i: number): Feature {
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: points[(k * 31 + i) % points.length]! },
    properties: { major: '01', minor: '19', dept_main: '区消防救援支队', data_source: tagOf(k) },
  };
}

function codeOf(k: number): string {
  const code = store.db.prepare('SELECT code FROM components WHERE data_source = ?').pluck().get(tagOf(k)) as string | undefined;
  if (code === undefined) throw new Error(`create ${k} is not in the store`);
  return code;
}

function write(change: CrashChange): void {
  switch (change.kind) {
    case 'import': {
      const items = Array.from({ length: change.size }, (_, i) => ({ where: `feature ${i + 1}`, feature: component(change.k, i) }));
      const report = importLayer(store, 'components', items, { toWgs84: (p) => p, skipInvalid: false, gridsAt, today: '2026-11-27' });
      if (report.written !== change.size) throw new Error(`import ${change.k} wrote ${report.written} of ${change.size}`);
      return;
    }
    case 'create':
      writer.create('components', component(change.k, 0), by);
      return;
    case 'patch':
      writer.patch('components', codeOf(change.target), { properties: { name: tagOf(change.k), status: '破损' } }, by);
      return;
    case 'retire':
      writer.retire('components', codeOf(change.target), dayOf(change.k), by);
      return;
    case 'redraw': {
      const current = store.getGrid('social', gridCode);
      if (!current) throw new Error(`no social grid ${gridCode}`);
      redraw.redraw(gridCode, { geometry: current.geometry, valid_from: dayOf(change.k) }, by);
      return;
    }
  }
}

process.stdout.write('writing\n');
for (const change of plan) {
  if (change.k < from) continue;
  write(change);
  process.stdout.write(`committed ${change.k}\n`);
}
store.close();
process.stdout.write('done\n');
