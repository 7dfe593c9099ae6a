import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LayerTable } from '../layers/columns.js';
import { LAYER_TABLES, LAYERS } from '../model.js';
import { addMissingColumns, columnDefinition, columnType, missingPostgisColumns } from './schema-columns.js';
import { migrate } from './schema.js';

type ColumnInfo = { name: string; type: string; notnull: number; pk: number; dflt_value: string | null };

describe('the layer modules and the SQLite schema', () => {
  it('what the migrations built is what each layer module declares: every column, in order, its type and NOT NULL', () => {
    const db = new Database(':memory:');
    migrate(db);
    for (const layer of LAYERS) {
      const { table, columns } = LAYER_TABLES[layer];
      // the box kept beside a geometry, and grids' id (a version's row number, no record member), are the store's own
      const own = (c: ColumnInfo) => /^(min|max)_[xy]$/.test(c.name) || (c.name === 'id' && !columns.some((m) => m.name === 'id'));
      const stored = (db.prepare(`PRAGMA table_info(${table})`).all() as ColumnInfo[]).filter((c) => !own(c));
      expect(stored.map((c) => c.name), table).toEqual(columns.map((c) => c.name));
      for (const [k, column] of columns.entries()) {
        expect(stored[k]!.type, `${table}.${column.name}`).toBe(columnType(column, 'sqlite'));
        // the text primary key of areas and components is NOT NULL by its module, and unique by the table
        if (!stored[k]!.pk) expect(stored[k]!.notnull === 1, `${table}.${column.name} NOT NULL`).toBe(!column.nullable);
      }
    }
  });

  it('adds a column a layer module gained to a database made before it, with its default and checks', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare("INSERT INTO roads (id, name, kind, geometry, min_x, min_y, max_x, max_y) VALUES (1, '多福巷', 'hutong', '{}', 0, 0, 0, 0)").run();
    const roads = LAYER_TABLES.roads;
    const grown = {
      ...LAYER_TABLES,
      roads: {
        ...roads,
        columns: [...roads.columns, { name: 'lanes', type: 'integer', attribute: { min: 1, max: 12, default: 2 } }, { name: 'surface', type: 'text', nullable: true, attribute: {} }],
      } satisfies LayerTable,
    };
    addMissingColumns(db, grown);
    expect(db.prepare('SELECT lanes, surface FROM roads WHERE id = 1').get()).toEqual({ lanes: 2, surface: null });
    expect(() => db.prepare('UPDATE roads SET lanes = 13').run()).toThrow(/CHECK constraint failed/);
    // once there, nothing more to add
    addMissingColumns(db, grown);
    expect((db.prepare('PRAGMA table_info(roads)').all() as ColumnInfo[]).filter((c) => c.name === 'lanes')).toHaveLength(1);
    // a NOT NULL column without a constant default cannot be added to rows already stored
    expect(() => columnDefinition('roads', { name: 'width_m', type: 'real', attribute: { default: () => 7 } }, 'sqlite')).toThrow(/add it with a migration/);
  });

  it('gives PostGIS the same column, and the current_* view of its table again', () => {
    const present = new Map(LAYERS.map((layer) => [LAYER_TABLES[layer].table, new Set(LAYER_TABLES[layer].columns.map((c) => c.name))]));
    expect(missingPostgisColumns(present)).toEqual([]);
    const houses = LAYER_TABLES.houses;
    const grown = { ...LAYER_TABLES, houses: { ...houses, columns: [...houses.columns, { name: 'roof', type: 'text', values: ['flat', 'pitched'], attribute: {} }] } satisfies LayerTable };
    expect(missingPostgisColumns(present, grown)).toEqual([
      "ALTER TABLE houses ADD COLUMN roof text NOT NULL DEFAULT 'flat' CHECK (roof IN ('flat', 'pitched'))",
      "CREATE OR REPLACE VIEW current_houses AS SELECT * FROM houses WHERE status = '在用'",
    ]);
  });
});
