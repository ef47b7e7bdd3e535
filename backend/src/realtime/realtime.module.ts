import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuthModule } from '../auth/auth.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { LiveModule } from '../live/live.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { PlatformEventFeed } from './platform-event-feed.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { WorkflowUpdates } from './workflow-updates.js';

/** The api's WebSocket endpoint and what feeds it; `createApp` attaches the gateway to the HTTP server. */
@Module({
  imports: [
    AuthModule,
    LiveModule,
    WorkflowsModule,
    JwtModule.registerAsync({ inject: [CONFIG], useFactory: (config: Config) => ({ secret: config.jwt.secret, verifyOptions: { algorithms: ['HS256'] } }) }),
  ],
  providers: [RealtimeGateway, PlatformEventFeed, WorkflowUpdates],
  exports: [RealtimeGateway],
})
export class RealtimeModule {}
