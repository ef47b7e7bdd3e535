import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [ExecutionsCoreModule, WorkflowsModule],
  providers: [SchedulerService],
  exports: [SchedulerService],
})
export class SchedulerModule {}
