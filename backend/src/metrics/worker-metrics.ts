/**
 * Prometheus metrics of one worker process, served by WorkerMetricsServer: executions finished by
 * status, executions in progress, step durations, and Node's process metrics.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { EngineService } from '../executions/engine.service.js';
import { processRegistry } from './registry.js';
import { observeStep, stepDurationHistogram } from './step-metrics.js';

const RUN_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;

@Injectable()
export class WorkerMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private running = 0;

  private readonly stepDuration = stepDurationHistogram(this.registry);

  private readonly finished = new Counter({
    name: 'tributary_executions_finished_total',
    help: 'Executions run to the end by this worker process, by status (error: the engine itself threw)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(private readonly engine: EngineService) {
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

  onModuleInit(): void {
    this.engine.observeSteps((r) => observeStep(this.stepDuration, r));
    this.countRuns();
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

  private countRuns(): void {
    this.engine.observeRuns({
      started: () => this.running++,
      finished: (status) => {
        this.running--;
        this.finished.inc({ status });
      },
    });
  }
}
