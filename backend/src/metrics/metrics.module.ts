import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';

/** /metrics for Prometheus: HTTP, queue depth, executions by status, step durations, WebSocket connections. */
@Module({
  imports: [ExecutionsCoreModule],
  controllers: [MetricsController],
  providers: [MetricsService, MetricsRepository],
  exports: [MetricsService],
})
export class MetricsModule {}
