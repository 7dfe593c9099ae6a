import type { ApiKeyLookup } from '../auth/api-keys.js';
import type { Store } from '../store/store.js';
import type { FeatureWriter } from './feature-writer.js';
import type { GridRedraw } from './grid-redraw.js';

/** What the write endpoints need; a server without it (read-only) answers writes with 405. */
export interface WriteApi {
  store: Store;
  writer: FeatureWriter;
  grids: GridRedraw;
  /** brings tiles and geocoders up to date with what was just committed; resolves when they are */
  afterWrite(): Promise<void>;
  /** counts a committed write for /metrics */
  onWrite?(layer: string, op: string): void;
  /** how long a write waits for another writer (an import) before answering 503 (default: config.ts) */
  writeWaitMs?: number;
  /** commits a write elsewhere than in `store` (a PostGIS replica: postgis/write-through.ts); default: in `store`, waiting for another writer */
  commit?<T>(work: () => T): Promise<T>;
}

/** Write endpoints with the key lookup that guards them. */
export type GuardedWriteApi = WriteApi & { findKey: ApiKeyLookup };
