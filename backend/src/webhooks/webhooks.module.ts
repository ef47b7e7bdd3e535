import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { WebhooksService } from './webhooks.service.js';
import { WorkflowCache } from './workflow-cache.js';

/** Webhook ingress: the route itself is a plain Fastify route (webhook-route.ts), registered in app.ts. */
@Module({
  imports: [ExecutionsCoreModule, WorkflowsModule],
  providers: [WebhooksService, WorkflowCache],
  exports: [WebhooksService],
})
export class WebhooksModule {}
