/** Builds the api application: Fastify with JSON logs, limits, security headers, and every module. */
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { AllExceptionsFilter } from './common/http-exception.filter.js';
import { loggerOptions, PinoNestLogger } from './common/logger.js';
import { registerRateLimits } from './common/rate-limits.js';
import { registerSecurityHeaders } from './common/security-headers.js';
import { registerJsonDepthGuard } from './common/json-depth-guard.js';
import { registerJsonNulGuard } from './common/json-nul-guard.js';
import { registerUrlNulGuard } from './common/url-nul-guard.js';
import { REDIS } from './common/redis.module.js';
import { ShutdownState } from './health/shutdown-state.js';
import { registerConsumerIdentity } from './consumers/consumer-identity.js';
import { UsageMeter } from './consumers/usage-meter.js';
import { registerHttpMetrics } from './metrics/http-metrics.js';
import { MetricsService } from './metrics/metrics.service.js';
import { RealtimeGateway } from './realtime/realtime.gateway.js';
import { registerWebhookRoute } from './webhooks/webhook-route.js';
import { WebhooksService } from './webhooks/webhooks.service.js';
import type { Config } from './config/config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function createApp(config: Config, opts: { preview?: boolean } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: loggerOptions(config.logLevel),
    bodyLimit: config.maxBodyBytes,
    // Honour a caller's (or Kong's) X-Request-ID when it is sane; otherwise mint one.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    bufferLogs: true,
    rawBody: true,
    abortOnError: false,
    preview: opts.preview,
  });
  const fastify = adapter.getInstance();
  app.useLogger(new PinoNestLogger(fastify.log as unknown as Logger));
  app.setGlobalPrefix('api', { exclude: ['health', 'health/live', 'metrics'] });
  app.useGlobalFilters(new AllExceptionsFilter());
  // @fastify/cors allows only GET, HEAD and POST unless told: the dashboard also saves (PUT), edits (PATCH) and deletes.
  app.enableCors({
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
  });
  // Hooks on every request are callback-style: an async hook costs a promise and a tick per request.
  // Once shutting down, every answer closes its connection: clients and load balancers open a new
  // one, which goes to another api process, and no kept-alive socket holds the exit back.
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onSend', (req, reply, payload, done) => {
    void reply.header('x-request-id', req.id);
    if (shutdown.draining) void reply.header('connection', 'close');
    done(null, payload);
  });
  if (!opts.preview) {
    registerSecurityHeaders(fastify);
    // Depth first: the NUL guard's exact walk recurses through the parsed body.
    registerJsonDepthGuard(fastify, config.maxJsonDepth);
    registerJsonNulGuard(fastify);
    registerUrlNulGuard(fastify);
    // Kong's consumer headers: believed from TRUSTED_PROXIES only, stripped from anyone else, metered per consumer.
    const usage = app.get(UsageMeter);
    registerConsumerIdentity(fastify, { trustedProxies: config.trustedProxies, onConsumerRequest: (id, route) => usage.count(id, route) });
    registerHttpMetrics(fastify, app.get(MetricsService));
    await registerRateLimits(fastify, config, app.get<Redis | undefined>(REDIS));
    // WebSocket /ws shares the api's HTTP server (upgrade requests never reach Fastify's routes).
    app.get(RealtimeGateway).attach(fastify.server);
    // Webhook ingress outside Nest's request pipeline, after every hook above so they all apply.
    registerWebhookRoute(fastify, app.get(WebhooksService));
  }
  return app;
}
