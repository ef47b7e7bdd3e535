import { Module } from '@nestjs/common';
import { Notifications } from '../database/notifications.js';
import { PlatformEvents } from './platform-events.js';

/** The live-event bus (execution progress, workflow updates, published events) every feature may publish on. */
@Module({
  providers: [PlatformEvents, Notifications],
  exports: [PlatformEvents, Notifications],
})
export class LiveModule {}
