import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { nonOverlapping } from '../common/non-overlapping.js';
import { EventDelivery } from './event-delivery.js';
import { EventsRepository } from './events.repository.js';

/** Scheduled events whose job was never added (queue down) or lost are delivered once they are this late. */
const LATE_BY_MS = 15_000;

@Injectable()
export class EventsReconciler implements OnApplicationShutdown {
  private readonly logger = new Logger('Events');

  constructor(
    private readonly repo: EventsRepository,
    private readonly delivery: EventDelivery,
  ) {}

  @Interval(10_000)
  tick(): Promise<number> {
    return this.pass();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pass.idle();
  }

  /** Delivers what is overdue; answers how many (0 while the previous pass still runs). */
  private readonly pass = nonOverlapping(() => this.deliverOverdue(), 0);

  private async deliverOverdue(): Promise<number> {
    let delivered = 0;
    try {
      for (const e of await this.repo.overdue(LATE_BY_MS, 200)) {
        if ((await this.delivery.deliver(e)).delivered) delivered++;
      }
      if (delivered) this.logger.warn({ msg: 'delivered overdue scheduled events', count: delivered });
    } catch (err) {
      this.logger.warn({ msg: 'event reconcile failed; will retry', err: (err as Error).message });
    }
    return delivered;
  }
}
