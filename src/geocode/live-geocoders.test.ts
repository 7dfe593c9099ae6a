import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interiorPoint } from '../geo/interior-point.js';
import { changesSince, lastChangeSeq } from '../store/changes.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { LiveGeocoders } from './geocoders.js';

let district: TestDistrict;
let geocoders: LiveGeocoders;

beforeAll(() => {
  district = openTestDistrict('live-geocoders');
  geocoders = new LiveGeocoders(district.store);
}, 120_000);

afterAll(() => {
  geocoders?.stop();
  district?.remove();
});

describe('LiveGeocoders', () => {
  it('rebuilds the reverse geocoder in slices after an import of areas, answering from the old one meanwhile, and keeps grid versions written during the rebuild', async () => {
    const { store } = district;
    const community = store.getArea('110101001001')!;
    const inside = interiorPoint(community.geometry) as [number, number];
    const social = geocoders.reverse.resolve(...inside).socialGrid!;
    const from = lastChangeSeq(store.db);
    store.upsert('areas', [{ ...community, name: '多福巷新社区' }]);
    geocoders.applyChanges(changesSince(store.db, from));
    // the old geocoder answers until the new one is ready
    expect(geocoders.reverse.resolve(...inside).community?.name).toBe(community.name);

    // a grid version written while the rebuild runs: in the old geocoder at once, and in the new one
    const grid = store.getGrid('social', social.staticCode)!;
    const seq = lastChangeSeq(store.db);
    store.addGridVersion({ ...grid, dynamicCode: '203001', validFrom: '2030-01-01' });
    geocoders.applyChanges(changesSince(store.db, seq));
    expect(geocoders.reverse.resolve(...inside).socialGrid?.dynamicCode).toBe('203001');

    // requests get their turn between slices
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await geocoders.settled();
    clearInterval(ticker);
    expect(geocoders.reverse.resolve(...inside).community?.name).toBe('多福巷新社区');
    expect(geocoders.reverse.resolve(...inside).socialGrid?.dynamicCode).toBe('203001');
    // the forward index, rebuilt against the new areas, knows the new name
    expect(geocoders.forward.geocode('东城区东华门街道多福巷新社区')[0]).toMatchObject({ level: 'community', community: { code: community.code, name: '多福巷新社区' } });
    const report = geocoders.lastRebuild!;
    console.log(
      `reverse rebuild after an import of areas: ${report.totalMs.toFixed(0)} ms in ${report.slices} slices, the longest ${report.longestSliceMs.toFixed(1)} ms; ` +
        `${turns} timer turns ran meanwhile`,
    );
    expect(report.slices).toBeGreaterThan(10);
    expect(turns).toBeGreaterThan(report.slices / 4);
  }, 120_000);

  it('takes an import of many grid versions as a sliced rebuild, and a redraw through the API in place at once', async () => {
    const { store } = district;
    const social = [...store.iterate('grids')].filter((g) => g.scheme === 'social').slice(0, 40);
    const from = lastChangeSeq(store.db);
    for (const grid of social) store.addGridVersion({ ...grid, dynamicCode: '203501', validFrom: '2035-01-01' });
    const api = [...store.iterate('grids')].find((g) => g.scheme === 'social' && !social.some((s) => s.code === g.code))!;
    store.addGridVersion({ ...api, dynamicCode: '203502', validFrom: '2035-01-01' }, { actor: '东华门街道分中心' });
    geocoders.applyChanges(changesSince(store.db, from));
    const at = (code: string): [number, number] => interiorPoint(store.getGrid('social', code)!.geometry) as [number, number];
    expect(geocoders.reverse.resolve(...at(api.code)).socialGrid?.dynamicCode).toBe('203502');
    expect(geocoders.reverse.resolve(...at(social[0]!.code)).socialGrid?.dynamicCode).not.toBe('203501');
    await geocoders.settled();
    for (const grid of social) expect(geocoders.reverse.resolve(...at(grid.code)).socialGrid?.dynamicCode).toBe('203501');
    expect(geocoders.reverse.resolve(...at(api.code)).socialGrid?.dynamicCode).toBe('203502');
  }, 120_000);

  it('rebuilds the forward index in slices after an import of roads, answering from the old one meanwhile, and keeps door plates written during the rebuild', async () => {
    const { store } = district;
    const road = [...store.iterate('roads')].find((r) => r.kind === 'hutong' && r.name.endsWith('胡同'))!;
    const plate = [...store.iterate('addresses')].find((a) => a.status !== '废弃' && a.road !== road.name && a.building === null)!;
    const renamed = { ...road, id: store.nextId('roads'), name: '测试新开胡同' };
    const from = lastChangeSeq(store.db);
    store.upsert('roads', [renamed]);
    geocoders.applyChanges(changesSince(store.db, from));
    // the old index answers until the new one is ready
    expect(geocoders.forward.geocode('东城区测试新开胡同')[0]?.level).not.toBe('road');

    // a door plate written while the rebuild runs: in the old index at once, and in the new one
    const seq = lastChangeSeq(store.db);
    const moved = { ...plate, id: store.nextId('addresses'), number: 9999 };
    store.upsert('addresses', [moved]);
    geocoders.applyChanges(changesSince(store.db, seq));
    const query = `${plate.road}9999号`;
    expect(geocoders.forward.geocode(query)[0]).toMatchObject({ level: 'door' });

    const delay = monitorEventLoopDelay({ resolution: 1 });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    delay.enable();
    const started = performance.now();
    await geocoders.settled();
    const tookMs = performance.now() - started;
    delay.disable();
    clearInterval(ticker);
    console.log(`forward rebuild after an import of roads: ${tookMs.toFixed(0)} ms, longest event-loop delay ${(delay.max / 1e6).toFixed(1)} ms; ${turns} timer turns ran meanwhile`);
    expect(geocoders.forward.geocode('东城区测试新开胡同')[0]).toMatchObject({ level: 'road', matched: { road: '测试新开胡同' } });
    expect(geocoders.forward.geocode(query)[0]).toMatchObject({ level: 'door' });
    // built in steps: requests got turns while the index was built (one synchronous build gives
    // 0–2; stepped, 30–200 here — on a machine busy with other work each step takes longer, and a
    // bound of 20 failed beside other heavy tests)
    expect(turns).toBeGreaterThan(5);
  }, 120_000);
});
