import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { connectRedis } from '../common/redis.module.js';
import { withTimeout } from '../common/timeout.js';
import { CONFIG, type Config } from '../config/config.js';
import { connectAndListen, listenerClient } from '../database/notifications.js';
import { channelTenant, PG_EVENTS_CHANNEL, PlatformEvents, tenantChannel, type PlatformEvent } from '../live/platform-events.js';
import { RealtimeGateway } from './realtime.gateway.js';

/** How long a socket's auth_success waits for its tenant's subscription (Redis slow or down). */
const WATCH_TIMEOUT_MS = 2_000;

/**
 * Feeds the gateway: one dedicated Redis subscriber per api process, subscribed to the channels of
 * the tenants this process has sockets for (so it receives only events it can deliver); without
 * Redis, one PostgreSQL connection LISTENing to every tenant's events. See executions/execution-events.ts.
 */
@Injectable()
export class PlatformEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private subscriber?: Redis;
  private listener?: pg.Client;
  private listenRetry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly events: PlatformEvents,
    private readonly gateway: RealtimeGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.setTenantWatcher({ watch: (tenantId) => this.watch(tenantId), unwatch: (tenantId) => this.unwatch(tenantId) });
    if (!this.config.redisUrl) {
      void this.listen(0);
      return;
    }
    // A subscribed connection can issue nothing else, hence its own; ioredis re-subscribes after a reconnect.
    const sub = connectRedis(this.config, { connectionName: 'tributary:realtime', maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    sub.on('error', (err) => this.logger.warn({ msg: 'realtime subscriber connection error', err: err.message }));
    sub.on('message', (channel: string, message: string) => this.receive(channel, message));
    // Back after an outage: announce our tenants again, for publishers that started or lost track meanwhile.
    sub.on('ready', () => {
      for (const tenantId of this.gateway.watchedTenants()) void this.events.watch(tenantId).catch(() => undefined);
    });
    this.subscriber = sub;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.listenRetry);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
    await this.listener?.end().catch(() => undefined);
  }

  /** Without Redis: LISTEN on PostgreSQL, reconnecting with a growing pause when the connection drops. */
  private async listen(failures: number): Promise<void> {
    if (this.stopped) return;
    const client = listenerClient(this.config, 'tributary:realtime');
    let retried = false;
    const retry = (err?: Error) => {
      if (retried || this.stopped) return;
      retried = true;
      if (err) this.logger.warn({ msg: 'live events connection to PostgreSQL lost; reconnecting', err: err.message });
      client.end().catch(() => undefined);
      this.listenRetry = setTimeout(() => void this.listen(failures + 1), Math.min(250 * 2 ** failures, 5_000));
    };
    client.on('error', retry);
    client.on('end', () => retry());
    client.on('notification', (n) => {
      if (n.channel === PG_EVENTS_CHANNEL && n.payload) this.receive(undefined, n.payload);
    });
    try {
      await connectAndListen(client, PG_EVENTS_CHANNEL);
      this.listener = client;
      failures = 0;
    } catch (err) {
      retry(err as Error);
    }
  }

  /** A first socket of this tenant here: subscribe to its channel, then make publishers send its events. */
  private async watch(tenantId: string): Promise<void> {
    const ready = (async () => {
      await this.subscriber?.subscribe(tenantChannel(this.config, tenantId));
      await this.events.watch(tenantId);
    })();
    // Past the timeout the socket is served anyway; ioredis completes the subscription when Redis is back.
    await withTimeout(ready, WATCH_TIMEOUT_MS).catch((err: Error) =>
      this.logger.warn({ msg: 'could not subscribe to a tenant\'s events yet; serving the socket anyway', tenantId, err: err.message }),
    );
  }

  private unwatch(tenantId: string): void {
    this.events.unwatch(tenantId);
    this.subscriber?.unsubscribe(tenantChannel(this.config, tenantId)).catch(() => undefined);
  }

  /**
   * A message is one event or, as publishers batch them per tick, an array of events: of the tenant
   * its Redis channel names, or of any tenant on PostgreSQL's one channel.
   */
  private receive(channel: string | undefined, message: string): void {
    const tenantId = channel === undefined ? undefined : channelTenant(this.config, channel);
    if (channel !== undefined && !tenantId) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    for (const e of (Array.isArray(parsed) ? parsed : [parsed]) as PlatformEvent[]) {
      // A Redis channel names the tenant: an event claiming another tenant is not delivered.
      if (typeof e?.tenantId !== 'string' || (tenantId && e.tenantId !== tenantId) || typeof e.event !== 'string') continue;
      this.gateway.deliver(e);
    }
  }
}
