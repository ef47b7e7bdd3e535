import { Module } from '@nestjs/common';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { ExecutionsCoreModule } from './executions-core.module.js';
import { ExecutionsController, ResumeController } from './executions.controller.js';
import { ExecutionsReconciler } from './reconciler.js';
import { WorkflowRunsController } from './workflow-runs.controller.js';

@Module({
  imports: [ExecutionsCoreModule, WorkflowsModule],
  controllers: [ExecutionsController, ResumeController, WorkflowRunsController],
  providers: [ExecutionsReconciler],
})
export class ExecutionsModule {}
