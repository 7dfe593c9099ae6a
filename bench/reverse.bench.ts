// reverse geocoding in-process, single thread: wangge against which-polygon (same unit grids) and
// h3-js latLngToCell (res 10), on 1M seeded random points in the district's box; plus the R-tree
// choice behind the exact layer (rbush vs flatbush, build and point query).
import Flatbush from 'flatbush';
import { latLngToCell } from 'h3-js';
import RBush from 'rbush';
import whichPolygon from 'which-polygon';
import { geometryBBox, type BBox } from '../src/geo/bbox.js';
import { pointInPolygon } from '../src/geo/pip.js';
import { PointResolver } from '../src/geocode/reverse.js';
import type { GeneratedDistrict } from '../src/ingest/generate/district.js';
import type { AreaGeometry } from '../src/model.js';
import { median, seededRandom, timeRuns, type Row } from './lib/stats.js';

export function reverseBench(district: GeneratedDistrict, count = 1_000_000): Row[] {
  const box = geometryBBox(district.areas.find((a) => a.level === 'district')!.geometry);
  const random = seededRandom(7);
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    xs[k] = box.minX + random() * (box.maxX - box.minX);
    ys[k] = box.minY + random() * (box.maxY - box.minY);
  }
  const units = district.grids.filter((g) => g.scheme === 'unit');
  let sink = 0;
  const rate = (ms: number) => count / (ms / 1000);

  const buildMs = median(timeRuns(3, () => new PointResolver(district.areas, district.grids)));
  const resolver = new PointResolver(district.areas, district.grids);
  const which = whichPolygon({
    type: 'FeatureCollection',
    features: units.map((g) => ({ type: 'Feature', properties: { code: g.code }, geometry: g.geometry })),
  } as Parameters<typeof whichPolygon>[0]);
  // wangge and which-polygon in turns, five rounds: this VM's speed changes from minute to
  // minute, and a ratio of runs minutes apart measures the VM, not the code
  const ids = new Int32Array(count);
  const positions = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) (positions[2 * k] = xs[k]!), (positions[2 * k + 1] = ys[k]!);
  const wanggeRuns: number[] = [];
  const perPointRuns: number[] = [];
  const whichRuns: number[] = [];
  for (let round = 0; round < 5; round++) {
    // the typed-array batch path the CLI and HTTP batches use: coordinates in, combination ids out
    wanggeRuns.push(...timeRuns(1, () => {
      resolver.resolveInto(positions, ids);
      sink += ids[count >> 1]!;
    }));
    perPointRuns.push(...timeRuns(1, () => {
      for (let k = 0; k < count; k++) if (resolver.resolve(xs[k]!, ys[k]!).unitGrid !== null) sink++;
    }));
    whichRuns.push(...timeRuns(1, () => {
      for (let k = 0; k < count; k++) if (which([xs[k]!, ys[k]!]) !== null) sink++;
    }));
  }
  const [wanggeMs, perPointMs, whichMs] = [median(wanggeRuns), median(perPointRuns), median(whichRuns)];

  const h3Ms = median(timeRuns(3, () => {
    for (let k = 0; k < count; k++) if (latLngToCell(ys[k]!, xs[k]!, 10).length > 0) sink++;
  }));

  // the exact layer's R-tree: same boxes, same point-in-polygon, two libraries
  const items = units.map((g) => ({ ...geometryBBox(g.geometry), geometry: g.geometry }));
  const rbushBuildMs = median(timeRuns(5, () => new RBush<BBox & { geometry: AreaGeometry }>().load(items)));
  const flatbushBuild = () => {
    const index = new Flatbush(items.length);
    for (const i of items) index.add(i.minX, i.minY, i.maxX, i.maxY);
    index.finish();
    return index;
  };
  const flatbushBuildMs = median(timeRuns(5, flatbushBuild));
  const rtree = new RBush<BBox & { geometry: AreaGeometry }>().load(items);
  const flat = flatbushBuild();
  const sample = Math.min(count, 200_000);
  const rbushMs = median(timeRuns(3, () => {
    for (let k = 0; k < sample; k++) {
      for (const i of rtree.search({ minX: xs[k]!, minY: ys[k]!, maxX: xs[k]!, maxY: ys[k]! })) if (pointInPolygon(xs[k]!, ys[k]!, i.geometry)) sink++;
    }
  }));
  const flatbushMs = median(timeRuns(3, () => {
    for (let k = 0; k < sample; k++) {
      for (const n of flat.search(xs[k]!, ys[k]!, xs[k]!, ys[k]!)) if (pointInPolygon(xs[k]!, ys[k]!, items[n]!.geometry)) sink++;
    }
  }));

  const wangge = rate(wanggeMs);
  return [
    { group: 'reverse', what: `wangge typed-array batch, all five levels (${count.toLocaleString('en')} points)`, value: wangge, unit: 'points/s' },
    { group: 'reverse', what: 'wangge one point a call (resolve)', value: rate(perPointMs), unit: 'points/s' },
    { group: 'reverse', what: 'which-polygon, unit grids only', value: rate(whichMs), unit: 'points/s' },
    { group: 'reverse', what: 'h3-js latLngToCell, res 10', value: rate(h3Ms), unit: 'points/s' },
    { group: 'reverse', what: 'wangge ÷ which-polygon (target ≥ 10)', value: wangge / rate(whichMs), unit: '×' },
    { group: 'reverse', what: 'wangge ÷ h3-js (target > 1)', value: wangge / rate(h3Ms), unit: '×' },
    { group: 'reverse', what: 'share of the box answered by raster reads (no polygon test)', value: resolver.rasterShare() * 100, unit: '%' },
    { group: 'reverse', what: 'index build (5 layers + rasters)', value: buildMs, unit: 'ms' },
    { group: 'r-tree', what: `rbush build (${items.length} unit grids)`, value: rbushBuildMs, unit: 'ms' },
    { group: 'r-tree', what: 'flatbush build', value: flatbushBuildMs, unit: 'ms' },
    { group: 'r-tree', what: 'rbush point → grid', value: sample / (rbushMs / 1000), unit: 'points/s' },
    { group: 'r-tree', what: 'flatbush point → grid', value: sample / (flatbushMs / 1000), unit: 'points/s' },
    { group: 'r-tree', what: '(checksum, keeps the loops alive)', value: sink % 1000, unit: '' },
  ];
}
