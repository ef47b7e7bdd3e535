import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONFIG, type Config } from '../config/config.js';

/** The shared Redis connection, or undefined when the platform runs without Redis (zero-install mode). */
export const REDIS = Symbol('REDIS');

export function createRedis(url: string, name: string): Redis {
  // Auto-pipelining sends the commands issued in one tick (rate-limit counts, event publishes) as one write.
  const redis = new Redis(url, { connectionName: `tributary:${name}`, maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true });
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
      useFactory: (config: Config) => (config.redisUrl ? createRedis(config.redisUrl, 'api') : undefined),
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
