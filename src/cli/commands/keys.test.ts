import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findApiKey } from '../../auth/api-keys.js';
import { Store } from '../../store/store.js';
import { runCli } from '../test-helpers/run-cli.js';
import { defaultDistrictAt } from '../../test-helpers/district-file.js';

let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wangge-keys-'));
  db = join(dir, 'district.db');
  defaultDistrictAt(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function findKey(secret: string) {
  const store = Store.open(db, { readonly: true });
  try {
    return findApiKey(store, secret);
  } finally {
    store.close();
  }
}

describe('wangge keys', () => {
  it('creates a key whose secret is printed once and stored only as a hash, lists it and revokes it', async () => {
    const created = await runCli(['keys', 'create', '--scope', '110101001', '--name', '东华门街道分中心', '--db', db]);
    expect(created.code).toBe(0);
    const secret = created.stdout;
    expect(secret).toMatch(/^wg_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('(prefix wg_');
    expect(created.stderr).toContain('for street 110101001 东华门街道');
    expect(created.stderr).toContain('will not be shown again');
    const key = findKey(secret);
    expect(key).toMatchObject({ name: '东华门街道分中心', scope: '110101001', scopeLevel: 'street', revokedAt: null });

    // the database and its WAL hold the hash, never the secret
    const files = readdirSync(dir).filter((f) => f.startsWith('district.db'));
    for (const file of files) expect(readFileSync(join(dir, file)).includes(secret)).toBe(false);

    const listed = await runCli(['keys', 'list', '--db', db]);
    expect(listed.code).toBe(0);
    const [header, row] = listed.stdout.split('\n');
    expect(header).toMatch(/^id\s+prefix\s+name\s+scope\s+created\s+revoked$/);
    expect(row).toMatch(new RegExp(`^${key!.id}\\s+${key!.prefix}\\s+东华门街道分中心\\s+110101001 东华门街道\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+-$`));
    expect(listed.stdout).not.toContain(secret);

    const revoked = await runCli(['keys', 'revoke', key!.prefix, '--db', db]);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toMatch(/^key \d+ "东华门街道分中心" \(prefix wg_\S+, scope 110101001 东华门街道\) is revoked as of \d{4}-/);
    expect(findKey(secret)).toBeNull();
    expect((await runCli(['keys', 'list', '--db', db])).stdout.split('\n')[1]).toMatch(/Z$/);
  });

  it('scopes keys to a community and a social grid, revoking by id', async () => {
    const community = await runCli(['keys', 'create', '--scope', '110101002001', '--name', '景山街道社区', '--db', db]);
    expect(community.code).toBe(0);
    expect(community.stderr).toMatch(/for community 110101002001 \S+社区/);
    const grid = await runCli(['keys', 'create', '--scope', '1101010010011001', '--name', '网格员', '--db', db]);
    expect(grid.code).toBe(0);
    expect(grid.stderr).toMatch(/for social grid 1101010010011001 \S+第1网格/);
    const id = String(findKey(grid.stdout)!.id);
    expect((await runCli(['keys', 'revoke', id, '--db', db])).code).toBe(0);
    expect(findKey(grid.stdout)).toBeNull();
    expect(findKey(community.stdout)).not.toBeNull();
  });

  it('refuses a scope that is not stored, with exit 1 and the reason', async () => {
    const missing = await runCli(['keys', 'create', '--scope', '110101099', '--name', 'x', '--db', db]);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe('error: scope 110101099: no street with this code is stored (wangge export --layer areas lists them)');
    const malformed = await runCli(['keys', 'create', '--scope', '11010100', '--name', 'x', '--db', db]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/must be a district \(6 digits\), street \(9\), community \(12\) or social grid static code \(16\), got 8/);
  });

  it('says when no key matches a revoke', async () => {
    const res = await runCli(['keys', 'revoke', '999', '--db', db]);
    expect(res).toMatchObject({ code: 1, stderr: 'error: no API key has id 999' });
  });

  it('exits 2 on usage errors, and prints help', async () => {
    for (const argv of [
      ['keys'],
      ['keys', 'rotate'],
      ['keys', 'create', '--scope', '110101001'],
      ['keys', 'create', '--name', 'x'],
      ['keys', 'list', '--scope', '110101'],
      ['keys', 'revoke'],
      ['keys', 'revoke', '1', '2'],
      ['keys', 'list', '--bogus'],
    ]) {
      const res = await runCli([...argv, '--db', db]);
      expect(res.code, argv.join(' ')).toBe(2);
      expect(res.stderr, argv.join(' ')).toMatch(/^error: /);
    }
    const help = await runCli(['keys', '--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/^wangge keys create --scope CODE --name NAME/);
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}keys {7}/m);
  });

  it('refuses to run on a database that does not exist', async () => {
    const res = await runCli(['keys', 'list', '--db', join(dir, 'none.db')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no database at');
  });
});
