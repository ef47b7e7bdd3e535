import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { Workflow } from '../workflows/workflow.entity.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { SchedulerService } from './scheduler.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Workflow]), ExecutionsCoreModule, WorkflowsModule],
  providers: [SchedulerService],
  exports: [SchedulerService],
})
export class SchedulerModule {}
