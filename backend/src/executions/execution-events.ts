/**
 * Execution lifecycle events, published so any api process can deliver them to the tenant's sockets:
 * through Redis pub/sub when there is Redis, in process otherwise.
 */
import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';

export type PlatformEventName =
  | 'execution.queued'
  | 'execution.started'
  | 'execution.step'
  | 'execution.succeeded'
  | 'execution.failed'
  | 'workflow.updated'
  | 'event.published';

export interface PlatformEvent {
  tenantId: string;
  event: PlatformEventName;
  data: unknown;
}

export function eventsChannel(config: Config): string {
  return `${config.redisPrefix}:platform-events`;
}

@Injectable()
export class PlatformEvents {
  /** In-process subscribers (used when there is no Redis, and by tests). */
  readonly local = new EventEmitter();
  /** Events published during this tick: sent as one Redis message (one PUBLISH per tick, not per event). */
  private pending: PlatformEvent[] = [];

  constructor(
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.local.setMaxListeners(0);
  }

  publish(tenantId: string, event: PlatformEventName, data: unknown): void {
    const message: PlatformEvent = { tenantId, event, data };
    if (!this.redis) {
      this.local.emit('event', message);
      return;
    }
    this.pending.push(message);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // Fire and forget: live updates must never slow down or fail a run.
    this.redis?.publish(eventsChannel(this.config), JSON.stringify(batch.length === 1 ? batch[0] : batch)).catch(() => undefined);
  }
}
