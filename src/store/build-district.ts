import { existsSync, rmSync } from 'node:fs';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import { commitPart, partPathOf, removeStaleParts } from './part-file.js';
import { Store, type StoreCounts } from './store.js';

export interface BuildOptions {
  seed?: number;
  /** lay out this many districts side by side (`--scale`) */
  scale?: number;
  onProgress?: (message: string) => void;
}

/**
 * Generates the default district (Dongcheng) into a new database at `path`. It is built in a
 * temporary file and renamed into place, so a crash never leaves a half-built database behind.
 */
export function buildDistrictDatabase(path: string, options: BuildOptions = {}): StoreCounts {
  const seed = options.seed ?? DEFAULT_DISTRICT_OPTIONS.seed;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a whole number ≥ 1, got ${scale}`);
  const inputs = loadGeneratorInputs();
  const temporary = partPathOf(path);
  removeStaleParts(path);
  rmSync(temporary, { force: true });
  const store = Store.open(temporary, { bulk: true });
  try {
    const next = { road: 1, house: 1, address: 1, poi: 1 };
    for (let copy = 0; copy < scale; copy++) {
      const district = generateDistrict(inputs, { ...DEFAULT_DISTRICT_OPTIONS, seed, copy, firstIds: { ...next } });
      store.transaction(() => {
        store.insert('areas', district.areas);
        store.insert('grids', district.grids);
        store.insert('roads', district.roads);
        store.insert('houses', district.houses);
        store.insert('addresses', district.addresses);
        store.insert('components', district.components);
        store.insert('pois', district.pois);
        store.insert('aliases', district.aliases);
      });
      next.road += district.roads.length;
      next.house += district.houses.length;
      next.address += district.addresses.length;
      next.poi += district.pois.length;
      options.onProgress?.(
        `district ${copy + 1}/${scale}: ${district.grids.length} grids, ${district.houses.length} houses, ${district.components.length} components, ${district.pois.length} places`,
      );
    }
    store.setMeta('generator', JSON.stringify({ seed, scale, inputs: inputs.divisions.source }));
    const counts = store.counts();
    store.close();
    // an old database's side files would be replayed onto the new one
    for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) if (existsSync(file)) rmSync(file);
    commitPart(temporary, path);
    return counts;
  } catch (error) {
    store.close();
    rmSync(temporary, { force: true });
    throw error;
  }
}
