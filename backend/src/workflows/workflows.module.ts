import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { WorkflowEvents } from './workflow-events.js';
import { WorkflowVersion } from './workflow-version.entity.js';
import { Workflow } from './workflow.entity.js';
import { WorkflowsController } from './workflows.controller.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';
import { VariablesModule } from '../variables/variables.module.js';
import { EnvironmentsController, WorkflowPromotionController } from './environments.controller.js';
import { WorkflowPromotion } from './workflow-promotion.js';

@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowVersion]), CredentialsModule, VariablesModule],
  controllers: [WorkflowsController, WorkflowPromotionController, EnvironmentsController],
  providers: [WorkflowsService, WorkflowsRepository, WorkflowEvents, WorkflowPromotion],
  exports: [WorkflowsService, WorkflowEvents],
})
export class WorkflowsModule {}
