import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { Public } from '../access/decorators.js';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { checkDependency, checkPostgres, type DependencyCheck } from './dependency-check.js';
import { HealthRepository } from './health.repository.js';
import { ShutdownState } from './shutdown-state.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) private readonly config: Config,
    private readonly shutdown: ShutdownState,
  ) {}

  /**
   * For load balancers: 200 while this process takes requests, 503 once it is shutting down (it
   * still serves for SHUTDOWN_DRAIN_DELAY_MS). It does not look at PostgreSQL or Redis: while they
   * are away every api process answers 503 with Retry-After itself, which beats a balancer with no
   * server to send to.
   */
  @Public()
  @Get('live')
  live(@Res({ passthrough: true }) reply: FastifyReply) {
    if (!this.shutdown.draining) return { status: 'ok' };
    void reply.status(503);
    return { status: 'draining' };
  }

  /** 200 when PostgreSQL and Redis (when configured) answer; 503 with what is down otherwise. */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const [postgres, redis] = await Promise.all([
      checkPostgres(this.db),
      this.redis ? checkDependency(() => this.redis!.ping()) : Promise.resolve<DependencyCheck>({ status: 'skipped', note: 'no REDIS_URL: queue runs on PostgreSQL' }),
    ]);
    const ok = postgres.status === 'up' && redis.status !== 'down' && !this.shutdown.draining;
    void reply.status(ok ? 200 : 503);
    return { status: this.shutdown.draining ? 'draining' : ok ? 'ok' : 'degraded', queueBackend: this.config.queueBackend, checks: { postgres, redis } };
  }
}
