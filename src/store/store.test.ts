import { describe, expect, it } from 'vitest';
import type { Grid } from '../model.js';
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
