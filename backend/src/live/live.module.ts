import { Module } from '@nestjs/common';
import { Notifications } from '../database/notifications.js';
import { PlatformEvents } from './platform-events.js';
import { TenantEventFeed } from './tenant-event-feed.js';

/**
 * The live-event bus (execution progress, workflow updates, published events) every feature may
 * publish on, and the one feed of it per process that the realtime gateway and the MCP server hear.
 */
@Module({
  providers: [PlatformEvents, Notifications, TenantEventFeed],
  exports: [PlatformEvents, Notifications, TenantEventFeed],
})
export class LiveModule {}
