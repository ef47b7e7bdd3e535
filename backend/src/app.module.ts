import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CatalogueController } from './catalogue/catalogue.controller.js';
import { RedisModule } from './common/redis.module.js';
import type { Config } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { ConsumersModule } from './consumers/consumers.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { EventsModule } from './events/events.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { HealthController } from './health/health.controller.js';
import { HealthRepository } from './health/health.repository.js';
import { ShutdownState } from './health/shutdown-state.js';
import { ExecutionsModule } from './executions/executions.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueueModule } from './queue/queue.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';
import { SsoModule } from './sso/sso.module.js';
import { TemplatesModule } from './templates/templates.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WorkflowsModule } from './workflows/workflows.module.js';
import { VariablesModule } from './variables/variables.module.js';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // Early in the list: shut down last, so the spans of the last runs are flushed.
        TelemetryModule.forRoot('tributary-api'),
        TypeOrmModule.forRoot({ ...dataSourceOptions(config), autoLoadEntities: true }),
        ScheduleModule.forRoot(),
        RedisModule,
        QueueModule,
        AuditModule,
        AuthModule,
        ApiKeysModule,
        UsersModule,
        SsoModule,
        CredentialsModule,
        VariablesModule,
        WorkflowsModule,
        TemplatesModule,
        ExecutionsModule,
        WebhooksModule,
        SchedulerModule,
        ConsumersModule,
        GatewayModule,
        MetricsModule,
        EventsModule,
        RealtimeModule,
        McpModule,
      ],
      controllers: [HealthController, CatalogueController],
      providers: [ShutdownState, HealthRepository],
    };
  }
}
