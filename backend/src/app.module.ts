import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CatalogueController } from './catalogue/catalogue.controller.js';
import { RedisModule } from './common/redis.module.js';
import type { Config } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CredentialsModule } from './credentials/credentials.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthController } from './health/health.controller.js';
import { WorkflowsModule } from './workflows/workflows.module.js';

@Module({})
export class AppModule {
  static register(config: Config): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        RedisModule,
        AuditModule,
        AuthModule,
        CredentialsModule,
        WorkflowsModule,
      ],
      controllers: [HealthController, CatalogueController],
    };
  }
}
