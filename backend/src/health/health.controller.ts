import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/decorators.js';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { checkDependency, type DependencyCheck } from './dependency-check.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** 200 when PostgreSQL and Redis (when configured) answer; 503 with what is down otherwise. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis] = await Promise.all([
      checkDependency(() => this.db.query('SELECT 1')),
      this.redis ? checkDependency(() => this.redis!.ping()) : Promise.resolve<DependencyCheck>({ status: 'skipped', note: 'no REDIS_URL: queue runs on PostgreSQL' }),
    ]);
    const ok = postgres.status === 'up' && redis.status !== 'down';
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', queueBackend: this.config.queueBackend, checks: { postgres, redis } };
  }
}
