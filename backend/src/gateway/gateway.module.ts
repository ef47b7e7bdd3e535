import { Module } from '@nestjs/common';
import { ConsumersModule } from '../consumers/consumers.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { KongTemplatesRepository } from './kong-templates.repository.js';
import { KongController } from './kong.controller.js';
import { KongService } from './kong.service.js';

/** Kong: generated patterns per workflow, the tenant's config, pushes to a DB-less Admin API. */
@Module({
  imports: [WorkflowsModule, ConsumersModule],
  controllers: [KongController],
  providers: [KongService, KongTemplatesRepository],
  exports: [KongService],
})
export class GatewayModule {}
