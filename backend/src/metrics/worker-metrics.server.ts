/**
 * The worker's small HTTP server (it has no other): GET /metrics for Prometheus, under the same
 * METRICS_TOKEN rule as the api's, and GET /health (PostgreSQL and Redis reachable, not draining).
 * WORKER_METRICS_PORT=0 turns it off. A port already taken is logged and the worker runs on without
 * it: executions matter more than their metrics.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NotFoundError } from '../common/errors.js';
import { toErrorBody } from '../common/http-exception.filter.js';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { checkDependency, checkPostgres, type DependencyCheck } from '../health/dependency-check.js';
import { HealthRepository } from '../health/health.repository.js';
import { checkMetricsToken } from './metrics-token.js';
import { WorkerMetrics } from './worker-metrics.js';

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('WorkerMetrics');
  private server?: Server;
  private draining = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly metrics: WorkerMetrics,
    private readonly db: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis | undefined,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerMetricsPort;
    if (!port) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.logger.error({ msg: 'worker metrics request failed', err: (err as Error).message });
        if (!res.headersSent) sendJson(res, 500, toErrorBody(err));
        else res.destroy();
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.server = server;
      this.logger.log({ msg: 'worker metrics listening', port, host: this.config.host });
    } catch (err) {
      this.logger.error({ msg: 'worker metrics server could not start; this worker runs without /metrics and /health', port, err: (err as Error).message });
    }
  }

  /** From SIGTERM on, /health answers 503 "draining" while running executions finish. */
  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (path !== '/metrics' && path !== '/health') return sendJson(res, 404, toErrorBody(new NotFoundError('Route')));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { statusCode: 405, error: 'Method Not Allowed', message: `${path} answers GET only` }, { allow: 'GET, HEAD' });
    }
    if (path === '/metrics') {
      try {
        checkMetricsToken(req.headers.authorization, this.config.metricsToken);
      } catch (err) {
        return sendJson(res, 401, toErrorBody(err));
      }
      return send(res, 200, await this.metrics.scrape(), { 'content-type': this.metrics.contentType });
    }
    const [postgres, redis] = await Promise.all([
      checkPostgres(this.db),
      this.redis ? checkDependency(() => this.redis!.ping()) : Promise.resolve<DependencyCheck>({ status: 'skipped' }),
    ]);
    const up = postgres.status === 'up' && redis.status !== 'down';
    const status = this.draining ? 'draining' : up ? 'ok' : 'degraded';
    sendJson(res, status === 'ok' ? 200 : 503, {
      status,
      queueBackend: this.config.queueBackend,
      executionsInProgress: this.metrics.inProgress,
      concurrency: this.config.workerConcurrency,
      checks: { postgres, redis },
    });
  }
}
