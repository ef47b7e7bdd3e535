import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { EngineService } from './engine.service.js';
import { LiveModule } from '../live/live.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { VariablesModule } from '../variables/variables.module.js';
import { ErrorWorkflows } from './error-workflows.js';
import { ExecutionsRepository } from './executions.repository.js';
import { ExecutionsService } from './executions.service.js';
import { ExecutionEvents } from './execution-events.js';
import { ExecutionLifecycle } from './execution-lifecycle.js';
import { ExecutionRunner } from './execution-runner.js';
import { LeaseKeeper } from './lease-keeper.js';
import { DurableWaits } from './durable-waits.js';
import { resumeTokensProvider } from './resume-tokens.js';
import { WaitsRepository } from './waits.repository.js';

/** What both processes need to start, run and record executions (the api adds HTTP, the worker adds the processor). */
@Module({
  imports: [CredentialsModule, LiveModule, WorkflowsModule, VariablesModule],
  providers: [ExecutionsRepository, ExecutionsService, EngineService, LeaseKeeper, ExecutionLifecycle, ExecutionEvents, ErrorWorkflows, ExecutionRunner, WaitsRepository, DurableWaits, resumeTokensProvider],
  exports: [ExecutionsRepository, ExecutionsService, EngineService, ExecutionLifecycle, ExecutionRunner, DurableWaits, ErrorWorkflows, LiveModule],
})
export class ExecutionsCoreModule {}
