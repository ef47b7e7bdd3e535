import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { HealthRepository } from '../health/health.repository.js';
import { WorkerMetrics } from './worker-metrics.js';
import { WorkerMetricsServer } from './worker-metrics.server.js';

/** The worker process's /metrics and /health on WORKER_METRICS_PORT (worker.ts adds it beside WorkerModule). */
@Module({
  imports: [ExecutionsCoreModule],
  providers: [WorkerMetrics, WorkerMetricsServer, HealthRepository],
})
export class WorkerMetricsModule {}
