import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { EngineService } from './engine.service.js';
import { Notifications } from '../database/notifications.js';
import { PlatformEvents } from './execution-events.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService } from './executions.service.js';
import { ExecutionRunner } from './execution-runner.js';
import { LeaseKeeper } from './lease-keeper.js';

/** What both processes need to start, run and record executions (the api adds HTTP, the worker adds the processor). */
@Module({
  imports: [CredentialsModule],
  providers: [ExecutionsRepository, ExecutionsService, EngineService, PlatformEvents, Notifications, LeaseKeeper, ExecutionRunner],
  exports: [ExecutionsRepository, ExecutionsService, EngineService, PlatformEvents, ExecutionRunner],
})
export class ExecutionsCoreModule {}
