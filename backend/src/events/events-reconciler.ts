import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { EventDelivery } from './event-delivery.js';
import { EventsRepository } from './events.repository.js';

/** Scheduled events whose job was never added (queue down) or lost are delivered once they are this late. */
const LATE_BY_MS = 15_000;

@Injectable()
export class EventsReconciler {
  private readonly logger = new Logger('Events');
  private running = false;

  constructor(
    private readonly repo: EventsRepository,
    private readonly delivery: EventDelivery,
  ) {}

  @Interval(10_000)
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let delivered = 0;
    try {
      for (const e of await this.repo.overdue(LATE_BY_MS, 200)) {
        if ((await this.delivery.deliver(e)).delivered) delivered++;
      }
      if (delivered) this.logger.warn({ msg: 'delivered overdue scheduled events', count: delivered });
    } catch (err) {
      this.logger.warn({ msg: 'event reconcile failed; will retry', err: (err as Error).message });
    } finally {
      this.running = false;
    }
    return delivered;
  }
}
