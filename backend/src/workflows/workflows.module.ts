import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { WorkflowEvents } from './workflow-events.js';
import { WorkflowVersion } from './workflow-version.entity.js';
import { Workflow } from './workflow.entity.js';
import { WorkflowsController } from './workflows.controller.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Workflow, WorkflowVersion]), CredentialsModule],
  controllers: [WorkflowsController],
  providers: [WorkflowsService, WorkflowsRepository, WorkflowEvents],
  exports: [WorkflowsService, WorkflowEvents],
})
export class WorkflowsModule {}
