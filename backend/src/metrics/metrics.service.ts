/**
 * Prometheus metrics of this api instance. HTTP durations are observed by a Fastify hook
 * (http-metrics.ts) and step durations through the execution lifecycle, so steps run here count (dry runs,
 * sync webhooks); steps run by workers are on each worker's own /metrics (worker-metrics.ts).
 * Queue depth and executions by status are read when Prometheus scrapes.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../common/timeout.js';
import { ExecutionLifecycle } from '../executions/execution-lifecycle.js';
import { EXECUTIONS } from '../queue/queue.module.js';
import { MetricsRepository } from './metrics.repository.js';
import { EXECUTION_STATUSES as CONTRACT_EXECUTION_STATUSES } from '@tributary/contracts';
import { processRegistry } from './registry.js';
import { observeStep, stepDurationHistogram } from './step-metrics.js';

/** Every status has a series from the start (0 until one exists), `waiting` included. */
const EXECUTION_STATUSES: readonly string[] = CONTRACT_EXECUTION_STATUSES;
const QUEUE_STATES = ['waiting', 'active', 'delayed'] as const;
const SCRAPE_READ_TIMEOUT_MS = 2_000;

@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'tributary_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly stepDuration = stepDurationHistogram(this.registry);

  private readonly queueJobs = new Gauge({
    name: 'tributary_queue_jobs',
    help: 'Jobs in the executions queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  private readonly executions = new Gauge({
    name: 'tributary_executions',
    help: 'Executions in the database by status, read at scrape time',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private readonly scrapeErrors = new Gauge({
    name: 'tributary_metrics_scrape_errors',
    help: 'Scrape-time reads that failed in the last scrape (queue, database)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  constructor(
    @Inject(EXECUTIONS) private readonly queue: Queue,
    private readonly repo: MetricsRepository,
    private readonly lifecycle: ExecutionLifecycle,
  ) {}

  onModuleInit(): void {
    this.lifecycle.register({ step: (_run, r) => observeStep(this.stepDuration, r) });
  }

  observeHttp(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition of this process and instance. */
  async scrape(): Promise<string> {
    await Promise.all([this.readQueue(), this.readExecutions()]);
    return Registry.merge([processRegistry, this.registry]).metrics();
  }

  private async readQueue(): Promise<void> {
    try {
      const counts = await withTimeout(this.queue.getJobCounts(...QUEUE_STATES), SCRAPE_READ_TIMEOUT_MS);
      for (const state of QUEUE_STATES) this.queueJobs.set({ queue: this.queue.name, state }, counts[state] ?? 0);
      this.scrapeErrors.set({ source: 'queue' }, 0);
    } catch (err) {
      this.scrapeErrors.set({ source: 'queue' }, 1);
      this.logger.warn({ msg: 'metrics: queue depth unavailable', error: (err as Error).message });
    }
  }

  private async readExecutions(): Promise<void> {
    try {
      const counts = await withTimeout(this.repo.executionsByStatus(), SCRAPE_READ_TIMEOUT_MS);
      for (const status of new Set([...EXECUTION_STATUSES, ...counts.keys()])) this.executions.set({ status }, counts.get(status) ?? 0);
      this.scrapeErrors.set({ source: 'database' }, 0);
    } catch (err) {
      this.scrapeErrors.set({ source: 'database' }, 1);
      this.logger.warn({ msg: 'metrics: executions by status unavailable', error: (err as Error).message });
    }
  }
}
