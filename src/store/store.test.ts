import { describe, expect, it } from 'vitest';
import type { Alias, Grid, Poi } from '../model.js';
import { changesSince } from './changes.js';
import { EMPTY_BBOX } from './rows.js';
import { Store } from './store.js';

const square = { type: 'Polygon' as const, coordinates: [[[116.4, 39.9], [116.401, 39.9], [116.401, 39.901], [116.4, 39.901], [116.4, 39.9]]] };
const version = (dynamicCode: string, validFrom: string, validTo: string | null = null): Grid => ({
  scheme: 'social',
  code: '1101010010011001',
  dynamicCode,
  name: '第1网格',
  communityCode: '110101001001',
  geometry: square,
  areaM2: 9_000,
  validFrom,
  validTo,
});

describe('Store.addGridVersion keeps history', () => {
  it('closes the current version when a new one starts, and never lets versions overlap', () => {
    const store = Store.open(':memory:');
    try {
      store.addGridVersion(version('202401', '2024-01-01'));
      store.addGridVersion(version('202601', '2026-01-01'));
      expect(store.gridHistory('social', '1101010010011001').map((g) => [g.dynamicCode, g.validFrom, g.validTo])).toEqual([
        ['202401', '2024-01-01', '2026-01-01'],
        ['202601', '2026-01-01', null],
      ]);
      expect(store.getGrid('social', '1101010010011001', '2025-06-01')?.dynamicCode).toBe('202401');
      expect(() => store.addGridVersion(version('202501', '2025-01-01'))).toThrow(/must start later than that/);
      expect(() => store.addGridVersion(version('202601', '2027-01-01'))).toThrow(/needs a new dynamic code/);
    } finally {
      store.close();
    }
  });

  it('refuses a version that starts inside a closed one', () => {
    const store = Store.open(':memory:');
    try {
      store.insert('grids', [version('201001', '2010-01-01', '2020-01-01')]);
      expect(() => store.addGridVersion(version('201501', '2015-01-01'))).toThrow(/valid until 2020-01-01/);
      store.addGridVersion(version('202001', '2020-01-01'));
      expect(store.getGrid('social', '1101010010011001')?.dynamicCode).toBe('202001');
    } finally {
      store.close();
    }
  });
});

describe('Store with named places and aliases', () => {
  it('keeps a place with its list of aliases, logs it with the list parsed, and numbers ids on', () => {
    const store = Store.open(':memory:');
    try {
      const place: Poi = {
        id: store.nextId('pois'),
        name: '史家胡同小学',
        aliases: ['史家小学'],
        category: '学校',
        geometry: square,
        address: '北京市东城区朝阳门街道史家社区史家胡同5号',
        unitGridCode: '110101007001001',
        socialStaticCode: '1101010070011001',
      };
      store.upsert('pois', [place]);
      expect(store.getPoi(1)).toEqual(place);
      expect(store.nextId('pois')).toBe(2);
      const [change] = changesSince(store.db, 0);
      expect(change).toMatchObject({ layer: 'pois', key: '1', op: 'create', bbox: { minX: 116.4, minY: 39.9, maxX: 116.401, maxY: 39.901 } });
      expect(change!.after).toMatchObject({ aliases: ['史家小学'], geometry: square });
    } finally {
      store.close();
    }
  });

  it('logs an alias where nothing lies: its empty box meets no box', () => {
    const store = Store.open(':memory:');
    try {
      const alias: Alias = { id: 1, alias: '崇外街道', level: 'street', canonical: '崇文门外街道', code: '110101012', validFrom: null, validTo: null, note: null };
      store.upsert('aliases', [alias]);
      store.upsert('aliases', [{ ...alias, note: '崇外 for 崇文门外' }]);
      expect([...store.iterate('aliases')]).toEqual([{ ...alias, note: '崇外 for 崇文门外' }]);
      const changes = changesSince(store.db, 0);
      expect(changes.map((c) => [c.layer, c.key, c.op])).toEqual([
        ['aliases', '1', 'create'],
        ['aliases', '1', 'update'],
      ]);
      expect(changes[0]!.bbox).toEqual(EMPTY_BBOX);
      expect(changes[1]!.before).toMatchObject({ alias: '崇外街道', note: null });
    } finally {
      store.close();
    }
  });
});
