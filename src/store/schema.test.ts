import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { Store } from './store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-schema-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as wangge v3 left it: migrations 1–3 and one house. */
function v3Database(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) db.exec(migration.sql);
  db.pragma('user_version = 3');
  db.prepare(
    `INSERT INTO houses (id, geometry, floors, floors_below, height_m, use, households, min_x, min_y, max_x, max_y)
     VALUES (7, '{"type":"Polygon","coordinates":[[[116.4,39.9],[116.401,39.9],[116.401,39.901],[116.4,39.9]]]}', 2, 0, 6, '住宅', 1, 116.4, 39.9, 116.401, 39.901)`,
  ).run();
  db.close();
}

describe('migration 4: pois and aliases', () => {
  it('applies to a v3 database, keeps its rows, and the new layers take records', () => {
    const path = join(dir, 'v3.db');
    v3Database(path);
    const store = Store.open(path);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.getHouse(7)?.floors).toBe(2);
      expect(store.nextId('pois')).toBe(1);
      expect(store.nextId('aliases')).toBe(1);
      store.upsert('pois', [
        { id: 1, name: '地坛公园', aliases: ['地坛'], category: '公园', geometry: { type: 'Point', coordinates: [116.41, 39.95] }, address: null, unitGridCode: null, socialStaticCode: null },
      ]);
      store.upsert('aliases', [{ id: 1, alias: '崇文区', level: 'district', canonical: '东城区', code: '110101', validFrom: null, validTo: '2010-07-01', note: null }]);
      expect([...store.iterate('pois')].map((p) => [p.name, p.aliases])).toEqual([['地坛公园', ['地坛']]]);
      expect([...store.iterate('aliases')].map((a) => a.alias)).toEqual(['崇文区']);
      const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('pois_name', 'aliases_alias')").pluck().all();
      expect(indexes.sort()).toEqual(['aliases_alias', 'pois_name']);
    } finally {
      store.close();
    }
  });

  it('refuses an alias of an unknown level, a blank canonical name, and dates out of order', () => {
    const store = Store.open(':memory:');
    try {
      const insert = (level: string, canonical: string, validFrom: string | null, validTo: string | null) => () =>
        store.db
          .prepare('INSERT INTO aliases (alias, level, canonical, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)')
          .run('x', level, canonical, validFrom, validTo);
      expect(insert('province', '东城区', null, null)).toThrow(/CHECK/);
      expect(insert('district', '', null, null)).toThrow(/CHECK/);
      expect(insert('district', '东城区', '2010-07-01', '2010-07-01')).toThrow(/CHECK/);
      expect(insert('road', '崇文门外大街', null, '2010-07-01')).not.toThrow();
    } finally {
      store.close();
    }
  });
});

describe('migration 5: houses by social grid', () => {
  it('indexes houses by social grid, so a redraw finds the houses of the grids it changes without reading every house', () => {
    const path = join(dir, 'v3.db');
    v3Database(path);
    const store = Store.open(path);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(5);
      const plan = store.db.prepare('EXPLAIN QUERY PLAN SELECT id FROM houses WHERE social_static_code IN (?, ?)').all('a', 'b') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING (COVERING )?INDEX houses_social_grid/);
      expect(store.houseFootprintsInSocialGrids([], { minX: 0, minY: 0, maxX: 1, maxY: 1 })).toEqual([]);
    } finally {
      store.close();
    }
  });
});
