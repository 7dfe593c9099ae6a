import type Database from 'better-sqlite3';
import { addMissingColumns } from './schema-columns.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records the last one applied.
 * Never edit a released migration: add the next one.
 * Geometries are GeoJSON text (WGS84, RFC 7946 winding) with their bounding box in
 * min_x/min_y/max_x/max_y so indexes can be built without parsing every row.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'areas, grids with history, components, houses, addresses, roads',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE admin_areas (
        code TEXT PRIMARY KEY,
        level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')),
        name TEXT NOT NULL,
        parent_code TEXT,
        geometry TEXT NOT NULL,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX admin_areas_parent ON admin_areas (parent_code);

      CREATE TABLE grids (
        id INTEGER PRIMARY KEY,
        scheme TEXT NOT NULL CHECK (scheme IN ('unit', 'social')),
        code TEXT NOT NULL,
        dynamic_code TEXT,
        name TEXT NOT NULL,
        community_code TEXT NOT NULL,
        geometry TEXT NOT NULL,
        area_m2 REAL NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL,
        UNIQUE (scheme, code, valid_from),
        CHECK (valid_to IS NULL OR valid_to > valid_from),
        CHECK ((scheme = 'social') = (dynamic_code IS NOT NULL))
      );
      -- one current version per grid; closed versions stay as history
      CREATE UNIQUE INDEX grids_current ON grids (scheme, code) WHERE valid_to IS NULL;
      CREATE INDEX grids_community ON grids (community_code);

      CREATE TABLE components (
        code TEXT PRIMARY KEY,
        major TEXT NOT NULL,
        minor TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('完好', '破损', '丢失', '占用', '废弃')),
        dept_main TEXT NOT NULL,
        dept_owner TEXT,
        dept_maintain TEXT,
        initial_date TEXT NOT NULL,
        change_date TEXT,
        data_source TEXT,
        geometry TEXT NOT NULL,
        unit_grid_code TEXT,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX components_unit_grid ON components (unit_grid_code);
      CREATE INDEX components_class ON components (major, minor);

      CREATE TABLE houses (
        id INTEGER PRIMARY KEY,
        geometry TEXT NOT NULL,
        floors INTEGER NOT NULL CHECK (floors >= 0),
        floors_below INTEGER NOT NULL CHECK (floors_below >= 0),
        height_m REAL NOT NULL CHECK (height_m >= 0),
        use TEXT NOT NULL,
        year_built INTEGER,
        households INTEGER NOT NULL CHECK (households >= 0),
        address TEXT,
        unit_grid_code TEXT,
        social_static_code TEXT,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX houses_unit_grid ON houses (unit_grid_code);

      CREATE TABLE addresses (
        id INTEGER PRIMARY KEY,
        road TEXT NOT NULL,
        number INTEGER NOT NULL CHECK (number > 0),
        compound INTEGER NOT NULL CHECK (compound IN (0, 1)),
        building INTEGER,
        unit INTEGER,
        geometry TEXT NOT NULL,
        house_id INTEGER,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX addresses_road ON addresses (road, number);
      CREATE INDEX addresses_house ON addresses (house_id);

      CREATE TABLE roads (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('main', 'hutong')),
        geometry TEXT NOT NULL,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX roads_name ON roads (name);
    `,
  },
  {
    version: 2,
    description: 'change log: which record of which layer changed, and where',
    // append-only; a running server reads it to refresh its indexes and drop exactly the tiles
    // a change touches. Bulk builds of a fresh database are not logged.
    sql: `
      CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        layer TEXT NOT NULL,
        key TEXT NOT NULL,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'change log says who, what and before/after; houses and addresses retire; API keys scoped to an area or grid',
    sql: `
      ALTER TABLE changes ADD COLUMN actor TEXT NOT NULL DEFAULT 'import';
      ALTER TABLE changes ADD COLUMN op TEXT NOT NULL DEFAULT 'upsert';
      -- the record as JSON (wangge export property names) before and after; null before a create
      ALTER TABLE changes ADD COLUMN before TEXT;
      ALTER TABLE changes ADD COLUMN after TEXT;

      -- houses and door plates are retired, never deleted (四级管理 keeps the record)
      ALTER TABLE houses ADD COLUMN status TEXT NOT NULL DEFAULT '在用' CHECK (status IN ('在用', '废弃'));
      ALTER TABLE houses ADD COLUMN retired_on TEXT;
      ALTER TABLE addresses ADD COLUMN status TEXT NOT NULL DEFAULT '在用' CHECK (status IN ('在用', '废弃'));
      ALTER TABLE addresses ADD COLUMN retired_on TEXT;

      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        -- a district, street or community code (6/9/12 digits) or a social grid static code (16)
        scope TEXT NOT NULL,
        -- SHA-256 of the secret, hex; the secret itself is shown once and never stored
        secret_hash TEXT NOT NULL UNIQUE,
        -- the secret's first characters, so a listed key can be recognised
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
    `,
  },
  {
    version: 4,
    description: 'named places (pois) and other names of areas and roads (aliases)',
    sql: `
      CREATE TABLE pois (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (name <> ''),
        -- other names, a JSON array of text ('[]' for none)
        aliases TEXT NOT NULL DEFAULT '[]',
        category TEXT NOT NULL CHECK (category <> ''),
        geometry TEXT NOT NULL,
        address TEXT,
        unit_grid_code TEXT,
        social_static_code TEXT,
        min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL
      );
      CREATE INDEX pois_name ON pois (name);

      -- attributes only: an alias names an area or road that has its own geometry
      CREATE TABLE aliases (
        id INTEGER PRIMARY KEY,
        alias TEXT NOT NULL CHECK (alias <> ''),
        level TEXT NOT NULL CHECK (level IN ('district', 'street', 'community', 'road')),
        canonical TEXT NOT NULL CHECK (canonical <> ''),
        code TEXT,
        valid_from TEXT,
        valid_to TEXT,
        note TEXT,
        CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_to > valid_from)
      );
      CREATE INDEX aliases_alias ON aliases (alias);
    `,
  },
  {
    version: 5,
    description: 'houses by social grid: a grid redraw reassigns the houses of the grids it changes without reading every house',
    sql: `
      CREATE INDEX houses_social_grid ON houses (social_static_code);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings a database up to the newest schema, each migration in its own transaction, then adds
 * the layer columns the migrations do not have yet (schema-columns.ts).
 */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema v${current} is newer than this wangge (v${SCHEMA_VERSION}); upgrade wangge`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  db.transaction(() => addMissingColumns(db))();
}
