import { existsSync, rmSync } from 'node:fs';
import { DEFAULT_DISTRICT_OPTIONS, generateDistrict, type GeneratedDistrict } from '../ingest/generate/district.js';
import { loadGeneratorInputs } from '../ingest/generate/inputs.js';
import { LAYERS, type Layer } from '../model.js';
import type { LayerRecord } from './rows.js';
import { commitPart, partPathOf, removeStaleParts } from './part-file.js';
import { Store, type StoreCounts } from './store.js';

export interface BuildOptions {
  seed?: number;
  /** lay out this many districts side by side (`--scale`) */
  scale?: number;
  onProgress?: (message: string) => void;
}

/** A generated district's records of one layer (its fields are named after the layers). */
export function recordsOf<L extends Layer>(district: GeneratedDistrict, layer: L): LayerRecord<L>[] {
  // TypeScript does not relate the field's type to L's record type; the field names are the layers
  return district[layer] as unknown as LayerRecord<L>[];
}

/**
 * The districts a build lays out (`scale` copies side by side, ids running on from one copy to
 * the next), generated one at a time as they are asked for, and the `generator` meta value that
 * records how. `onProgress` hears of each copy once it is generated.
 */
export function generatedDistricts(options: BuildOptions = {}): { districts: Generator<GeneratedDistrict>; meta: string } {
  const seed = options.seed ?? DEFAULT_DISTRICT_OPTIONS.seed;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale must be a whole number ≥ 1, got ${scale}`);
  const inputs = loadGeneratorInputs();
  function* districts(): Generator<GeneratedDistrict> {
    const next = { road: 1, house: 1, address: 1, poi: 1 };
    for (let copy = 0; copy < scale; copy++) {
      const district = generateDistrict(inputs, { ...DEFAULT_DISTRICT_OPTIONS, seed, copy, firstIds: { ...next } });
      next.road += district.roads.length;
      next.house += district.houses.length;
      next.address += district.addresses.length;
      next.poi += district.pois.length;
      options.onProgress?.(
        `district ${copy + 1}/${scale}: ${district.grids.length} grids, ${district.houses.length} houses, ${district.components.length} components, ${district.pois.length} places`,
      );
      yield district;
    }
  }
  return { districts: districts(), meta: JSON.stringify({ seed, scale, inputs: inputs.divisions.source }) };
}

/**
 * Generates the default district (Dongcheng) into a new database at `path`. It is built in a
 * temporary file and renamed into place, so a crash never leaves a half-built database behind.
 */
export function buildDistrictDatabase(path: string, options: BuildOptions = {}): StoreCounts {
  const temporary = partPathOf(path);
  removeStaleParts(path);
  rmSync(temporary, { force: true });
  const store = Store.open(temporary, { bulk: true });
  try {
    const generated = generatedDistricts(options);
    for (const district of generated.districts) {
      store.transaction(() => {
        for (const layer of LAYERS) store.insert(layer, recordsOf(district, layer));
      });
    }
    store.setMeta('generator', generated.meta);
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
