import type Database from 'better-sqlite3';
import type { BBox } from '../geo/bbox.js';
import type { Layer } from '../model.js';

/** What a change did: created, updated (retired: a status change to 废弃), or a new grid version. */
export type ChangeOp = 'create' | 'update' | 'retire' | 'version';

/** One logged change: a record of `layer` identified by `key` was written; `bbox` is where it now lies. */
export interface StoreChange {
  seq: number;
  /** ISO timestamp of the write */
  at: string;
  /** who: an API key's name, or `import` for `wangge import` */
  actor: string;
  op: ChangeOp;
  layer: Layer;
  /** the record's key: code (areas, components), id (houses, addresses, roads, pois, aliases), `scheme:code` (grids) */
  key: string;
  /** empty (min +∞, max −∞) for a layer without geometry (aliases) */
  bbox: BBox;
  /** the stored row before (null for a create) and after, columns as in the database */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export type NewChange = Omit<StoreChange, 'seq' | 'at'>;

/** The change-log key of a grid: a grid is identified by scheme and code across its versions. */
export function gridChangeKey(scheme: string, code: string): string {
  return `${scheme}:${code}`;
}

// prepared once per connection: an import logs a change for every feature it writes
const insertChange = new WeakMap<Database.Database, Database.Statement>();

export function logChange(db: Database.Database, change: NewChange): void {
  let statement = insertChange.get(db);
  if (statement === undefined) {
    statement = db.prepare('INSERT INTO changes (at, actor, op, layer, key, before, after, min_x, min_y, max_x, max_y) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insertChange.set(db, statement);
  }
  statement.run(
    new Date().toISOString(),
    change.actor,
    change.op,
    change.layer,
    change.key,
    change.before === null ? null : JSON.stringify(change.before),
    change.after === null ? null : JSON.stringify(change.after),
    change.bbox.minX,
    change.bbox.minY,
    change.bbox.maxX,
    change.bbox.maxY,
  );
}

interface ChangeRow {
  seq: number;
  at: string;
  actor: string;
  op: ChangeOp;
  layer: Layer;
  key: string;
  before: string | null;
  after: string | null;
  min_x: number;
  min_y: number;
  max_x: number;
  max_y: number;
}

/** Changes after `seq`, oldest first, at most `limit`. */
export function changesSince(db: Database.Database, seq: number, limit = 10_000): StoreChange[] {
  const rows = db.prepare('SELECT * FROM changes WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as ChangeRow[];
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    op: r.op,
    layer: r.layer,
    key: r.key,
    bbox: { minX: r.min_x, minY: r.min_y, maxX: r.max_x, maxY: r.max_y },
    before: r.before === null ? null : (JSON.parse(r.before) as Record<string, unknown>),
    after: r.after === null ? null : (JSON.parse(r.after) as Record<string, unknown>),
  }));
}

/** The newest change's sequence number (0 for none). */
export function lastChangeSeq(db: Database.Database): number {
  return (db.prepare('SELECT max(seq) FROM changes').pluck().get() as number | null) ?? 0;
}
