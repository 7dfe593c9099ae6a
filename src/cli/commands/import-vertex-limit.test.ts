import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../store/store.js';
import { runCli } from '../test-helpers/run-cli.js';

// Issue 12: a 1M-vertex polygon imported without complaint, and every tile over it then cost
// 0.2–0.4 s. Features over the vertex limit are invalid (listed by number, nothing imported);
// --allow-large imports them; WANGGE_MAX_VERTICES sets the limit.

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-import-large-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GeoJSON file of one street boundary whose ring has `vertices` positions, closing one included. */
function boundary(name: string, vertices: number): string {
  const ring = Array.from({ length: vertices - 1 }, (_, k) => [116.41 + 0.01 * Math.cos((2 * Math.PI * k) / (vertices - 1)), 39.93 + 0.01 * Math.sin((2 * Math.PI * k) / (vertices - 1))]);
  const path = join(dir, name);
  const feature = { type: 'Feature', properties: { code: '110101001', name: '东华门街道' }, geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } };
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', features: [feature] }));
  return path;
}

const areas = (db: string): number => {
  const store = Store.open(db, { readonly: true });
  try {
    return [...store.iterate('areas')].length;
  } finally {
    store.close();
  }
};

describe('wangge import: vertices per feature', () => {
  it('refuses a polygon of 1,000,000 vertices by feature number and imports nothing', async () => {
    const db = join(dir, 'refused.db');
    const { code, stderr } = await runCli(['import', boundary('huge.geojson', 1_000_000), '--layer', 'areas', '--db', db]);
    expect(stderr).toContain('feature 1: geometry has 1,000,000 vertices, more than the 2,000 a feature may have (--allow-large imports it)');
    expect(code).toBe(1);
    expect(areas(db)).toBe(0);
  }, 120_000);

  it('imports it with --allow-large, and one at the limit without', async () => {
    const db = join(dir, 'allowed.db');
    const large = await runCli(['import', boundary('large.geojson', 5000), '--layer', 'areas', '--allow-large', '--db', db]);
    expect(large.stderr).toBe('');
    expect(large.code).toBe(0);
    const atLimit = await runCli(['import', boundary('limit.geojson', 2000), '--layer', 'areas', '--db', db]);
    expect(atLimit.code).toBe(0);
  }, 120_000);

  it('takes its limit from WANGGE_MAX_VERTICES', async () => {
    const { code, stderr } = await runCli(['import', boundary('small.geojson', 101), '--layer', 'areas', '--db', join(dir, 'env.db')], { WANGGE_MAX_VERTICES: '100' });
    expect(stderr).toContain('feature 1: geometry has 101 vertices, more than the 100 a feature may have');
    expect(code).toBe(1);
  }, 120_000);
});
