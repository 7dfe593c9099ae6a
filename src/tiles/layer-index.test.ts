import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { LayerIndex } from './layer-index.js';
import type { TileFeature } from './tile-features.js';

// a district-sized patch of the world near Beijing, in world coordinates
const X0 = 0.8233;
const Y0 = 0.3788;
const SPAN = 0.0002;
const ZOOMS = [14, 15, 16];

function point(id: number, x: number, y: number, rank: number): TileFeature {
  const wx = X0 + x * SPAN;
  const wy = Y0 + y * SPAN;
  return {
    key: String(id),
    id,
    tags: { code: String(id) },
    rank,
    bbox: { minX: wx, minY: wy, maxX: wx, maxY: wy },
    type: 1,
    points: Float64Array.of(wx, wy),
  };
}

const arbPoint = fc.record({ id: fc.integer({ min: 1, max: 300 }), x: fc.double({ min: 0, max: 1, noNaN: true }), y: fc.double({ min: 0, max: 1, noNaN: true }), rank: fc.integer({ min: 0, max: 6 }) });

describe('LayerIndex', () => {
  test.prop([fc.array(arbPoint, { maxLength: 150 }), fc.array(fc.tuple(arbPoint, fc.boolean()), { maxLength: 80 })], { numRuns: 200 })(
    'after any changes, compacted halfway, searches exactly like an index built from the final features (full and thinned zooms)',
    (initial, changes) => {
      const start = new Map(initial.map((p) => [String(p.id), point(p.id, p.x, p.y, p.rank)]));
      const index = new LayerIndex(start.values(), { thinnedZooms: ZOOMS });
      const final = new Map(start);
      for (const [k, [p, remove]] of changes.entries()) {
        const feature = remove ? null : point(p.id, p.x, p.y, p.rank);
        index.replace([{ key: String(p.id), feature }]);
        if (feature) final.set(feature.key, feature);
        else final.delete(String(p.id));
        // the trees rebuilt halfway through: later changes patch the rebuilt ones
        if (k === Math.floor(changes.length / 2)) for (const _ of index.compact());
      }
      const fresh = new LayerIndex(final.values(), { thinnedZooms: ZOOMS });
      const everywhere = { minX: X0 - SPAN, minY: Y0 - SPAN, maxX: X0 + 2 * SPAN, maxY: Y0 + 2 * SPAN };
      const half = { minX: X0, minY: Y0, maxX: X0 + SPAN / 2, maxY: Y0 + SPAN / 2 };
      for (const z of [...ZOOMS, 17]) {
        for (const box of [everywhere, half]) {
          expect(index.search(box, z).map((f) => f.key), `z${z}`).toEqual(fresh.search(box, z).map((f) => f.key));
        }
      }
      expect(index.size).toBe(final.size);
    },
  );
});
