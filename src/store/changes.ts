import type Database from 'better-sqlite3';
import type { BBox } from '../geo/bbox.js';
import type { Layer } from '../model.js';

/** One logged change: a record of `layer` identified by `key` was written; `bbox` is where it now lies. */
export interface StoreChange {
  seq: number;
  /** ISO timestamp of the write */
  at: string;
  layer: Layer;
  /** the record's key: code (areas, components), id (houses, addresses, roads), `scheme:code` (grids) */
  key: string;
  bbox: BBox;
}

/** The change-log key of a grid: a grid is identified by scheme and code across its versions. */
export function gridChangeKey(scheme: string, code: string): string {
  return `${scheme}:${code}`;
}

export function logChange(db: Database.Database, layer: Layer, key: string, bbox: BBox): void {
  db.prepare('INSERT INTO changes (at, layer, key, min_x, min_y, max_x, max_y) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    new Date().toISOString(),
    layer,
    key,
    bbox.minX,
    bbox.minY,
    bbox.maxX,
    bbox.maxY,
  );
}

/** Changes after `seq`, oldest first, at most `limit`. */
export function changesSince(db: Database.Database, seq: number, limit = 10_000): StoreChange[] {
  const rows = db
    .prepare('SELECT seq, at, layer, key, min_x, min_y, max_x, max_y FROM changes WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(seq, limit) as { seq: number; at: string; layer: Layer; key: string; min_x: number; min_y: number; max_x: number; max_y: number }[];
  return rows.map((r) => ({ seq: r.seq, at: r.at, layer: r.layer, key: r.key, bbox: { minX: r.min_x, minY: r.min_y, maxX: r.max_x, maxY: r.max_y } }));
}

/** The newest change's sequence number (0 for none). */
export function lastChangeSeq(db: Database.Database): number {
  return (db.prepare('SELECT max(seq) FROM changes').pluck().get() as number | null) ?? 0;
}
