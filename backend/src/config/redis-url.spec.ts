import { ConfigError, loadConfig } from './config.js';
import { parseSentinelUrl } from './redis-url.js';

describe('parseSentinelUrl', () => {
  it('reads the sentinels, the master name and the database', () => {
    expect(parseSentinelUrl('redis+sentinel://10.0.0.1:26379,10.0.0.2:26380,sentinel-3/mymaster?db=2')).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: 'sentinel-3', port: 26379 },
      ],
      name: 'mymaster',
      db: 2,
    });
  });

  it('reads percent-encoded credentials of the Redis servers, and the sentinels\' own from the query', () => {
    expect(parseSentinelUrl('redis+sentinel://:p%40ss%3Aword@s1,s2/cache')).toMatchObject({ password: 'p@ss:word', name: 'cache', db: 0 });
    expect(parseSentinelUrl('redis+sentinel://app:secret@s1/main?sentinelPassword=s3cret&sentinelUsername=watch&role=master')).toMatchObject({
      username: 'app',
      password: 'secret',
      sentinelUsername: 'watch',
      sentinelPassword: 's3cret',
    });
    expect(parseSentinelUrl('redis+sentinel://[::1]:26379,[fe80::1]/main').sentinels).toEqual([
      { host: '::1', port: 26379 },
      { host: 'fe80::1', port: 26379 },
    ]);
  });

  it.each([
    ['redis+sentinel://s1:26379', /names no master/],
    ['redis+sentinel://s1:26379/', /names no master/],
    ['redis+sentinel:///mymaster', /lists no sentinel/],
    ['redis+sentinel://s1:99999/mymaster', /no valid port/],
    ['redis+sentinel://s1:port/mymaster', /not host\[:port\]/],
    ['redis+sentinel://s1/mymaster/0', /one path segment/],
    ['redis+sentinel://s1/mymaster?db=x', /db=x is not a database number/],
    ['redis+sentinel://s1/mymaster?role=slave', /only role=master/],
    ['redis+sentinel://s1/mymaster?sentinel_password=x', /unknown parameter "sentinel_password"/],
  ])('refuses %s', (url, message) => {
    expect(() => parseSentinelUrl(url)).toThrow(message);
  });
});

describe('REDIS_URL in the configuration', () => {
  it('takes one server as before, or a Sentinel deployment', () => {
    const plain = loadConfig({ REDIS_URL: 'redis://:pw@127.0.0.1:6379/1' });
    expect(plain).toMatchObject({ redisUrl: 'redis://:pw@127.0.0.1:6379/1', queueBackend: 'redis' });
    expect(plain.redisSentinel).toBeUndefined();
    const sentinel = loadConfig({ REDIS_URL: 'redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster' });
    expect(sentinel.queueBackend).toBe('redis');
    expect(sentinel.redisSentinel).toEqual({ sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '127.0.0.1', port: 26380 }], name: 'mymaster', db: 0 });
  });

  it('names what is wrong with a bad one, without echoing its password', () => {
    const problems = (url: string) => {
      try {
        loadConfig({ REDIS_URL: url });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems('redis+sentinel://:hunter2@s1:26379')).toEqual([
      'REDIS_URL: names no master: redis+sentinel://host:26379,…/<master name> (expected redis+sentinel://[:password@]host:26379,host:26379/<master name>[?db=0])',
    ]);
    expect(problems('not a url')).toEqual(['REDIS_URL: must be a URL: redis://…, rediss://… or redis+sentinel://…']);
  });
});
