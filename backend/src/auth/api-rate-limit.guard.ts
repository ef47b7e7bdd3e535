import { ExecutionContext, Inject, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimitedError } from '../common/errors.js';
import { REDIS } from '../common/redis.module.js';
import { WindowRateLimiter } from '../common/window-rate-limiter.js';
import { CONFIG, type Config } from '../config/config.js';
import type { AuthUser } from '../access/auth.types.js';
import { IS_PUBLIC } from '../access/decorators.js';

const WINDOW_MS = 60_000;
/** A Redis slower than this lets requests through uncounted rather than slowing the api down. */
const COUNT_TIMEOUT_MS = 250;

/**
 * API_RATE_LIMIT_PER_MINUTE per tenant over every authenticated route, counted across api processes
 * in Redis (one call per tenant per tick). Runs after JwtAuthGuard, which names the tenant; public
 * routes (auth, health, metrics) and webhooks (outside Nest, limited per workflow) are not counted.
 * Every counted response carries X-RateLimit-Limit, -Remaining and -Reset (seconds until the window
 * ends); a refused one answers 429 with Retry-After. When Redis fails, requests pass uncounted.
 */
@Injectable()
export class ApiRateLimitGuard implements CanActivate {
  private readonly limiter: WindowRateLimiter;
  private readonly limit: number;

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) config: Config,
    @Inject(REDIS) redis: Redis | undefined,
  ) {
    this.limit = config.rateLimits.apiPerMinute;
    this.limiter = new WindowRateLimiter(redis, { keyPrefix: `${config.redisPrefix}:rl:api:`, windowMs: WINDOW_MS, timeoutMs: COUNT_TIMEOUT_MS });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const user = http.getRequest<FastifyRequest & { user?: AuthUser }>().user;
    if (!user) return true; // RolesGuard answers 401
    const decision = await this.limiter.hit(user.tenantId, this.limit);
    if (!decision) return true;
    const reset = Math.ceil(decision.resetMs / 1000);
    const reply = http.getResponse<FastifyReply>();
    void reply.header('x-ratelimit-limit', String(decision.limit)).header('x-ratelimit-remaining', String(decision.remaining)).header('x-ratelimit-reset', String(reset));
    if (decision.allowed) return true;
    throw new RateLimitedError(`API rate limit of this workspace exceeded: ${decision.limit} requests per minute; retry in ${Math.max(reset, 1)} s`, reset);
  }
}
