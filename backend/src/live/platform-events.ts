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
 * Without Redis (the zero-install mode) the api and the worker are still separate processes, and
 * events travel through PostgreSQL: each tick's events as NOTIFY payloads on one channel, which every
 * api process LISTENs to. Everything is published there (PostgreSQL cannot say who listens).
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../common/redis.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { Notifications } from '../database/notifications.js';
import type { PlatformEventPayloads } from '@tributary/contracts';

/**
 * What each event carries: the contract's payloads (what clients read, see @tributary/contracts'
 * realtime), and internal events, not sent to clients: a member was removed, or an API key was
 * revoked; every api process closes that user's (or key's) sockets.
 */
export type PlatformEventData = PlatformEventPayloads & { 'user.removed': { userId: string }; 'api_key.revoked': { apiKeyId: string } };
export type PlatformEventName = keyof PlatformEventData;

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

/** The PostgreSQL NOTIFY channel of live events when there is no Redis (NOTIFY is per database). */
export const PG_EVENTS_CHANNEL = 'tributary_events';
/** A NOTIFY payload must stay under 8,000 bytes. */
const NOTIFY_MAX_BYTES = 7_800;

const REFRESH_MS = 30_000;
/** The longest `sendNow` holds its caller (a run's accept) when Redis or PostgreSQL is slow to take the events. */
const SEND_NOW_MS = 250;

/**
 * The tick's events as NOTIFY payloads: JSON arrays of at most NOTIFY_MAX_BYTES. An event too big for
 * one payload (a published event's data) goes out without its data, marked truncated: the client
 * reads it through the API.
 */
export function notifyPayloads(events: PlatformEvent[], maxBytes = NOTIFY_MAX_BYTES): string[] {
  const payloads: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const e of events) {
    let json = JSON.stringify(e);
    if (Buffer.byteLength(json) + 2 > maxBytes) {
      const d = (e.data ?? {}) as Record<string, unknown>;
      const keep = Object.fromEntries(['id', 'topic', 'executionId', 'workflowId', 'status'].filter((k) => k in d).map((k) => [k, d[k]]));
      json = JSON.stringify({ ...e, data: { ...keep, truncated: true } });
    }
    const bytes = Buffer.byteLength(json) + 1;
    if (current.length && size + bytes > maxBytes) {
      payloads.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += bytes;
  }
  if (current.length) payloads.push(`[${current.join(',')}]`);
  return payloads;
}

@Injectable()
export class PlatformEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PlatformEvents');
  /** Tenants watched anywhere: their events are published, others' are not. */
  private readonly watched = new Set<string>();
  /** Tenants watched by this process (the realtime gateway's sockets). */
  private readonly watchedHere = new Set<string>();
  /** Announcements received so far, and the count when each tenant was last announced. */
  private announcements = 0;
  private readonly announcedAt = new Map<string, number>();
  /** Events of this tick by tenant: one PUBLISH per tenant per tick. */
  private pending = new Map<string, PlatformEvent[]>();
  /** Without Redis: the NOTIFYs sent so far, in order (each waits for the one before). */
  private notifying: Promise<void> = Promise.resolve();
  /** Without Redis: this tick's events, sent with NOTIFY. */
  private pendingNotify: PlatformEvent[] = [];
  private interest?: Redis;
  private refresher?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | undefined,
    @Inject(CONFIG) private readonly config: Config,
    private readonly notifications: Notifications,
  ) {}

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
    return this.redis ? this.watched.has(tenantId) : true;
  }

  publish<E extends PlatformEventName>(tenantId: string, event: E, data: PlatformEventData[E]): void {
    if (!this.isWatched(tenantId)) return;
    const message: PlatformEvent = { tenantId, event, data };
    if (!this.redis) {
      this.pendingNotify.push(message);
      if (this.pendingNotify.length === 1) setImmediate(() => void this.flushNotify());
      return;
    }
    const list = this.pending.get(tenantId);
    if (list) list.push(message);
    else {
      this.pending.set(tenantId, [message]);
      if (this.pending.size === 1) setImmediate(() => void this.flush());
    }
  }

  /**
   * The realtime gateway has a first socket of this tenant (its feed has subscribed to the tenant's
   * channel): publish its events from now on, and tell every other publisher.
   */
  async watch(tenantId: string): Promise<void> {
    if (!this.redis) return;
    this.watchedHere.add(tenantId);
    this.watched.add(tenantId);
    await this.redis.publish(interestChannel(this.config), tenantId);
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

  /**
   * Sends what this tick has published so far, now, and resolves once Redis (or PostgreSQL) has it,
   * or after SEND_NOW_MS; never rejects. For an event that another process's later events must not
   * overtake: `execution.queued` is sent before the run's job exists, so a worker's `execution.started`
   * (published on another connection) cannot reach a client first. Nothing published: resolves at once.
   */
  sendNow(): Promise<void> {
    const sent = this.redis ? (this.pending.size ? this.flush() : undefined) : this.pendingNotify.length ? this.flushNotify() : undefined;
    if (!sent) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([sent, new Promise<void>((r) => (timer = setTimeout(r, SEND_NOW_MS)))]).finally(() => clearTimeout(timer));
  }

  private flushNotify(): Promise<void> {
    const batch = this.pendingNotify;
    this.pendingNotify = [];
    if (!batch.length) return this.notifying;
    // One tick's NOTIFY after the other: sent concurrently on two pool connections, a later tick's
    // (a run's first step) could commit before an earlier one's (its start) and arrive first.
    this.notifying = this.notifying.then(() =>
      this.notifications.notify(PG_EVENTS_CHANNEL, notifyPayloads(batch)).catch(() => undefined /* live updates never fail a run */),
    );
    return this.notifying;
  }

  private flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const sentAt = this.announcements;
    const sent: Promise<void>[] = [];
    for (const [tenantId, events] of batch) {
      // Fire and forget: live updates must never slow down or fail a run.
      sent.push(
        this.redis!.publish(tenantChannel(this.config, tenantId), JSON.stringify(events.length === 1 ? events[0] : events)).then(
          (receivers) => {
            if (receivers === 0 && !this.watchedHere.has(tenantId) && (this.announcedAt.get(tenantId) ?? 0) <= sentAt) this.watched.delete(tenantId);
          },
          () => undefined,
        ),
      );
    }
    return Promise.all(sent).then(() => undefined);
  }
}
