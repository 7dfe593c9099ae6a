import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { Address } from '../model.js';
import { NearestAddress } from './nearest-address.js';

// plates in a ~400 m square near 东华门, so a 50 m search finds several and crosses cell borders
const X0 = 116.405;
const Y0 = 39.925;
const SPAN = 0.004;

function plate(id: number, x: number, y: number, retired: boolean): Address {
  return {
    id,
    road: '多福巷',
    number: id,
    compound: false,
    building: null,
    unit: null,
    geometry: { type: 'Point', coordinates: [X0 + x * SPAN, Y0 + y * SPAN] },
    houseId: null,
    status: retired ? '废弃' : '在用',
    retiredOn: retired ? '2026-12-07' : null,
  };
}

const spread = fc.integer({ min: 0, max: 10_000 }).map((v) => v / 10_000);
const arbPlate = fc.record({ id: fc.integer({ min: 1, max: 200 }), x: spread, y: spread, retired: fc.boolean() });

describe('NearestAddress.put', () => {
  test.prop([fc.array(arbPlate, { maxLength: 150 }), fc.array(fc.tuple(arbPlate, fc.boolean()), { maxLength: 80 }), fc.array(fc.tuple(spread, spread), { minLength: 20, maxLength: 20 })], {
    numRuns: 300,
  })('after any plates added, moved and retired answers every point as an index built from the final plates', (initial, changes, points) => {
    const start = new Map<number, Address>();
    for (const p of initial) if (!p.retired) start.set(p.id, plate(p.id, p.x, p.y, false));
    const index = new NearestAddress([...start.values()]);
    const final = new Map(start);
    for (const [p, remove] of changes) {
      const address = remove ? null : plate(p.id, p.x, p.y, p.retired);
      index.put(p.id, address);
      if (address === null || address.status === '废弃') final.delete(p.id);
      else final.set(p.id, address);
    }
    const fresh = new NearestAddress([...final.values()]);
    for (const [x, y] of points) {
      for (const radius of [20, 50, 200]) {
        const got = index.find(X0 + x * SPAN, Y0 + y * SPAN, radius);
        const want = fresh.find(X0 + x * SPAN, Y0 + y * SPAN, radius);
        expect(got && { id: got.address.id, d: got.distanceM }).toEqual(want && { id: want.address.id, d: want.distanceM });
      }
    }
  });
});
