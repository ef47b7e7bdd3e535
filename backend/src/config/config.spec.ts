import { ConfigError, DEFAULT_ENCRYPTION_KEY, DEFAULT_JWT_SECRET, loadConfig, sessionDatabaseUrl } from './config.js';

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

  it('reads execution retention as a duration, or in days, and refuses both at once', () => {
    expect(loadConfig({})).toMatchObject({ executionRetentionMs: 30 * 86_400_000, executionRetentionSweepMs: 3_600_000 });
    expect(loadConfig({ EXECUTION_RETENTION_DAYS: '7' }).executionRetentionMs).toBe(7 * 86_400_000);
    for (const [v, ms] of [['30d', 30 * 86_400_000], ['12h', 12 * 3_600_000], ['15m', 15 * 60_000], ['90s', 90_000]] as const) {
      expect(loadConfig({ EXECUTION_RETENTION: v }).executionRetentionMs).toBe(ms);
    }
    expect(loadConfig({ EXECUTION_RETENTION: '', EXECUTION_RETENTION_DAYS: '2' }).executionRetentionMs).toBe(2 * 86_400_000);
    expect(loadConfig({ EXECUTION_RETENTION_SWEEP_INTERVAL: '1m' }).executionRetentionSweepMs).toBe(60_000);
    expect(() => loadConfig({ EXECUTION_RETENTION: '5m', EXECUTION_RETENTION_DAYS: '30' })).toThrow(
      'EXECUTION_RETENTION: set together with EXECUTION_RETENTION_DAYS; keep one (EXECUTION_RETENTION=30d is EXECUTION_RETENTION_DAYS=30)',
    );
    for (const bad of ['30', '5 min', '1w', '-5m', '1.5h', 'm']) {
      expect(() => loadConfig({ EXECUTION_RETENTION: bad })).toThrow(/EXECUTION_RETENTION: must be a duration such as 90s, 15m, 12h or 30d/);
    }
    expect(() => loadConfig({ EXECUTION_RETENTION: '0s' })).toThrow(/EXECUTION_RETENTION: must be between 1s/);
    // setInterval's limit (about 24.8 days) bounds the sweep interval.
    expect(() => loadConfig({ EXECUTION_RETENTION_SWEEP_INTERVAL: '30d' })).toThrow(/EXECUTION_RETENTION_SWEEP_INTERVAL: must be between 1s and 2147483s/);
    expect(() => loadConfig({ EXECUTION_RETENTION_DAYS: '0' })).toThrow(/EXECUTION_RETENTION_DAYS/);
  });

  it('reports invalid values by variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'nope' })).toThrow(/PORT[\s\S]*DATABASE_URL/);
  });

  it('reads the database topology: pooling mode, direct URL and timeouts', () => {
    expect(loadConfig({})).toMatchObject({ databasePooling: 'session', databaseConnectTimeoutMs: 5000, databaseQueryTimeoutMs: 30000 });
    expect(loadConfig({}).databaseDirectUrl).toBeUndefined();
    const c = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATABASE_URL: 'postgres://app@pgbouncer:6432/tributary',
      DATABASE_POOLING: 'transaction',
      DATABASE_DIRECT_URL: 'postgres://app@postgres:5432/tributary',
      DATABASE_CONNECT_TIMEOUT_MS: '2000',
      DATABASE_QUERY_TIMEOUT_MS: '0',
    });
    expect(c).toMatchObject({ databasePooling: 'transaction', databaseDirectUrl: 'postgres://app@postgres:5432/tributary', databaseConnectTimeoutMs: 2000, databaseQueryTimeoutMs: 0 });
    expect(sessionDatabaseUrl(c)).toBe('postgres://app@postgres:5432/tributary');
    expect(sessionDatabaseUrl(loadConfig({ DATABASE_URL: 'postgres://app@postgres:5432/tributary' }))).toBe('postgres://app@postgres:5432/tributary');
    expect(() => loadConfig({ DATABASE_POOLING: 'statement' })).toThrow(/DATABASE_POOLING/);
  });

  it('refuses transaction pooling without DATABASE_DIRECT_URL when something needs a session, naming each', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ DATABASE_POOLING: 'transaction', ...env });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({})).toEqual([
      expect.stringMatching(/^DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with the PostgreSQL queue \(no REDIS_URL\) needs it: .*LISTENs for jobs.*or run the queue on Redis \(REDIS_URL\)$/),
      expect.stringMatching(/^DATABASE_DIRECT_URL: DATABASE_POOLING=transaction with live events through PostgreSQL \(zero-install mode, no REDIS_URL\) needs it: .*or set REDIS_URL$/),
    ]);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_BACKEND: 'postgres' })).toEqual([expect.stringContaining('with the PostgreSQL queue (QUEUE_BACKEND=postgres) needs it')]);
    expect(problems({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([]);
    expect(problems({ DATABASE_DIRECT_URL: 'postgres://postgres@127.0.0.1:5432/tributary' })).toEqual([]);
  });

  it('collects connector base URL overrides', () => {
    expect(loadConfig({ CONNECTOR_OPENWEATHER_BASE_URL: 'http://127.0.0.1:4010/openweather/' }).connectorBaseUrls).toEqual({
      openweather: 'http://127.0.0.1:4010/openweather',
    });
  });
});
