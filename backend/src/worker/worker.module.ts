import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { RedisModule } from '../common/redis.module.js';
import type { Config } from '../config/config.js';
import { ConfigModule } from '../config/config.module.js';
import { dataSourceOptions } from '../database/data-source.js';
import { EventDeliveryProcessor } from '../events/event-delivery.processor.js';
import { EventsCoreModule } from '../events/events-core.module.js';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { ExecutionProcessor } from './execution.processor.js';

@Module({})
export class WorkerModule {
  static register(config: Config): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        // Early in the list: shut down last, so the spans of the last runs are flushed.
        TelemetryModule.forRoot('tributary-worker'),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config), autoLoadEntities: true }),
        RedisModule,
        QueueModule,
        AuditModule,
        WorkflowsModule,
        ExecutionsCoreModule,
        EventsCoreModule,
      ],
      providers: [ExecutionProcessor, EventDeliveryProcessor],
    };
  }
}
