import type { Geometry } from 'geojson';
import { pointInPolygon } from '../geo/pip.js';
import { representativePoint } from '../ingest/layer-records.js';
import type { AreaGeometry } from '../model.js';
import { changesSince, type StoreChange } from '../store/changes.js';
import type { Store } from '../store/store.js';
import { scopeArea } from './scope-area.js';
import { scopeLevel } from './scope.js';

/** A change as a reader sees it: where it lies is not shown, and `actor` only to a district key. */
export type VisibleChange = Omit<StoreChange, 'bbox' | 'actor'> & { actor: string | null };

/** A page of the change log; `next` is the `since` of the following page, null after the last. */
export interface ChangeLogPage {
  changes: VisibleChange[];
  next: number | null;
}

// rows read for one page at most, as many as the largest page (~25 ms): a page of one street's
// changes behind a district-wide import ends early, with `next` to go on from, instead of
// parsing the whole import in one request
const MAX_SCANNED = 1_000;
const BATCH = 250;

/**
 * The changes after `since` that `reader` may see, oldest first, at most `limit`. A key sees the
 * changes made inside its scope: those whose feature's representative point (the point writes
 * assign grids by) lay in the scope's area before or lies there after; changes to records without
 * geometry (aliases) only a district key sees. Without a key (reads are open) every change is
 * seen. Key holders' names (`actor`) are shown to district keys only, `null` to everyone else.
 * @example changeLogPage(store, streetKey, 0, 100) // { changes: [...its street's changes], next: 1834 }
 */
export function changeLogPage(store: Store, reader: { scope: string } | null, since: number, limit: number): ChangeLogPage {
  const area = reader === null ? null : scopeArea(store, reader.scope);
  const district = reader !== null && scopeLevel(reader.scope) === 'district';
  const seen = (change: StoreChange): boolean => reader === null || madeIn(change, area, district);
  const changes: VisibleChange[] = [];
  let cursor = since;
  let scanned = 0;
  for (;;) {
    const wanted = reader === null ? limit - changes.length : Math.min(BATCH, MAX_SCANNED - scanned);
    const batch = changesSince(store.db, cursor, wanted);
    for (const change of batch) {
      cursor = change.seq;
      scanned++;
      if (!seen(change)) continue;
      const { bbox: _bbox, actor, ...rest } = change;
      changes.push({ ...rest, actor: district ? actor : null });
      if (changes.length === limit) return { changes, next: cursor };
    }
    if (batch.length < wanted) return { changes, next: null };
    if (scanned >= MAX_SCANNED) return { changes, next: cursor };
  }
}

/** Whether a change was made inside a scope's area: its record lay there before or lies there after. */
function madeIn(change: StoreChange, area: AreaGeometry | null, district: boolean): boolean {
  return [change.before, change.after].some((row) => {
    const geometry = row?.geometry as Geometry | null | undefined;
    if (geometry === null || geometry === undefined) return row !== null && district;
    // a scope no longer stored covers nothing
    if (area === null) return false;
    const [x, y] = representativePoint(geometry as Parameters<typeof representativePoint>[0]);
    return pointInPolygon(x!, y!, area);
  });
}
