import type { Polygon } from 'geojson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Address } from '../model.js';
import { Store } from '../store/store.js';
import { changeLogPage } from './change-log-view.js';

const box = (x0: number, y0: number, x1: number, y1: number): Polygon => ({ type: 'Polygon', coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] });
const plate = (id: number, x: number, y: number): Address => ({
  id,
  road: '多福巷',
  number: id,
  compound: false,
  building: null,
  unit: null,
  geometry: { type: 'Point', coordinates: [x, y] },
  houseId: null,
  status: '在用',
  retiredOn: null,
});

let store: Store;
const district = { scope: '110101' };
const west = { scope: '110101001' };
const east = { scope: '110101002' };

beforeEach(() => {
  store = Store.open(':memory:');
  store.insert('areas', [
    { code: '110101', level: 'district', name: '东城区', parentCode: null, geometry: box(116.4, 39.9, 116.42, 39.91) },
    { code: '110101001', level: 'street', name: '东华门街道', parentCode: '110101', geometry: box(116.4, 39.9, 116.41, 39.91) },
    { code: '110101002', level: 'street', name: '景山街道', parentCode: '110101', geometry: box(116.41, 39.9, 116.42, 39.91) },
  ]);
});
afterEach(() => store.close());

describe('changeLogPage', () => {
  it('shows a key the changes in its scope, before or after: a plate moved east is seen by both streets', () => {
    store.upsert('addresses', [plate(1, 116.405, 39.905)], { actor: '东华门街道分中心' });
    store.upsert('addresses', [plate(2, 116.415, 39.905)], { actor: '景山街道分中心' });
    store.upsert('addresses', [plate(1, 116.416, 39.905)], { actor: '东城区网格化服务管理中心' });
    const keys = (reader: { scope: string } | null): string[] => changeLogPage(store, reader, 0, 100).changes.map((c) => `${c.seq}:${c.key}`);
    expect(keys(west)).toEqual(['1:1', '3:1']);
    expect(keys(east)).toEqual(['2:2', '3:1']);
    expect(keys(district)).toEqual(['1:1', '2:2', '3:1']);
    expect(keys(null)).toEqual(['1:1', '2:2', '3:1']);
  });

  it('names who made a change to district keys only', () => {
    store.upsert('addresses', [plate(1, 116.405, 39.905)], { actor: '东华门街道分中心' });
    expect(changeLogPage(store, district, 0, 10).changes[0]!.actor).toBe('东华门街道分中心');
    expect(changeLogPage(store, west, 0, 10).changes[0]!.actor).toBeNull();
    expect(changeLogPage(store, null, 0, 10).changes[0]!.actor).toBeNull();
    expect(changeLogPage(store, null, 0, 10).changes[0]).not.toHaveProperty('bbox');
  });

  it('shows changes without a geometry (aliases) to district keys only', () => {
    store.upsert('aliases', [{ id: 1, alias: '崇文区', level: 'district', canonical: '东城区', code: '110101', validFrom: null, validTo: '2010-07-01', note: null }]);
    expect(changeLogPage(store, district, 0, 10).changes).toHaveLength(1);
    expect(changeLogPage(store, west, 0, 10).changes).toHaveLength(0);
  });

  it('pages: `next` after a full page, after 1,000 rows read with fewer found, null at the end', () => {
    store.upsert('addresses', Array.from({ length: 1_500 }, (_, k) => plate(k + 1, 116.415, 39.905)));
    store.upsert('addresses', [plate(2_000, 116.405, 39.905), plate(2_001, 116.405, 39.905)]);
    // the west street's changes lie behind 1,500 of the east's: the first page ends after 1,000 rows with none
    const first = changeLogPage(store, west, 0, 100);
    expect(first).toEqual({ changes: [], next: 1_000 });
    const second = changeLogPage(store, west, first.next!, 100);
    expect(second.changes.map((c) => c.key)).toEqual(['2000', '2001']);
    expect(second.next).toBeNull();
    expect(changeLogPage(store, west, first.next!, 1).next).toBe(1_501);
    expect(changeLogPage(store, null, 0, 1_000).next).toBe(1_000);
    expect(changeLogPage(store, null, 1_000, 1_000).next).toBeNull();
  });
});
