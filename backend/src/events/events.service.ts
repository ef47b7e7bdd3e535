import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Page } from '../common/pagination.js';
import { EventDelivery } from './event-delivery.js';
import { DELIVER_EVENT_JOB, type DeliverEventJobData } from './event-jobs.js';
import { EventsRepository, toView, type Bucket, type EventView } from './events.repository.js';
import type { ListEventsQuery, PublishEventInput } from './events.schema.js';
import type { PublishResult } from '@tributary/contracts';

export const EVENTS_JOBS = Symbol('EVENTS_JOBS');
/** The answer of `POST /events`: the contract's (executionIds is empty while the event is scheduled). */
export type { PublishResult } from '@tributary/contracts';

@Injectable()
export class EventsService {
  private readonly logger = new Logger('Events');

  constructor(
    private readonly repo: EventsRepository,
    private readonly delivery: EventDelivery,
    @Inject(EVENTS_JOBS) private readonly jobs: Queue,
  ) {}

  /** Records the event, then delivers it now or adds a delayed job (job id = event id) for `deliverAt`. */
  async publish(tenantId: string, publisherId: string | null, input: PublishEventInput): Promise<PublishResult> {
    const deliverAt = input.deliverAt ? new Date(input.deliverAt) : null;
    const stored = await this.repo.insert({ id: randomUUID(), tenantId, topic: input.topic, data: input.data, publisherId, deliverAt });
    const delay = deliverAt ? deliverAt.getTime() - Date.now() : 0;
    if (delay <= 0) {
      const d = await this.delivery.deliver(stored);
      return { ...d.event, executionIds: d.executionIds, scheduled: false };
    }
    try {
      await this.jobs.add(DELIVER_EVENT_JOB, { eventId: stored.id } satisfies DeliverEventJobData, { jobId: stored.id, delay });
    } catch (err) {
      // Recorded all the same: the reconciler delivers it once it is overdue.
      this.logger.warn({ msg: 'queue unreachable; the scheduled event will be delivered by the reconciler', eventId: stored.id, err: (err as Error).message });
    }
    return { ...toView(stored), executionIds: [], scheduled: true };
  }

  list(tenantId: string, q: ListEventsQuery): Promise<Page<EventView>> {
    return this.repo.list(tenantId, q);
  }

  async timeline(tenantId: string, q: ListEventsQuery & { groupBy: 'hour' | 'day' }): Promise<{ groupBy: 'hour' | 'day'; timezone: string; buckets: Bucket[] }> {
    return { groupBy: q.groupBy, timezone: q.timezone, buckets: await this.repo.buckets(tenantId, q) };
  }
}
