import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { CONFIG, type Config } from '../config/config.js';
import { EVENTS_QUEUE, QueueFactory } from '../queue/queue.factory.js';
import { EventDelivery } from './event-delivery.js';
import { DELIVER_EVENT_JOB, type DeliverEventJobData } from './event-jobs.js';

/** The worker's side of scheduled events: a delayed job per event fires at `deliverAt`. */
@Injectable()
export class EventDeliveryProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventsWorker');
  private worker?: Worker;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly queues: QueueFactory,
    private readonly delivery: EventDelivery,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = this.queues.worker(EVENTS_QUEUE, (job) => this.process(job), {
      concurrency: 4,
      lockDuration: this.config.workerLockMs,
      stalledInterval: Math.max(500, Math.floor(this.config.workerLockMs / 2)),
      maxStalledCount: 3,
    });
    this.worker.on('error', (err) => this.logger.warn({ msg: 'queue connection error', err: err.message }));
    this.worker.on('failed', (job, err) => this.logger.error({ msg: 'event delivery failed', jobId: job?.id, attempt: job?.attemptsMade, err: err.message }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: Job): Promise<string> {
    if (job.name !== DELIVER_EVENT_JOB) throw new Error(`no handler for job "${job.name}"`);
    return this.delivery.deliverById((job.data as DeliverEventJobData).eventId);
  }
}
