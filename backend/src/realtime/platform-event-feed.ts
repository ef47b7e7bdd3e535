import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONFIG, type Config } from '../config/config.js';
import { channelTenant, PlatformEvents, tenantChannel, type PlatformEvent } from '../executions/execution-events.js';
import { RealtimeGateway } from './realtime.gateway.js';

/** How long a socket's auth_success waits for its tenant's subscription (Redis slow or down). */
const WATCH_TIMEOUT_MS = 2_000;

/**
 * Feeds the gateway: one dedicated Redis subscriber per api process, subscribed to the channels of
 * the tenants this process has sockets for (so it receives only events it can deliver), or
 * PlatformEvents' in-process emitter without Redis. See executions/execution-events.ts.
 */
@Injectable()
export class PlatformEventFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Realtime');
  private subscriber?: Redis;
  private readonly onLocal = (e: PlatformEvent) => this.gateway.deliver(e);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly events: PlatformEvents,
    private readonly gateway: RealtimeGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.setTenantWatcher({ watch: (tenantId) => this.watch(tenantId), unwatch: (tenantId) => this.unwatch(tenantId) });
    if (!this.config.redisUrl) {
      this.events.local.on('event', this.onLocal);
      return;
    }
    // A subscribed connection can issue nothing else, hence its own; ioredis re-subscribes after a reconnect.
    const sub = new Redis(this.config.redisUrl, { connectionName: 'tributary:realtime', maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    sub.on('error', (err) => this.logger.warn({ msg: 'realtime subscriber connection error', err: err.message }));
    sub.on('message', (channel: string, message: string) => this.receive(channel, message));
    // Back after an outage: announce our tenants again, for publishers that started or lost track meanwhile.
    sub.on('ready', () => {
      for (const tenantId of this.gateway.watchedTenants()) void this.events.watch(tenantId).catch(() => undefined);
    });
    this.subscriber = sub;
  }

  async onApplicationShutdown(): Promise<void> {
    this.events.local.off('event', this.onLocal);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** A first socket of this tenant here: subscribe to its channel, then make publishers send its events. */
  private async watch(tenantId: string): Promise<void> {
    const ready = (async () => {
      await this.subscriber?.subscribe(tenantChannel(this.config, tenantId));
      await this.events.watch(tenantId);
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, WATCH_TIMEOUT_MS)));
    try {
      // Past the timeout the socket is served anyway; ioredis completes the subscription when Redis is back.
      await Promise.race([ready, late]);
    } catch (err) {
      this.logger.warn({ msg: 'could not subscribe to a tenant\'s events yet', tenantId, err: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
    ready.catch(() => undefined);
  }

  private unwatch(tenantId: string): void {
    this.events.unwatch(tenantId);
    this.subscriber?.unsubscribe(tenantChannel(this.config, tenantId)).catch(() => undefined);
  }

  /** A message is one event or, as publishers batch them per tick, an array of one tenant's events. */
  private receive(channel: string, message: string): void {
    const tenantId = channelTenant(this.config, channel);
    if (!tenantId) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    for (const e of (Array.isArray(parsed) ? parsed : [parsed]) as PlatformEvent[]) {
      // The channel names the tenant: an event claiming another tenant is not delivered.
      if (e?.tenantId !== tenantId || typeof e.event !== 'string') continue;
      this.gateway.deliver(e);
    }
  }
}
