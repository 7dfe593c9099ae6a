import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../store/store.js';
import { defaultDistrictAt } from './district-file.js';

/** A freshly generated default district in a temporary folder, for one test file. */
export interface TestDistrict {
  dir: string;
  store: Store;
  /** closes the store and removes the folder */
  remove(): void;
}

/** Builds the default district (~4 s) into a new temporary folder named after `name` and opens it. */
export function openTestDistrict(name: string, options: { readonly?: boolean } = {}): TestDistrict {
  const dir = mkdtempSync(join(tmpdir(), `wangge-${name}-`));
  defaultDistrictAt(join(dir, 'district.db'));
  const store = Store.open(join(dir, 'district.db'), options);
  return {
    dir,
    store,
    remove: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
