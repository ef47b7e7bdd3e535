/**
 * Live platform events (execution progress, workflow updates, published events), for the tenants
 * someone is watching.
 *
 * With Redis, each tenant has its own channel, and an api process subscribes to the channels of the
 * tenants it has sockets for (realtime/platform-event-feed.ts). Publishers (every api and worker
 * process) keep the set of watched tenants and publish nothing for the others, so a run nobody is
 * looking at costs no Redis traffic and no api process parses events it cannot deliver. They learn
 * the set from Redis itself:
 *   - a process that starts watching a tenant subscribes first, then announces the tenant on the
 *     interest channel, which every publisher listens to;
 *   - after (re)connecting, a publisher adds every tenant channel Redis reports a subscriber for
 *     (PUBSUB CHANNELS);
 *   - a PUBLISH that reached nobody drops the tenant, unless an announcement arrived since it was
 *     sent (a watcher subscribes before it announces, so such a PUBLISH may have come too early).
 * Without Redis there is one process: events go through an in-process emitter.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
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

/** The Redis channel of one tenant's events. */
export function tenantChannel(config: Pick<Config, 'redisPrefix'>, tenantId: string): string {
  return `${config.redisPrefix}:events:${tenantId}`;
}

/** The tenant a channel name belongs to, or undefined for another channel. */
export function channelTenant(config: Pick<Config, 'redisPrefix'>, channel: string): string | undefined {
  const prefix = `${config.redisPrefix}:events:`;
  return channel.startsWith(prefix) ? channel.slice(prefix.length) : undefined;
}

/** Where a process that starts watching a tenant announces it to every publisher. */
export function interestChannel(config: Pick<Config, 'redisPrefix'>): string {
  return `${config.redisPrefix}:events-interest`;
}

const REFRESH_MS = 30_000;

@Injectable()
export class PlatformEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PlatformEvents');
  /** In-process delivery when there is no Redis. */
  readonly local = new EventEmitter();
  /** Tenants watched anywhere: their events are published, others' are not. */
  private readonly watched = new Set<string>();
  /** Tenants watched by this process (the realtime gateway's sockets). */
  private readonly watchedHere = new Set<string>();
  /** Announcements received so far, and the count when each tenant was last announced. */
  private announcements = 0;
  private readonly announcedAt = new Map<string, number>();
  /** Events of this tick by tenant: one PUBLISH per tenant per tick. */
  private pending = new Map<string, PlatformEvent[]>();
  private interest?: Redis;
  private refresher?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.local.setMaxListeners(0);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.redis) return;
    const sub = this.redis.duplicate({ connectionName: 'tributary:events-interest', enableOfflineQueue: true, maxRetriesPerRequest: null, enableAutoPipelining: false });
    this.interest = sub;
    sub.on('error', () => undefined /* ioredis reconnects and re-subscribes */);
    sub.on('message', (_channel: string, tenantId: string) => this.announced(tenantId));
    sub.on('ready', () => void this.refresh());
    this.refresher = setInterval(() => void this.refresh(), REFRESH_MS);
    this.refresher.unref();
    await sub.subscribe(interestChannel(this.config)).catch((err: Error) => this.logger.warn({ msg: 'interest channel not subscribed yet; retried on reconnect', err: err.message }));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    await this.interest?.quit().catch(() => this.interest?.disconnect());
  }

  /** Whether events of this tenant are published (someone watches it, as far as this process knows). */
  isWatched(tenantId: string): boolean {
    return this.redis ? this.watched.has(tenantId) : this.watchedHere.has(tenantId);
  }

  publish(tenantId: string, event: PlatformEventName, data: unknown): void {
    if (!this.isWatched(tenantId)) return;
    const message: PlatformEvent = { tenantId, event, data };
    if (!this.redis) {
      this.local.emit('event', message);
      return;
    }
    const list = this.pending.get(tenantId);
    if (list) list.push(message);
    else {
      this.pending.set(tenantId, [message]);
      if (this.pending.size === 1) setImmediate(() => this.flush());
    }
  }

  /**
   * The realtime gateway has a first socket of this tenant (its feed has subscribed to the tenant's
   * channel): publish its events from now on, and tell every other publisher.
   */
  async watch(tenantId: string): Promise<void> {
    this.watchedHere.add(tenantId);
    this.watched.add(tenantId);
    await this.redis?.publish(interestChannel(this.config), tenantId);
  }

  /** The gateway's last socket of this tenant left; other publishers drop it at their next unheard PUBLISH. */
  unwatch(tenantId: string): void {
    this.watchedHere.delete(tenantId);
  }

  private announced(tenantId: string): void {
    this.announcedAt.set(tenantId, ++this.announcements);
    this.watched.add(tenantId);
    if (this.announcedAt.size > 100_000) this.announcedAt.clear();
  }

  /** Adds the tenants whose channels have a subscriber now (after a reconnect we may have missed announcements). */
  private async refresh(): Promise<void> {
    try {
      const channels = (await this.redis!.call('PUBSUB', 'CHANNELS', `${tenantChannel(this.config, '')}*`)) as string[];
      for (const c of channels) {
        const tenantId = channelTenant(this.config, c);
        if (tenantId) this.watched.add(tenantId);
      }
    } catch {
      /* Redis is down: the next reconnect or interval tries again */
    }
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = new Map();
    const sentAt = this.announcements;
    for (const [tenantId, events] of batch) {
      // Fire and forget: live updates must never slow down or fail a run.
      this.redis!.publish(tenantChannel(this.config, tenantId), JSON.stringify(events.length === 1 ? events[0] : events)).then(
        (receivers) => {
          if (receivers === 0 && !this.watchedHere.has(tenantId) && (this.announcedAt.get(tenantId) ?? 0) <= sentAt) this.watched.delete(tenantId);
        },
        () => undefined,
      );
    }
  }
}
