import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-helpers/run-cli.js';
import { noisyAddresses } from '../../geocode/test-helpers/address-noise.js';
import { districtDatabase, testPostgres } from '../../test-helpers/postgres.js';
import { seededRandom } from '../../test-helpers/seeded-random.js';
import { generatedDistricts } from '../build-district.js';
import { connectPostgis } from './postgis.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

// issue 10, point 1: every command takes --store postgres://…; a command on PostGIS gives what
// the same command gives on a SQLite file of the same district, and an import is in PostGIS after
describe.skipIf(!testPostgres)('the one-shot commands with --store postgres://…', () => {
  let dir: string;
  let db: string;
  let url: string;
  let drop: () => Promise<void>;
  let sql: ReturnType<typeof connectPostgis>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wangge-store-commands-'));
    db = join(dir, 'district.db');
    ({ url, drop } = await districtDatabase('commands'));
    defaultDistrictAt(db);
    sql = connectPostgis(url, { max: 1 });
  }, 240_000);

  afterAll(async () => {
    await sql?.end();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The command on the file and on PostGIS, writing -o into two files; both outputs, read back. */
  async function onBoth(args: string[], output: string): Promise<[string, string]> {
    const answers: string[] = [];
    for (const [name, database] of [['file', ['--db', db]], ['postgis', ['--store', url]]] as const) {
      const path = join(dir, `${name}-${output}`);
      const run = await runCli([...args, '-o', path, ...database]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      answers.push(readFileSync(path, 'utf8'));
    }
    return answers as [string, string];
  }

  it('export, reverse and geocode answer byte for byte as on the SQLite file', async () => {
    for (const layer of ['areas', 'pois', 'roads'] as const) {
      const [file, postgis] = await onBoth(['export', '--layer', layer, '--format', 'ndjson'], `${layer}.ndjson`);
      expect(postgis.length, layer).toBeGreaterThan(1000);
      expect(postgis, layer).toBe(file);
    }
    const random = seededRandom(3);
    const points = Array.from({ length: 500 }, (_, i) => `${i},${(116.38 + random() * 0.06).toFixed(6)},${(39.87 + random() * 0.08).toFixed(6)}`);
    writeFileSync(join(dir, 'points.csv'), `id,lng,lat\n${points.join('\n')}\n`);
    const [reverseFile, reversePostgis] = await onBoth(['reverse', join(dir, 'points.csv')], 'reverse.csv');
    expect(reversePostgis.split('\n').length).toBe(502);
    expect(reversePostgis).toBe(reverseFile);

    const district = [...generatedDistricts().districts][0]!;
    const addresses = noisyAddresses(district, 300, 7).map((a, i) => `${i},"${a.text}"`);
    writeFileSync(join(dir, 'addresses.csv'), `id,address\n${addresses.join('\n')}\n`);
    const [geocodeFile, geocodePostgis] = await onBoth(['geocode', join(dir, 'addresses.csv')], 'geocode.csv');
    expect(geocodePostgis.split('\n').length).toBe(302);
    expect(geocodePostgis).toBe(geocodeFile);
  }, 120_000);

  it('tiles export cuts the same tiles from PostGIS', async () => {
    const runs = await Promise.all(
      (['file', 'postgis'] as const).map(async (name) => {
        const run = await runCli(['tiles', 'export', '--minzoom', '10', '--maxzoom', '13', '-o', join(dir, `${name}.mbtiles`), ...(name === 'file' ? ['--db', db] : ['--store', url])]);
        expect(run.code, run.stderr).toBe(0);
        return run.stderr.match(/wrote \d+ tiles of \w+ z10–13 \(\d+ of \d+ empty[^)]*\)/)?.[0];
      }),
    );
    expect(runs[0]).toBeDefined();
    expect(runs[1]).toBe(runs[0]);
  }, 120_000);

  it('import --store writes the features into PostGIS, logged as import; an invalid file writes nothing', async () => {
    const lamps = [0, 1, 2].map((k) => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [116.4071 + k * 1e-4, 39.9139] },
      properties: { code: `1101010119${900_100 + k}`, major: '01', minor: '19', name: `测试路灯${k}`, status: '完好', dept_main: '区城市管理委员会', initial_date: '2026-12-07' },
    }));
    writeFileSync(join(dir, 'lamps.geojson'), JSON.stringify({ type: 'FeatureCollection', features: lamps }));
    const imported = await runCli(['import', '--layer', 'components', join(dir, 'lamps.geojson'), '--store', url]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/wrote 3 changes/);
    const rows = await sql<{ code: string; name: string; unit_grid_code: string | null }[]>`SELECT code, name, unit_grid_code FROM components WHERE code = ANY(${lamps.map((l) => l.properties.code)}) ORDER BY code`;
    expect(rows.map((r) => r.name)).toEqual(['测试路灯0', '测试路灯1', '测试路灯2']);
    // the import derived each lamp's unit grid on the copy, as on a file
    expect(rows.every((r) => r.unit_grid_code?.startsWith('110101'))).toBe(true);
    const logged = await sql<{ actor: string }[]>`SELECT actor FROM changes WHERE key = ${lamps[0]!.properties.code}`;
    expect(logged.map((l) => l.actor)).toEqual(['import']);

    const [{ before }] = (await sql`SELECT count(*) AS before FROM components`) as unknown as [{ before: number }];
    const bad = [{ ...lamps[0]!, properties: { ...lamps[0]!.properties, code: '1101010119900199' } }, { ...lamps[1]!, geometry: { type: 'Point', coordinates: [500, 39.9] } }];
    writeFileSync(join(dir, 'bad.geojson'), JSON.stringify({ type: 'FeatureCollection', features: bad }));
    const refused = await runCli(['import', '--layer', 'components', join(dir, 'bad.geojson'), '--store', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing was imported/);
    const [{ after }] = (await sql`SELECT count(*) AS after FROM components`) as unknown as [{ after: number }];
    expect(after).toBe(before);
  }, 120_000);

  it('a database that cannot be reached is a clear error, with the password left out', async () => {
    const run = await runCli(['export', '--layer', 'areas', '--store', 'postgres://someone:hunter2@127.0.0.1:9/nowhere']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot read postgres:\/\/someone:\*+@127\.0\.0\.1:9\/nowhere/);
    expect(run.stderr).not.toContain('hunter2');
  });
});
