import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONFIG, type Config } from '../config/config.js';
import { eventsChannel, PlatformEvents, type PlatformEvent } from '../executions/execution-events.js';
import { RealtimeGateway } from './realtime.gateway.js';

/**
 * Feeds the gateway: one dedicated Redis subscriber per api process on the platform-events channel
 * (workers and every api publish there), or PlatformEvents' in-process emitter without Redis.
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

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.redisUrl) {
      this.events.local.on('event', this.onLocal);
      return;
    }
    // A subscribed connection can issue nothing else, hence its own; ioredis re-subscribes after a reconnect.
    const sub = new Redis(this.config.redisUrl, { connectionName: 'tributary:realtime', maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    sub.on('error', (err) => this.logger.warn({ msg: 'realtime subscriber connection error', err: err.message }));
    sub.on('message', (_channel: string, message: string) => this.receive(message));
    this.subscriber = sub;
    try {
      await sub.subscribe(eventsChannel(this.config));
    } catch (err) {
      this.logger.warn({ msg: 'could not subscribe to platform events yet; retrying on reconnect', err: (err as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.events.local.off('event', this.onLocal);
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** A message is one event or, as publishers batch them per tick, an array of events. */
  private receive(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    for (const e of (Array.isArray(parsed) ? parsed : [parsed]) as PlatformEvent[]) {
      if (typeof e?.tenantId !== 'string' || typeof e.event !== 'string') continue;
      this.gateway.deliver(e);
    }
  }
}
