import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TenantEventFeed } from '../live/tenant-event-feed.js';
import { RealtimeGateway } from './realtime.gateway.js';

/**
 * Feeds the gateway from the process's live-event feed (live/tenant-event-feed.ts, shared with the
 * MCP server): a tenant is watched from its first socket here to its last, and every event of a
 * watched tenant goes to the gateway, which sends it to the sockets that subscribe to it.
 */
@Injectable()
export class PlatformEventFeed implements OnApplicationBootstrap {
  constructor(
    private readonly feed: TenantEventFeed,
    private readonly gateway: RealtimeGateway,
  ) {}

  onApplicationBootstrap(): void {
    this.gateway.setTenantWatcher({ watch: (tenantId) => this.feed.watch(tenantId, 'the socket'), unwatch: (tenantId) => this.feed.unwatch(tenantId) });
    this.feed.consume('realtime', (e) => this.gateway.deliver(e));
  }
}
