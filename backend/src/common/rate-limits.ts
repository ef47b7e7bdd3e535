/**
 * The per-route rate limits of public auth routes (login, registration, accepting an invitation), applied with @fastify/rate-limit (counted in Redis when the api has
 * one, so all api processes share the counts; in memory otherwise). Limits attach to routes by URL in
 * an onRoute hook registered before the plugin, because the numbers come from Config at boot.
 * Webhooks have their own per-workflow limiter (a WindowRateLimiter in webhooks.service.ts), batched per tick;
 * authenticated routes are limited per tenant (auth/api-rate-limit.guard.ts).
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.js';
import { RateLimitedError } from './errors.js';

type Limit = {
  max: number | ((req: FastifyRequest, key: string) => number | Promise<number>);
  timeWindow: number;
  hook?: 'onRequest' | 'preHandler';
  keyGenerator: (req: FastifyRequest) => string;
};

function limitsFor(config: Config): Record<string, Limit> {
  return {
    '/api/auth/login': {
      max: config.rateLimits.loginPerMinute,
      timeWindow: 60_000,
      hook: 'preHandler', // the body (email) is parsed by then
      keyGenerator: (req) => {
        const email = (req.body as { email?: unknown } | undefined)?.email;
        return `login:${req.ip}:${typeof email === 'string' ? email.toLowerCase() : ''}`;
      },
    },
    '/api/auth/register': { max: config.rateLimits.loginPerMinute, timeWindow: 60_000, keyGenerator: (req) => `register:${req.ip}` },
    // Tokens are unguessable; this bounds the bcrypt work an address can ask for.
    '/api/auth/accept-invitation': { max: config.rateLimits.loginPerMinute, timeWindow: 60_000, keyGenerator: (req) => `accept-invitation:${req.ip}` },
    // Each start records a pending sign-in (and may discover the provider): bounded per address like a login.
    '/api/auth/sso/start': { max: config.rateLimits.loginPerMinute, timeWindow: 60_000, keyGenerator: (req) => `sso-start:${req.ip}` },
  };
}

export async function registerRateLimits(fastify: FastifyInstance, config: Config, redis: Redis | undefined): Promise<void> {
  const limits = limitsFor(config);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const limit = limits[route.url];
    if (limit) route.config = { ...(route.config as object), rateLimit: limit } as RouteOptions['config'];
  });
  await fastify.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}:rl:` } : {}),
    // Counting must not take the api down: if Redis is unreachable, let the request through.
    skipOnError: true,
    // Thrown by the plugin; Fastify's error handler (app.ts) turns it into the API's error shape.
    errorResponseBuilder: (_req, ctx) => new RateLimitedError(`Rate limit exceeded: ${ctx.max} requests per minute; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
  });
}
