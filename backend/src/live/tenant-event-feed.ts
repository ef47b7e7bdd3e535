/**
 * What an api process hears of the live-event bus (live/platform-events.ts), for the tenants it has
 * listeners of: the realtime gateway's sockets and the MCP server's sessions share it. With Redis,
 * one subscriber connection per process, subscribed to the channels of the tenants watched here (and
 * announced with `PlatformEvents.watch`, so api and worker processes publish those tenants' events);
 * without Redis, one PostgreSQL connection LISTENing to every tenant's events. Both open at the
 * first watch, not at boot: a process nobody watches through pays nothing.
 *
 * Watches are counted per tenant: the tenant stays subscribed while any socket or session of it is
 * here. Consumers get every event of a watched tenant and keep to the tenants they care about.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { connectRedis } from '../common/redis.module.js';
import { withTimeout } from '../common/timeout.js';
import { CONFIG, type Config } from '../config/config.js';
import { connectAndListen, listenerClient } from '../database/notifications.js';
import { channelTenant, PG_EVENTS_CHANNEL, PlatformEvents, tenantChannel, type PlatformEvent } from './platform-events.js';

/** How long a new watcher waits for its tenant's subscription (Redis or PostgreSQL slow or down): past it, it is served anyway. */
const WATCH_TIMEOUT_MS = 2_000;

export type TenantEventConsumer = (e: PlatformEvent) => void;

@Injectable()
export class TenantEventFeed implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveEvents');
  /** Tenant → watchers here: subscribed while positive. */
  private readonly tenants = new Map<string, number>();
  private readonly consumers: { name: string; fn: TenantEventConsumer }[] = [];
  private subscriber?: Redis;
  private listener?: pg.Client;
  /** Without Redis: resolves once LISTEN is in place (the first watcher waits for it). */
  private listening?: Promise<void>;
  private listenRetry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly events: PlatformEvents,
  ) {}

  /** `name` says whose listener threw, in the log. */
  consume(name: string, fn: TenantEventConsumer): void {
    this.consumers.push({ name, fn });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.listenRetry);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    await this.listener?.end().catch(() => undefined);
  }

  /** A watcher of this tenant starts here: its events flow before this resolves (or after WATCH_TIMEOUT_MS, at the latest). */
  async watch(tenantId: string, who = 'a watcher'): Promise<void> {
    const n = this.tenants.get(tenantId) ?? 0;
    this.tenants.set(tenantId, n + 1);
    if (n > 0) return;
    const ready = this.config.redisUrl
      ? (async () => {
          await this.redisSubscriber().subscribe(tenantChannel(this.config, tenantId));
          await this.events.watch(tenantId);
        })()
      : (this.listening ??= this.listen(0));
    // ioredis completes the subscription when Redis is back.
    await withTimeout(ready, WATCH_TIMEOUT_MS).catch((err: Error) =>
      this.logger.warn({ msg: `could not subscribe to a tenant's events yet; serving ${who} anyway`, tenantId, err: err.message }),
    );
  }

  /** A watcher of this tenant ended here; the last one unsubscribes (publishers drop the tenant at their next PUBLISH nobody hears). */
  unwatch(tenantId: string): void {
    const n = this.tenants.get(tenantId) ?? 0;
    if (n > 1) {
      this.tenants.set(tenantId, n - 1);
      return;
    }
    if (n === 0) return;
    this.tenants.delete(tenantId);
    this.events.unwatch(tenantId);
    this.subscriber?.unsubscribe(tenantChannel(this.config, tenantId)).catch(() => undefined);
  }

  private redisSubscriber(): Redis {
    if (this.subscriber) return this.subscriber;
    // A subscribed connection can issue nothing else, hence its own; ioredis re-subscribes after a reconnect.
    const sub = connectRedis(this.config, { connectionName: 'tributary:live', maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    sub.on('error', (err: Error) => this.logger.warn({ msg: 'live events subscriber connection error', err: err.message }));
    sub.on('message', (channel: string, message: string) => this.receive(channel, message));
    // Back after an outage: announce our tenants again, for publishers that started or lost track meanwhile.
    sub.on('ready', () => {
      for (const tenantId of this.tenants.keys()) void this.events.watch(tenantId).catch(() => undefined);
    });
    this.subscriber = sub;
    return sub;
  }

  /** Without Redis: LISTEN on PostgreSQL, reconnecting with a growing pause when the connection drops. */
  private listen(failures: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      const client = listenerClient(this.config, 'tributary:live');
      let retried = false;
      const retry = (err?: Error) => {
        resolve();
        if (retried || this.stopped) return;
        retried = true;
        if (err) this.logger.warn({ msg: 'live events connection to PostgreSQL lost; reconnecting', err: err.message });
        client.end().catch(() => undefined);
        if (this.listener === client) this.listener = undefined;
        this.listenRetry = setTimeout(() => void this.listen(failures + 1), Math.min(250 * 2 ** failures, 5_000));
      };
      client.on('error', retry);
      client.on('end', () => retry());
      client.on('notification', (n) => {
        if (n.channel === PG_EVENTS_CHANNEL && n.payload) this.receive(undefined, n.payload);
      });
      connectAndListen(client, PG_EVENTS_CHANNEL).then(
        () => {
          this.listener = client;
          failures = 0;
          resolve();
        },
        (err: Error) => retry(err),
      );
    });
  }

  /** One event or, as publishers batch them per tick, an array: of the tenant its Redis channel names, or of any tenant on PostgreSQL's channel. */
  private receive(channel: string | undefined, message: string): void {
    if (!this.tenants.size || !this.consumers.length) return;
    const channelTenantId = channel === undefined ? undefined : channelTenant(this.config, channel);
    if (channel !== undefined && !channelTenantId) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    for (const e of (Array.isArray(parsed) ? parsed : [parsed]) as PlatformEvent[]) {
      if (typeof e?.tenantId !== 'string' || typeof e.event !== 'string') continue;
      // A Redis channel names the tenant: an event claiming another tenant is not believed.
      if (channelTenantId && e.tenantId !== channelTenantId) continue;
      if (!this.tenants.has(e.tenantId)) continue;
      for (const c of this.consumers) {
        try {
          c.fn(e);
        } catch (err) {
          this.logger.error({ msg: `a live events consumer (${c.name}) threw`, event: e.event, err });
        }
      }
    }
  }
}
