import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { CONFIG, type Config } from '../config/config.js';
import { EXECUTIONS_QUEUE, QueueFactory } from './queue.factory.js';

export const EXECUTIONS = Symbol('EXECUTIONS_QUEUE');

@Global()
@Module({
  providers: [
    { provide: QueueFactory, inject: [CONFIG], useFactory: (config: Config) => new QueueFactory(config) },
    {
      provide: EXECUTIONS,
      inject: [QueueFactory],
      useFactory: (f: QueueFactory) =>
        f.queue(EXECUTIONS_QUEUE, {
          defaultJobOptions: { removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 10_000 }, attempts: 1 },
        }),
    },
  ],
  exports: [QueueFactory, EXECUTIONS],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(@Inject(QueueFactory) private readonly factory: QueueFactory) {}

  async onApplicationShutdown(): Promise<void> {
    await this.factory.close();
  }
}

export type ExecutionsQueue = Queue;
