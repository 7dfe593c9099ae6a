import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveChild, type ServedChild } from '../cli/test-helpers/serve-child.js';
import { defaultDistrictAt } from '../test-helpers/district-file.js';
import { decodeTile } from '../tiles/test-helpers/decode-tile.js';
import { worldX, worldY } from '../tiles/tile-coords.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// issue 10, point 5: a field is added to a layer by editing that layer's module alone — a line in
// its table and the member in its record type, beside each other in src/layers/houses.ts — and
// it reaches the database (both engines' columns; here SQLite, added to a database made before),
// import, export, the API's features, its OpenAPI document and write validation, and the tiles.
// The test makes that edit in a copy of the sources, builds the copy with tsc (the record type
// and the table must agree, or it does not build) and runs the copy's CLI and server.
describe('a field added to one layer module', () => {
  let dir: string;
  let copy: string;
  let db: string;
  let server: ServedChild | undefined;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(copy, 'bin', 'wangge.js'), ...args, '--db', db], { encoding: 'utf8', timeout: 120_000 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wangge-added-field-'));
    copy = join(dir, 'wangge');
    for (const part of ['src', 'bin', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    for (const part of ['node_modules', 'data']) symlinkSync(join(ROOT, part), join(copy, part));
    const module = join(copy, 'src', 'layers', 'houses.ts');
    const before = readFileSync(module, 'utf8');
    const after = before
      // optional: the district generator, and rows stored before, have none (null when stored)
      .replace('  address: string | null;\n', '  address: string | null;\n  roofColor?: string | null;\n')
      .replace(
        "    { name: 'unit_grid_code'",
        "    { name: 'roof_color', type: 'text', nullable: true, description: 'colour of the roof', attribute: { maxLength: 20, tile: 'full detail' } },\n    { name: 'unit_grid_code'",
      );
    // the two places the edit goes exist as the test expects
    expect(after.split('\n').length).toBe(before.split('\n').length + 2);
    writeFileSync(module, after);
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(copy, 'tsconfig.build.json')], { encoding: 'utf8', timeout: 180_000 });
    expect(build.stdout + build.stderr, 'the copy builds').toBe('');
    // a database made by today's wangge, without the column: the copy adds it when it opens it
    db = join(dir, 'district.db');
    defaultDistrictAt(db);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is imported and exported, served, documented, written through the API and drawn in the tiles', async () => {
    // import: a house with the new property, and one with a value the field's rules refuse
    const ring = [[116.4101, 39.9101], [116.4104, 39.9101], [116.4104, 39.9103], [116.4101, 39.9103], [116.4101, 39.9101]];
    const house = (id: number, roof: unknown) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { id, floors: 4, use: '住宅', roof_color: roof } });
    const file = join(dir, 'houses.ndjson');
    writeFileSync(file, `${JSON.stringify(house(900001, '青灰'))}\n`);
    const imported = cli('import', '--layer', 'houses', file);
    expect(imported.status, imported.stderr).toBe(0);
    writeFileSync(file, `${JSON.stringify(house(900002, { colour: 'red' }))}\n`);
    const refused = cli('import', '--layer', 'houses', file);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/roof_color must be text/);

    // export: the property, as the import named it
    const exported = cli('export', '--layer', 'houses', '--format', 'ndjson', '-o', join(dir, 'out.ndjson'));
    expect(exported.status, exported.stderr).toBe(0);
    const line = readFileSync(join(dir, 'out.ndjson'), 'utf8').split('\n').find((l) => l.includes('"id":900001'));
    expect(JSON.parse(line!).properties.roof_color).toBe('青灰');

    // the API: the feature, the OpenAPI document, and a write that sets it (validated by its rules)
    const key = cli('keys', 'create', '--scope', '110101', '--name', 'added-field-test');
    expect(key.status, key.stderr).toBe(0);
    const secret = key.stdout.trim();
    server = await serveChild(['--db', db], { bin: join(copy, 'bin', 'wangge.js'), timeoutMs: 120_000 });
    const got = (await (await fetch(`${server.url}/v1/houses/900001`)).json()) as { properties: Record<string, unknown> };
    expect(got.properties.roof_color).toBe('青灰');
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
    expect(openapi.components.schemas.HouseFeature.properties.properties.properties.roof_color).toEqual({ type: ['string', 'null'], description: 'colour of the roof' });
    const patch = (value: unknown) =>
      fetch(`${server!.url}/v1/houses/900001`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ properties: { roof_color: value } }),
      });
    const tooLong = await patch('红'.repeat(21));
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { detail: string }).detail).toMatch(/roof_color/);
    const patched = await patch('朱红');
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(((await patched.json()) as { properties: Record<string, unknown> }).properties.roof_color).toBe('朱红');

    // the tiles: the house's tile at full detail carries it
    const z = 17;
    const [x, y] = [Math.floor(worldX(116.41025) * 2 ** z), Math.floor(worldY(39.9102) * 2 ** z)];
    const tile = await fetch(`${server.url}/tiles/houses/${z}/${x}/${y}`);
    expect(tile.status).toBe(200);
    const drawn = decodeTile(new Uint8Array(await tile.arrayBuffer())).houses!.features.find((f) => f.id === 900001);
    expect(drawn?.properties.roof_color).toBe('朱红');
  }, 240_000);
});
