import { Injectable, Logger } from '@nestjs/common';
import { PlatformEvents } from '../live/platform-events.js';
import { ExecutionsService, flowOf } from '../executions/executions.service.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { EventsRepository, toView, type EventView, type StoredEvent } from './events.repository.js';

export interface Delivery {
  event: EventView;
  executionIds: string[];
  /** False when another process delivered it first. */
  delivered: boolean;
}

/**
 * Delivers one event, in the api (immediate) or the worker (scheduled): starts every workflow whose
 * `event` trigger matches, marks it delivered, then tells the tenant's sockets. The starts carry the
 * event id as idempotency key, so a delivery retried after a crash starts no workflow twice.
 */
@Injectable()
export class EventDelivery {
  private readonly logger = new Logger('Events');

  constructor(
    private readonly repo: EventsRepository,
    private readonly executions: ExecutionsService,
    private readonly platform: PlatformEvents,
    private readonly workflows: WorkflowsService,
  ) {}

  async deliver(e: StoredEvent): Promise<Delivery> {
    const workflows = await this.workflows.triggeredByEvent(e.tenantId, e.topic);
    const payload = { ...e.data, $event: { id: e.id, topic: e.topic, publishedAt: e.createdAt, publisherId: e.publisherId } };
    const starts = await Promise.all(
      workflows.map((w) =>
        this.executions.start({ tenantId: e.tenantId, workflowId: w.id, workflowVersion: w.version, triggerType: 'event', payload, idempotencyKey: `event:${e.id}`, flow: flowOf(w) }),
      ),
    );
    const executionIds = starts.map((s) => s.executionId);
    const deliveredAt = await this.repo.markDelivered(e.id);
    const event = toView({ ...e, deliveredAt: deliveredAt ?? e.deliveredAt });
    if (!deliveredAt) return { event, executionIds, delivered: false };
    this.platform.publish(e.tenantId, 'event.published', { ...event, executionIds });
    if (workflows.length) this.logger.log({ msg: 'event delivered', eventId: e.id, topic: e.topic, workflows: workflows.length });
    return { event, executionIds, delivered: true };
  }

  /** For the queue job: by id, skipping an event already delivered (or deleted with its tenant). */
  async deliverById(id: string): Promise<string> {
    const e = await this.repo.get(id);
    if (!e) return 'skipped: event no longer exists';
    if (e.deliveredAt) return 'skipped: already delivered';
    const d = await this.deliver(e);
    return d.delivered ? `delivered to ${d.executionIds.length} workflows` : 'skipped: delivered elsewhere';
  }
}
