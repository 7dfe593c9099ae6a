import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redrawDay, redrawPairs, redrawRequest } from '../http/test-helpers/grid-redraws.js';
import { openTestDistrict, type TestDistrict } from '../test-helpers/test-district.js';
import type { Writer } from './feature-writer.js';
import { GridRedraw } from './grid-redraw.js';
import { planRedraw } from './redraw-plan.js';

// A redraw through the API is prepared, planned on a worker thread and applied (redraw-thread.ts):
// what it read may change in between, and then it must not be written.

let district: TestDistrict;
const by: Writer = { name: '东城区网格化服务管理中心', scope: '110101', authorize: () => {} };

beforeAll(() => {
  district = openTestDistrict('grid-redraw');
}, 120_000);
afterAll(() => district?.remove());

describe('GridRedraw in steps', () => {
  it('applies a plan made from what was prepared, as one redraw would', () => {
    const redraws = new GridRedraw(district.store);
    const [pair] = redrawPairs(district.store, 1);
    const { staticCode, body } = redrawRequest(pair!, 0, redrawDay(0));
    const prepared = redraws.prepare(staticCode, body, by);
    const result = redraws.apply(prepared, planRedraw(prepared.input), by);
    expect(result.grid.code).toBe(pair!.first.code);
    expect(result.grid.dynamicCode).not.toBe(pair!.first.dynamicCode);
    expect(result.neighbours.map((g) => g.code)).toEqual([pair!.second.code]);
    expect(district.store.getGrid('social', staticCode)!.dynamicCode).toBe(result.grid.dynamicCode);
  });

  it('refuses with 409 a plan whose grids got new versions while it was being planned, and writes nothing', () => {
    const redraws = new GridRedraw(district.store);
    const [, pair] = redrawPairs(district.store, 2);
    const first = redrawRequest(pair!, 0, redrawDay(1));
    const prepared = redraws.prepare(first.staticCode, first.body, by);
    const plan = planRedraw(prepared.input);
    // another writer redraws the neighbour meanwhile
    const other = redraws.redraw(pair!.second.code, { geometry: pair!.second.geometry, valid_from: redrawDay(2) }, by);
    expect(() => redraws.apply(prepared, plan, by)).toThrow(`social grid ${pair!.second.code} got a new version while this redraw was being planned; send the redraw again`);
    expect(district.store.getGrid('social', pair!.first.code)!.dynamicCode).toBe(pair!.first.dynamicCode);
    expect(district.store.getGrid('social', pair!.second.code)!.dynamicCode).toBe(other.grid.dynamicCode);
  });
});
