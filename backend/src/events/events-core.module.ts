import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { EventDelivery } from './event-delivery.js';
import { EventsRepository } from './events.repository.js';

/** What both processes need to deliver an event (the api publishes, the worker delivers scheduled ones). */
@Module({
  imports: [ExecutionsCoreModule, WorkflowsModule],
  providers: [EventsRepository, EventDelivery],
  exports: [EventsRepository, EventDelivery],
})
export class EventsCoreModule {}
