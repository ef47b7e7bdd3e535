/**
 * Prometheus metrics of one worker process, served by WorkerMetricsServer: executions finished by
 * status, executions in progress, step durations, and Node's process metrics.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { ExecutionLifecycle } from '../executions/execution-lifecycle.js';
import { processRegistry } from './registry.js';
import { observeStep, stepDurationHistogram } from './step-metrics.js';

/** How runs end in this process (`waiting`: parked on a durable wait, its worker slot freed). */
const RUN_STATUSES = ['succeeded', 'failed', 'cancelled', 'waiting'] as const;

@Injectable()
export class WorkerMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private running = 0;

  private readonly stepDuration = stepDurationHistogram(this.registry);

  private readonly finished = new Counter({
    name: 'tributary_executions_finished_total',
    help: 'Executions run to the end by this worker process, by status (error: the engine or a write threw; abandoned: another process holds the run now)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(private readonly lifecycle: ExecutionLifecycle) {
    const running = () => this.running;
    new Gauge({
      name: 'tributary_executions_in_progress',
      help: 'Executions running in this worker process now',
      registers: [this.registry],
      collect() {
        this.set(running());
      },
    });
    // Series exist from the start, so rate() and alerts see a 0 before the first run.
    for (const status of RUN_STATUSES) this.finished.inc({ status }, 0);
  }

  /** Lifecycle hooks: every run of this process, its steps and its end. */
  onModuleInit(): void {
    this.lifecycle.register({
      started: () => this.running++,
      step: (_run, r) => observeStep(this.stepDuration, r),
      finished: (_run, end) => {
        this.running--;
        this.finished.inc({ status: end.status });
      },
    });
  }

  /** Executions running now in this process. */
  get inProgress(): number {
    return this.running;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  scrape(): Promise<string> {
    return Registry.merge([processRegistry, this.registry]).metrics();
  }
}
