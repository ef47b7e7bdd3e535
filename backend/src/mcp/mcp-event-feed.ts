/**
 * The live events the MCP server follows, for the tenants this api process has MCP sessions of: a
 * workflow saved, toggled or deleted (`workflow.updated`: the tool list may have changed), a run
 * ended or parked (`execution.*`: a tool call waiting for it answers), an API key revoked or a member
 * removed (their sessions close).
 *
 * It rides the process's live-event feed (live/tenant-event-feed.ts, shared with the realtime
 * gateway: one subscription per process, opened at the first watcher), and passes on the events of
 * the tenants that have MCP sessions here.
 */
import { Injectable } from '@nestjs/common';
import type { PlatformEvent } from '../live/platform-events.js';
import { TenantEventFeed } from '../live/tenant-event-feed.js';

export type McpEventListener = (e: PlatformEvent) => void;

@Injectable()
export class McpEventFeed {
  /** Tenant → MCP sessions of it here. */
  private readonly tenants = new Map<string, number>();

  constructor(private readonly feed: TenantEventFeed) {}

  onEvent(listener: McpEventListener): void {
    this.feed.consume('mcp', (e) => {
      if (this.tenants.has(e.tenantId)) listener(e);
    });
  }

  /** A session of this tenant starts here: its events flow before the session is handed out (or after the feed's timeout, at the latest). */
  async watch(tenantId: string): Promise<void> {
    this.tenants.set(tenantId, (this.tenants.get(tenantId) ?? 0) + 1);
    await this.feed.watch(tenantId, 'the MCP session');
  }

  /** A session of this tenant ended here. */
  unwatch(tenantId: string): void {
    const n = this.tenants.get(tenantId) ?? 0;
    if (n === 0) return;
    if (n > 1) this.tenants.set(tenantId, n - 1);
    else this.tenants.delete(tenantId);
    this.feed.unwatch(tenantId);
  }
}
