import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to a generous rate limit, the limiter’s burst, no proxy, open reads and 16 MiB bodies', () => {
    expect(loadConfig({}, {})).toMatchObject({ corsOrigins: undefined, rateLimit: 200, rateBurst: undefined, trustProxy: false, readsNeedKey: false, maxBodyMb: 16 });
  });

  it('reads the hardening settings from the environment, and flags win', () => {
    const env = {
      WANGGE_CORS_ORIGINS: 'https://grid.example.cn, http://localhost:5173',
      WANGGE_RATE_LIMIT: '0.5',
      WANGGE_RATE_BURST: '3',
      WANGGE_TRUST_PROXY: '1',
      WANGGE_READS_NEED_KEY: 'true',
      WANGGE_MAX_BODY_MB: '32',
    };
    expect(loadConfig({}, env)).toMatchObject({
      corsOrigins: ['https://grid.example.cn', 'http://localhost:5173'],
      rateLimit: 0.5,
      rateBurst: 3,
      trustProxy: true,
      readsNeedKey: true,
      maxBodyMb: 32,
    });
    expect(loadConfig({ corsOrigins: '*', rateLimit: '0', maxBodyMb: '1' }, env)).toMatchObject({ corsOrigins: ['*'], rateLimit: 0, maxBodyMb: 1 });
    // an empty flag allows no origin at all; an empty variable is as if unset
    expect(loadConfig({ corsOrigins: '' }, env).corsOrigins).toEqual([]);
    expect(loadConfig({}, { WANGGE_CORS_ORIGINS: '' }).corsOrigins).toBeUndefined();
  });

  it('refuses malformed values, naming the setting', () => {
    expect(() => loadConfig({ corsOrigins: 'https://grid.example.cn/' })).toThrow('CORS origin "https://grid.example.cn/" must be * or scheme://host[:port]');
    expect(() => loadConfig({ corsOrigins: 'grid.example.cn' })).toThrow(/CORS origin/);
    expect(() => loadConfig({ rateLimit: '-1' })).toThrow('rate limit (requests per second) must be a number 0–1000000, got "-1"');
    expect(() => loadConfig({ rateBurst: '0' })).toThrow(/rate burst/);
    expect(() => loadConfig({ maxBodyMb: '0' })).toThrow(/body size limit/);
    expect(() => loadConfig({}, { WANGGE_TRUST_PROXY: 'maybe' })).toThrow('trust proxy must be 1 or 0 (true / false), got "maybe"');
  });

  it('limits work per request: 2,000 vertices per feature and 64 MiB per batch answer, from flags or the environment (issue 12)', () => {
    expect(loadConfig({}, {})).toMatchObject({ maxVertices: 2000, maxResponseMb: 64 });
    expect(loadConfig({}, { WANGGE_MAX_VERTICES: '500', WANGGE_MAX_RESPONSE_MB: '8' })).toMatchObject({ maxVertices: 500, maxResponseMb: 8 });
    expect(loadConfig({ maxVertices: '100', maxResponseMb: '1' }, { WANGGE_MAX_VERTICES: '500' })).toMatchObject({ maxVertices: 100, maxResponseMb: 1 });
    // a ring needs four positions
    expect(() => loadConfig({ maxVertices: '3' })).toThrow(ConfigError);
    expect(() => loadConfig({ maxResponseMb: '0' })).toThrow('response size limit (MiB) must be a whole number 1–4096, got "0"');
  });

  it('refuses every malformed value with a ConfigError, which the CLI answers with exit 2', () => {
    for (const flags of [{ port: 'abc' }, { rateLimit: 'x' }, { trustProxy: 'maybe' }, { corsOrigins: 'grid.example.cn' }]) {
      expect(() => loadConfig(flags, {})).toThrow(ConfigError);
    }
  });
});
