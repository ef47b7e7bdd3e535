import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';
import { WorkflowCache } from './workflow-cache.js';

@Module({
  imports: [ExecutionsCoreModule, WorkflowsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WorkflowCache],
  exports: [WebhooksService],
})
export class WebhooksModule {}
