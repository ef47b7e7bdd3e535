import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { CONFIG, type Config } from '../config/config.js';

/** The shared Redis connection, or undefined when the platform runs without Redis (zero-install mode). */
export const REDIS = Symbol('REDIS');

/**
 * Every Redis connection of the platform is opened here (the shared one below, BullMQ's producer and
 * worker connections, the realtime subscriber; `duplicate()`s, BullMQ's blocking ones included,
 * inherit the options), so each honours both forms of REDIS_URL: one server, or the master of a
 * Sentinel deployment (config/redis-url.ts), asked of the sentinels at every (re)connect.
 */
export function connectRedis(config: Pick<Config, 'redisUrl' | 'redisSentinel'>, options: RedisOptions): Redis {
  const sentinel = config.redisSentinel;
  if (!sentinel) return new Redis(config.redisUrl!, options);
  const { sentinels, name, db, username, password, sentinelUsername, sentinelPassword } = sentinel;
  return new Redis({
    sentinels,
    name,
    role: 'master',
    db,
    username,
    password,
    sentinelUsername,
    sentinelPassword,
    // A failover is followed when the old master drops our connections (it died, or the sentinels
    // reconfigure it as a replica, which disconnects its clients). ioredis's `failoverDetector` would
    // also follow one announced while the old master is cut off from the sentinels, but in ioredis
    // 5.11 its sentinel subscriptions survive quit() (redis/ioredis#1362) and keep a stopped process alive.
    ...options,
  });
}

export function createRedis(config: Pick<Config, 'redisUrl' | 'redisSentinel'>, name: string): Redis {
  // Auto-pipelining sends the commands issued in one tick (rate-limit counts, event publishes) as one write.
  const redis = connectRedis(config, { connectionName: `tributary:${name}`, maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true });
  redis.on('error', () => {
    /* health reports it; commands fail fast while it is down */
  });
  return redis;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [CONFIG],
      useFactory: (config: Config) => (config.redisUrl ? createRedis(config, 'api') : undefined),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
