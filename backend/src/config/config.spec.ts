import { ConfigError, DEFAULT_ENCRYPTION_KEY, DEFAULT_JWT_SECRET, loadConfig } from './config.js';

const key = (c: string) => Buffer.alloc(32, c).toString('base64');

describe('loadConfig', () => {
  it('gives working development defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 8080, devMode: false, queueBackend: 'postgres', maxBodyBytes: 1048576, maxJsonDepth: 64, workerConcurrency: 10 });
    expect(c.encryption.keys.get('v1')).toHaveLength(32);
  });

  it('picks the Redis queue when REDIS_URL is set', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).queueBackend).toBe('redis');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_BACKEND: 'postgres' }).queueBackend).toBe('postgres');
  });

  it('refuses to start in production with missing or default secrets, listing each problem', () => {
    let err: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'JWT_SECRET: must be set to a secret of your own in production',
      'ENCRYPTION_KEY: must be set to a key of your own in production (openssl rand -base64 32)',
    ]);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: DEFAULT_JWT_SECRET, ENCRYPTION_KEY: DEFAULT_ENCRYPTION_KEY })).toThrow(/JWT_SECRET[\s\S]*ENCRYPTION_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', ENCRYPTION_KEY: key('a') })).toThrow(/at least 32 characters/);
  });

  it('starts in production with real secrets, and never honours DEV_MODE there', () => {
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), ENCRYPTION_KEY: key('a'), DEV_MODE: 'true' });
    expect(c.devMode).toBe(false);
  });

  it('checks key sizes and reads previous keys for rotation', () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: Buffer.from('short').toString('base64') })).toThrow(/32 bytes/);
    const c = loadConfig({ ENCRYPTION_KEY: key('b'), ENCRYPTION_KEY_ID: 'v2', ENCRYPTION_PREVIOUS_KEYS: `v1:${key('a')}` });
    expect([...c.encryption.keys.keys()]).toEqual(['v2', 'v1']);
  });

  it('reports invalid values by variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'nope' })).toThrow(/PORT[\s\S]*DATABASE_URL/);
  });

  it('collects connector base URL overrides', () => {
    expect(loadConfig({ CONNECTOR_OPENWEATHER_BASE_URL: 'http://127.0.0.1:4010/openweather/' }).connectorBaseUrls).toEqual({
      openweather: 'http://127.0.0.1:4010/openweather',
    });
  });
});
