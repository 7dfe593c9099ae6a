import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import { watchChanges } from './change-watcher.js';
import type { StoreChange } from './changes.js';

let district: TestDistrict;

beforeAll(() => {
  district = openTestDistrict('change-watcher');
}, 120_000);
afterAll(() => district?.remove());

describe('watchChanges', () => {
  it('hands every write to the listener by the time poll(true) resolves, also after polls that found nothing', async () => {
    const { store } = district;
    const seen: StoreChange[] = [];
    const watcher = watchChanges(store, (changes) => void seen.push(...changes), { intervalMs: 60_000 });
    try {
      // nothing new: these drains end at once
      await watcher.poll(true);
      await watcher.poll(true);
      const component = [...store.iterate('components')][0]!;
      for (const name of ['一', '二', '三']) {
        store.upsert('components', [{ ...component, name: `${component.name}${name}` }]);
        await watcher.poll(true);
        expect(seen.at(-1)?.after?.name).toBe(`${component.name}${name}`);
      }
      expect(seen).toHaveLength(3);
    } finally {
      watcher.stop();
    }
  }, 60_000);
});
