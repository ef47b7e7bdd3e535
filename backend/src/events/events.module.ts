import { Module } from '@nestjs/common';
import { EVENTS_QUEUE, QueueFactory } from '../queue/queue.factory.js';
import { EventsCoreModule } from './events-core.module.js';
import { EventsReconciler } from './events-reconciler.js';
import { EventsController } from './events.controller.js';
import { EVENTS_JOBS, EventsService } from './events.service.js';

@Module({
  imports: [EventsCoreModule],
  controllers: [EventsController],
  providers: [
    EventsService,
    EventsReconciler,
    {
      provide: EVENTS_JOBS,
      inject: [QueueFactory],
      useFactory: (f: QueueFactory) =>
        f.queue(EVENTS_QUEUE, {
          defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600, count: 10_000 }, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
        }),
    },
  ],
})
export class EventsModule {}
