import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { ConflictError, StoreError } from '../errors.js';
import type { Address, AdminArea, Component, Grid, GridScheme, House, IdLayer, Layer, Poi } from '../model.js';
import { geometryBBox, type BBox } from '../geo/bbox.js';
import { gridChangeKey, logChange, type ChangeOp } from './changes.js';
import { ioFailureOf } from './io-failure.js';
import { LAYER_ROWS, gridRows, type LayerRecord, type TableMapping } from './rows.js';
import { migrate } from './schema.js';

/** Feature counts, as /health reports them. */
export interface StoreCounts {
  streets: number;
  communities: number;
  unitGrids: number;
  socialGrids: number;
  components: number;
  houses: number;
  addresses: number;
  roads: number;
}

/** The query behind each count: plain SQL that SQLite and PostgreSQL read alike. */
export const COUNT_QUERIES: Readonly<Record<keyof StoreCounts, string>> = {
  streets: "SELECT count(*) FROM admin_areas WHERE level = 'street'",
  communities: "SELECT count(*) FROM admin_areas WHERE level = 'community'",
  unitGrids: "SELECT count(*) FROM grids WHERE scheme = 'unit' AND valid_to IS NULL",
  socialGrids: "SELECT count(*) FROM grids WHERE scheme = 'social' AND valid_to IS NULL",
  components: 'SELECT count(*) FROM components',
  houses: 'SELECT count(*) FROM houses',
  addresses: 'SELECT count(*) FROM addresses',
  roads: 'SELECT count(*) FROM roads',
};

export interface OpenOptions {
  readonly?: boolean;
  /** bulk builds into a fresh file trade durability for speed (no journal); WAL is set at close */
  bulk?: boolean;
  /**
   * How long a transaction waits, blocking, for another connection's write lock before it fails
   * with BusyError (SQLite's busy timeout; default 5000). The server and `wangge import` pass 0
   * and wait between attempts instead (write-lock.ts), so the event loop stays free and the wait
   * can be reported.
   */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

type Row = Record<string, unknown>;

/** Who writes, for the change log: an API key's name, or `import`; `op` marks an update as a retirement. */
export interface ChangeAuthor {
  actor: string;
  op?: Extract<ChangeOp, 'update' | 'retire'>;
}

const IMPORT: ChangeAuthor = { actor: 'import' };

/**
 * The embedded SQLite store (better-sqlite3, WAL). Grids keep every version: a new boundary
 * closes the current row (`valid_to`) and adds one, so history is never overwritten.
 */
export class Store {
  readonly db: Database.Database;
  readonly path: string;
  private readonly bulk: boolean;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, path: string, bulk: boolean) {
    this.db = db;
    this.path = path;
    this.bulk = bulk;
  }

  static open(path: string, options: OpenOptions = {}): Store {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new StoreError(`cannot open database ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      // a migration waits for a running import like any other writer
      db.pragma(`busy_timeout = ${DEFAULT_BUSY_TIMEOUT_MS}`);
      if (!options.readonly) {
        if (options.bulk) {
          db.pragma('journal_mode = OFF');
          db.pragma('synchronous = OFF');
        } else {
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = NORMAL');
        }
        migrate(db);
      }
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
      // a readonly open must still find a wangge schema
      db.prepare('SELECT 1 FROM meta LIMIT 1').all();
    } catch (error) {
      db.close();
      throw new StoreError(`${path} is not a usable wangge database: ${(error as Error).message}`, { cause: error });
    }
    return new Store(db, path, options.bulk ?? false);
  }

  close(): void {
    if (this.bulk && this.db.open) this.db.pragma('journal_mode = WAL');
    if (this.db.open) this.db.close();
  }

  /**
   * Runs `work` in one transaction: all of it is written, or (on a throw) none of it; inside
   * another transaction, as a savepoint of it. It begins IMMEDIATE, taking the write lock before
   * `work` reads anything: a deferred one would read first and then, when another connection had
   * written meanwhile, fail at its first write at once, without waiting (SQLITE_BUSY_SNAPSHOT).
   * When another connection holds the lock beyond the busy timeout, throws BusyError having run
   * nothing, so the caller may simply try again.
   */
  transaction<T>(work: () => T): T {
    let begun = false;
    try {
      return this.db
        .transaction(() => {
          begun = true;
          return work();
        })
        .immediate();
    } catch (error) {
      if (!begun) throw ioFailureOf(error) ?? error;
      throw error;
    }
  }

  /** Inserts records as they are (ids included); fails on a duplicate key. */
  insert<L extends Layer>(layer: L, records: Iterable<LayerRecord<L>>): number {
    const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
    const statement = this.db.prepare(
      `INSERT INTO ${mapping.table} (${mapping.columns.join(', ')}) VALUES (${mapping.columns.map((c) => '@' + c).join(', ')})`,
    );
    let count = 0;
    for (const record of records) {
      statement.run(mapping.toRow(record));
      count++;
    }
    return count;
  }

  /**
   * Inserts or replaces records by their key (code for areas and components, id for the rest),
   * and logs each — who, before and after — in the change log that running servers follow.
   */
  upsert<L extends Exclude<Layer, 'grids'>>(layer: L, records: Iterable<LayerRecord<L>>, by: ChangeAuthor = IMPORT): number {
    const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
    const statement = this.prepared(
      `INSERT OR REPLACE INTO ${mapping.table} (${mapping.columns.join(', ')}) VALUES (${mapping.columns.map((c) => '@' + c).join(', ')})`,
    );
    const current = this.prepared(`SELECT ${mapping.columns.join(', ')} FROM ${mapping.table} WHERE ${mapping.key} = ?`);
    let count = 0;
    this.transaction(() => {
      for (const record of records) {
        const row = mapping.toRow(record);
        const before = (current.get(row[mapping.key]) as Row | undefined) ?? null;
        statement.run(row);
        const op = before === null ? 'create' : (by.op ?? 'update');
        logChange(this.db, { actor: by.actor, op, layer, key: String(row[mapping.key]), bbox: mapping.bbox(row), before: loggedRow(mapping, before), after: loggedRow(mapping, row) });
        count++;
      }
    });
    return count;
  }

  /**
   * Adds a grid version (and logs it). If the grid has a current version it is closed the day the
   * new one takes effect; a version that does not start after every existing one is a conflict.
   */
  addGridVersion(grid: Grid, by: ChangeAuthor = IMPORT): void {
    const latest = this.db
      .prepare('SELECT * FROM grids WHERE scheme = ? AND code = ? ORDER BY valid_from DESC LIMIT 1')
      .get(grid.scheme, grid.code) as (Row & { valid_from: string; valid_to: string | null; dynamic_code: string | null }) | undefined;
    if (latest && latest.valid_from >= grid.validFrom) {
      throw new ConflictError(
        `grid ${grid.code} already has a version from ${latest.valid_from}; a new version must start later than that (got ${grid.validFrom})`,
      );
    }
    if (latest && latest.valid_to !== null && grid.validFrom < latest.valid_to) {
      throw new ConflictError(
        `grid ${grid.code}'s latest version is valid until ${latest.valid_to}; a new version must start on or after that (got ${grid.validFrom})`,
      );
    }
    if (latest && grid.dynamicCode !== null && latest.dynamic_code === grid.dynamicCode) {
      throw new ConflictError(`grid ${grid.code} already has dynamic code ${grid.dynamicCode}; a new boundary version needs a new dynamic code`);
    }
    if (latest && latest.valid_to === null) {
      this.db.prepare('UPDATE grids SET valid_to = ? WHERE scheme = ? AND code = ? AND valid_to IS NULL').run(grid.validFrom, grid.scheme, grid.code);
    }
    this.insert('grids', [grid]);
    const before = latest ? { ...latest, valid_to: latest.valid_to ?? grid.validFrom } : null;
    logChange(this.db, {
      actor: by.actor,
      op: latest ? 'version' : 'create',
      layer: 'grids',
      key: gridChangeKey(grid.scheme, grid.code),
      bbox: geometryBBox(grid.geometry),
      before: loggedRow(gridRows, before),
      after: loggedRow(gridRows, gridRows.toRow(grid)),
    });
  }

  getArea(code: string): AdminArea | null {
    return this.one('areas', 'SELECT * FROM admin_areas WHERE code = ?', code);
  }

  /** The version of a grid valid on `at` (ISO date), or the current one. */
  /** The dynamic code of a social grid's current version (null: none), without reading its geometry. */
  currentDynamicCode(staticCode: string): string | null {
    return (this.prepared("SELECT dynamic_code FROM grids WHERE scheme = 'social' AND code = ? AND valid_to IS NULL").pluck().get(staticCode) as string | undefined) ?? null;
  }

  getGrid(scheme: GridScheme, code: string, at?: string): Grid | null {
    if (at === undefined) return this.one('grids', 'SELECT * FROM grids WHERE scheme = ? AND code = ? AND valid_to IS NULL', scheme, code);
    return this.one(
      'grids',
      'SELECT * FROM grids WHERE scheme = ? AND code = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)',
      scheme,
      code,
      at,
      at,
    );
  }

  /** A social grid version by its full static + dynamic code. */
  getSocialGridVersion(staticCode: string, dynamicCode: string): Grid | null {
    return this.one('grids', "SELECT * FROM grids WHERE scheme = 'social' AND code = ? AND dynamic_code = ?", staticCode, dynamicCode);
  }

  /** Current grids of a scheme whose boxes meet `box` (a redraw's possible neighbours), by code. */
  gridsMeeting(scheme: GridScheme, box: BBox): Grid[] {
    const rows = this.db
      .prepare('SELECT * FROM grids WHERE scheme = ? AND valid_to IS NULL AND max_x >= ? AND min_x <= ? AND max_y >= ? AND min_y <= ? ORDER BY code')
      .all(scheme, box.minX, box.maxX, box.minY, box.maxY) as Row[];
    return rows.map(gridRows.fromRow);
  }

  /**
   * Id, social grid and footprint of the houses assigned to any of the given social grids (static
   * codes) whose boxes meet `box`, by id: what a redraw needs to reassign them.
   */
  houseFootprintsInSocialGrids(staticCodes: readonly string[], box: BBox): { id: number; socialStaticCode: string; geometry: House['geometry'] }[] {
    if (staticCodes.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id, social_static_code, geometry FROM houses WHERE social_static_code IN (${staticCodes.map(() => '?').join(', ')})
         AND max_x >= ? AND min_x <= ? AND max_y >= ? AND min_y <= ? ORDER BY id`,
      )
      .raw()
      .all(...staticCodes, box.minX, box.maxX, box.minY, box.maxY) as [number, string, string][];
    return rows.map(([id, socialStaticCode, geometry]) => ({ id, socialStaticCode, geometry: JSON.parse(geometry) as House['geometry'] }));
  }

  /** Every version of a grid, oldest first. */
  gridHistory(scheme: GridScheme, code: string): Grid[] {
    const rows = this.db.prepare('SELECT * FROM grids WHERE scheme = ? AND code = ? ORDER BY valid_from').all(scheme, code) as Row[];
    return rows.map(gridRows.fromRow);
  }

  /** Every version of every grid, current and closed. */
  *iterateGridVersions(): IterableIterator<Grid> {
    for (const row of this.db.prepare('SELECT * FROM grids ORDER BY scheme DESC, code, valid_from').iterate() as IterableIterator<Row>) {
      yield gridRows.fromRow(row);
    }
  }

  /**
   * Every version of every grid, a page at a time in id order, each page read when asked for:
   * the connection stays free between pages (a rebuild reads the store in slices). A version
   * written between pages comes in a later page or not at all; the reader takes those from the
   * change log.
   */
  *gridVersionPages(size = 500): Generator<Grid[]> {
    for (let after = 0; ; ) {
      const rows = this.db.prepare('SELECT * FROM grids WHERE id > ? ORDER BY id LIMIT ?').all(after, size) as Row[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.id as number;
      yield rows.map(gridRows.fromRow);
    }
  }

  /**
   * `scan` a page at a time in rowid order, each page read when asked for: the connection stays
   * free between pages (an index rebuilt in slices). A row written between pages comes in a later
   * page or not at all; the reader takes those from the change log. Not for grids.
   */
  *scanPages(layer: Exclude<Layer, 'grids'>, columns: readonly string[], size = 5000): Generator<unknown[][]> {
    const statement = this.db.prepare(`SELECT rowid, ${columns.join(', ')} FROM ${LAYER_ROWS[layer].table} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw();
    for (let after = 0; ; ) {
      const rows = statement.all(after, size) as unknown[][];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![0] as number;
      yield rows.map((row) => row.slice(1));
    }
  }

  /** Records of a layer a page at a time in rowid order, as `scanPages` reads rows. Not for grids. */
  *recordPages<L extends Exclude<Layer, 'grids'>>(layer: L, size = 2000): Generator<LayerRecord<L>[]> {
    const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
    const statement = this.db.prepare(`SELECT rowid AS page_rowid, * FROM ${mapping.table} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
    for (let after = 0; ; ) {
      const rows = statement.all(after, size) as Row[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.page_rowid as number;
      yield rows.map((row) => mapping.fromRow(row));
    }
  }

  getComponent(code: string): Component | null {
    return this.one('components', 'SELECT * FROM components WHERE code = ?', code);
  }

  getAddress(id: number): Address | null {
    return this.one('addresses', 'SELECT * FROM addresses WHERE id = ?', id);
  }

  getHouse(id: number): House | null {
    return this.one('houses', 'SELECT * FROM houses WHERE id = ?', id);
  }

  getPoi(id: number): Poi | null {
    return this.one('pois', 'SELECT * FROM pois WHERE id = ?', id);
  }

  /** Records of a layer in key order: grids valid on `at` (current ones by default). */
  *iterate<L extends Layer>(layer: L, options: { at?: string } = {}): IterableIterator<LayerRecord<L>> {
    const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
    const statement =
      layer !== 'grids'
        ? this.db.prepare(`SELECT * FROM ${mapping.table} ORDER BY ${mapping.key}`)
        : options.at === undefined
          ? this.db.prepare('SELECT * FROM grids WHERE valid_to IS NULL ORDER BY scheme DESC, code')
          : this.db
              .prepare('SELECT * FROM grids WHERE valid_from <= @at AND (valid_to IS NULL OR valid_to > @at) ORDER BY scheme DESC, code')
              .bind({ at: options.at });
    for (const row of statement.iterate() as IterableIterator<Row>) yield mapping.fromRow(row);
  }

  /**
   * Raw rows of a layer's table with just `columns`, in storage order (grids: current versions):
   * the fast path for bulk index builds, ~3× quicker than `iterate` on large tables. Columns are
   * the table's own names (rows.ts), never user input.
   */
  *scan(layer: Layer, columns: readonly string[]): IterableIterator<unknown[]> {
    const table = LAYER_ROWS[layer].table;
    const where = layer === 'grids' ? ' WHERE valid_to IS NULL' : '';
    yield* this.db.prepare(`SELECT ${columns.join(', ')} FROM ${table}${where}`).raw().iterate() as IterableIterator<unknown[]>;
  }

  counts(): StoreCounts {
    const counts = {} as StoreCounts;
    for (const [name, sql] of Object.entries(COUNT_QUERIES)) counts[name as keyof StoreCounts] = (this.db.prepare(sql).pluck().get() as number) ?? 0;
    return counts;
  }

  /** The next free integer id of a table keyed by id. */
  nextId(layer: IdLayer): number {
    return ((this.prepared(`SELECT max(id) FROM ${layer}`).pluck().get() as number | null) ?? 0) + 1;
  }

  /** The next free component serial for a district and class. */
  nextComponentSerial(districtCode: string, major: string, minor: string): number {
    const last = this.prepared('SELECT max(code) FROM components WHERE code >= ? AND code <= ?')
      .pluck()
      .get(`${districtCode}${major}${minor}000000`, `${districtCode}${major}${minor}999999`) as string | null;
    return last === null ? 1 : Number(last.slice(10)) + 1;
  }

  getMeta(key: string): string | null {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** SHA-256 over every row of every table in key order: equal digests mean equal content. */
  contentDigest(): string {
    const hash = createHash('sha256');
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    for (const table of tables) {
      hash.update(`\u0000${table}\u0000`);
      for (const row of this.db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().iterate() as IterableIterator<unknown[]>) {
        hash.update(JSON.stringify(row));
      }
    }
    return hash.digest('hex');
  }

  /**
   * A statement prepared once per store: preparing costs more than running a one-row statement,
   * and an import runs these for every feature while it holds the write lock. Only for statements
   * always run the same way (a pluck or raw mode sticks to the statement) and never iterated.
   */
  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private one<L extends Layer>(layer: L, sql: string, ...params: unknown[]): LayerRecord<L> | null {
    const row = this.db.prepare(sql).get(...params) as Row | undefined;
    const mapping = LAYER_ROWS[layer] as unknown as TableMapping<LayerRecord<L>>;
    return row ? mapping.fromRow(row) : null;
  }
}

/** A row as the change log keeps it: its columns without the derived box (and a grid row's internal id), JSON columns parsed. */
function loggedRow(mapping: TableMapping<unknown>, row: Row | null): Row | null {
  if (row === null) return null;
  const isGrid = mapping === (gridRows as TableMapping<unknown>);
  const logged: Row = {};
  for (const [column, value] of Object.entries(row)) {
    if (/^(min|max)_[xy]$/.test(column) || (isGrid && column === 'id')) continue;
    logged[column] = mapping.jsonColumns.includes(column) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return logged;
}
