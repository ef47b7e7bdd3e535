import { Module } from '@nestjs/common';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { WorkflowsModule } from '../workflows/workflows.module.js';
import { TemplatesController } from './templates.controller.js';
import { TemplatesService } from './templates.service.js';

/** Workflow templates (docs/templates.md): `GET /templates`, `POST /templates/:key/use`. */
@Module({
  imports: [WorkflowsModule, CredentialsModule],
  controllers: [TemplatesController],
  providers: [TemplatesService],
})
export class TemplatesModule {}
