import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { AdminArea, Grid } from '../model.js';
import { Store } from '../store/store.js';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from './api-keys.js';

const square = { type: 'Polygon' as const, coordinates: [[[116.4, 39.9], [116.401, 39.9], [116.401, 39.901], [116.4, 39.901], [116.4, 39.9]]] };
const area = (code: string, level: AdminArea['level'], name: string): AdminArea => ({
  code,
  level,
  name,
  parentCode: level === 'district' ? null : code.slice(0, code.length - 3),
  geometry: square,
});
const socialGrid = (code: string, name: string, validTo: string | null): Grid => ({
  scheme: 'social',
  code,
  dynamicCode: '202401',
  name,
  communityCode: code.slice(0, 12),
  geometry: square,
  areaM2: 9_000,
  validFrom: '2024-01-01',
  validTo,
});

let store: Store;

function thrownBy(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

beforeEach(() => {
  store = Store.open(':memory:');
  store.insert('areas', [area('110101', 'district', '东城区'), area('110101001', 'street', '东华门街道'), area('110101001001', 'community', '多福巷社区')]);
  store.insert('grids', [socialGrid('1101010010011001', '多福巷社区第1网格', null), socialGrid('1101010010011002', '多福巷社区第2网格', '2025-01-01')]);
});
afterEach(() => {
  store.close();
  vi.useRealTimers();
});

describe('createApiKey', () => {
  it('returns a wg_ secret once and stores only its SHA-256 and prefix', () => {
    const { secret, key } = createApiKey(store, { name: '东华门街道分中心', scope: '110101001' });
    expect(secret).toMatch(/^wg_[A-Za-z0-9_-]{43}$/);
    expect(key).toEqual({
      id: 1,
      name: '东华门街道分中心',
      scope: '110101001',
      scopeLevel: 'street',
      scopeName: '东华门街道',
      prefix: secret.slice(0, 10),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      revokedAt: null,
    });
    const row = store.db.prepare('SELECT * FROM api_keys').get() as Record<string, unknown>;
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('makes a different secret each time', () => {
    const a = createApiKey(store, { name: 'a', scope: '110101' });
    const b = createApiKey(store, { name: 'b', scope: '110101' });
    expect(a.secret).not.toBe(b.secret);
  });

  it('accepts every level of scope that is stored, naming it', () => {
    expect(createApiKey(store, { name: 'd', scope: '110101' }).key).toMatchObject({ scopeLevel: 'district', scopeName: '东城区' });
    expect(createApiKey(store, { name: 'c', scope: '110101001001' }).key).toMatchObject({ scopeLevel: 'community', scopeName: '多福巷社区' });
    expect(createApiKey(store, { name: 'g', scope: '1101010010011001' }).key).toMatchObject({ scopeLevel: 'social_grid', scopeName: '多福巷社区第1网格' });
  });

  it.each([
    ['110101002', 'scope 110101002: no street with this code is stored'],
    ['110101001002', 'scope 110101001002: no community with this code is stored'],
    ['1101010010011002', 'scope 1101010010011002: no current social grid with this code is stored'],
    ['110101001001001', 'must be a district (6 digits), street (9), community (12) or social grid static code (16), got 15'],
    ['11010100１', 'full-width digit'],
  ])('refuses scope %j: %s', (scope, reason) => {
    expect(() => createApiKey(store, { name: 'x', scope })).toThrow(InvalidRequestError);
    expect(() => createApiKey(store, { name: 'x', scope })).toThrow(reason);
    expect(listApiKeys(store)).toEqual([]);
  });

  it('trims the name and refuses an empty, long or multi-line one', () => {
    expect(createApiKey(store, { name: '  景山  ', scope: '110101' }).key.name).toBe('景山');
    expect(() => createApiKey(store, { name: '  ', scope: '110101' })).toThrow(/needs a name/);
    expect(createApiKey(store, { name: '网'.repeat(100), scope: '110101' }).key.name).toHaveLength(100);
    expect(() => createApiKey(store, { name: '网'.repeat(101), scope: '110101' })).toThrow(/at most 100 characters, got 101/);
    expect(() => createApiKey(store, { name: 'a\nb', scope: '110101' })).toThrow(/control characters/);
  });
});

describe('findApiKey', () => {
  it('finds an unrevoked key by its secret, and nothing else', () => {
    const { secret, key } = createApiKey(store, { name: 'k', scope: '110101' });
    expect(findApiKey(store, secret)).toEqual(key);
    expect(findApiKey(store, secret.slice(0, -1))).toBeNull();
    expect(findApiKey(store, key.prefix)).toBeNull();
    expect(findApiKey(store, '')).toBeNull();
    revokeApiKey(store, String(key.id));
    expect(findApiKey(store, secret)).toBeNull();
  });
});

describe('listApiKeys', () => {
  it('lists every key oldest first, revoked ones too, without secrets or hashes', () => {
    const first = createApiKey(store, { name: 'first', scope: '110101' });
    const second = createApiKey(store, { name: 'second', scope: '110101001' });
    revokeApiKey(store, first.key.prefix);
    const keys = listApiKeys(store);
    expect(keys.map((k) => [k.name, k.revokedAt !== null])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    const listed = JSON.stringify(keys);
    const [hash] = store.db.prepare('SELECT secret_hash FROM api_keys').pluck().all() as string[];
    for (const hidden of [first.secret, second.secret, hash!]) expect(listed).not.toContain(hidden);
  });
});

describe('revokeApiKey', () => {
  it('revokes by id or prefix and keeps the first revocation time', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00Z'));
    const { key } = createApiKey(store, { name: 'k', scope: '110101' });
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    expect(revokeApiKey(store, key.prefix).revokedAt).toBe('2026-03-02T09:00:00.000Z');
    vi.setSystemTime(new Date('2026-03-03T10:00:00Z'));
    expect(revokeApiKey(store, String(key.id))).toEqual({ ...key, revokedAt: '2026-03-02T09:00:00.000Z' });
  });

  it('says when no key matches, without repeating what may be a secret', () => {
    const { secret } = createApiKey(store, { name: 'k', scope: '110101' });
    expect(() => revokeApiKey(store, '42')).toThrow(new NotFoundError('no API key has id 42'));
    expect(() => revokeApiKey(store, 'wg_AAAAAAA')).toThrow(new NotFoundError('no API key has prefix wg_AAAAAAA'));
    const pasted = thrownBy(() => revokeApiKey(store, secret));
    expect(pasted).toBeInstanceOf(NotFoundError);
    expect(pasted.message).toMatch(/id or its 10-character prefix .* got 46 characters/);
    expect(pasted.message).not.toContain(secret.slice(3, 10));
  });

  it('asks for the id when two keys share a prefix', () => {
    createApiKey(store, { name: 'a', scope: '110101' });
    createApiKey(store, { name: 'b', scope: '110101' });
    store.db.prepare("UPDATE api_keys SET prefix = 'wg_SAMEPRE'").run();
    expect(() => revokeApiKey(store, 'wg_SAMEPRE')).toThrow('prefix wg_SAMEPRE is shared by keys 1, 2; name one by its id');
    expect(listApiKeys(store).every((k) => k.revokedAt === null)).toBe(true);
  });
});
