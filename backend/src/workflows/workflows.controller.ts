import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiPositiveIntParam, ApiZodBody, ApiZodQuery, positiveIntParam, ZodBody, ZodParam, ZodQuery } from '../common/zod.js';
import { pinBodySchema, workflowImportSchema, workflowInputSchema, workflowUpdateSchema, type WorkflowImport, type WorkflowInput, type WorkflowUpdate } from '@tributary/contracts';
import { CredentialsService } from '../credentials/credentials.service.js';
import { WorkflowTransfer } from './workflow-transfer.js';
import { templatePreviewSchema, type TemplatePreviewRequest } from './template-preview.js';
import { WorkflowsService } from './workflows.service.js';

const listQuery = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  triggerType: z.enum(['webhook', 'schedule', 'event', 'manual']).optional(),
});
const toggleSchema = z.object({ enabled: z.boolean().optional() });

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowsController {
  private readonly transfer: WorkflowTransfer;

  constructor(
    private readonly workflows: WorkflowsService,
    credentials: CredentialsService,
  ) {
    this.transfer = new WorkflowTransfer(workflows, credentials);
  }

  @Post()
  @ApiZodBody(workflowInputSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(workflowInputSchema) body: WorkflowInput) {
    return this.workflows.create(user.tenantId, user.userId, body);
  }

  /** A workflow from an export document (docs/templates.md): references mapped, validated like a save. */
  @Post('import')
  @ApiZodBody(workflowImportSchema)
  import(@CurrentUser() user: AuthUser, @ZodBody(workflowImportSchema) body: WorkflowImport) {
    return this.transfer.import(user.tenantId, user.userId, body.document, body);
  }

  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.workflows.list(user.tenantId, q);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.workflows.get(user.tenantId, id);
  }

  /** The workflow as a portable document: references instead of ids, no secrets (docs/templates.md). */
  @Get(':id/export')
  export(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.transfer.export(user.tenantId, id);
  }

  @Put(':id')
  @ApiZodBody(workflowUpdateSchema)
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(workflowUpdateSchema) body: WorkflowUpdate) {
    return this.workflows.update(user.tenantId, user.userId, id, body);
  }

  @Put(':id/toggle')
  @ApiZodBody(toggleSchema)
  toggle(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(toggleSchema) body: z.output<typeof toggleSchema>) {
    return this.workflows.toggle(user.tenantId, user.userId, id, body.enabled);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.workflows.remove(user.tenantId, user.userId, id);
  }

  /** The builder's preview: a template rendered exactly as a run renders it, against the test data sent (nothing runs, nothing is stored). */
  @Post('template-preview')
  @HttpCode(200)
  @ApiZodBody(templatePreviewSchema)
  previewTemplate(@CurrentUser() user: AuthUser, @ZodBody(templatePreviewSchema) body: TemplatePreviewRequest) {
    return this.workflows.previewTemplate(user.tenantId, body);
  }

  /** Test data for dry runs: this output stands for the step (which then does not run) in every dry run of the workflow. */
  @Put(':id/pins/:stepId')
  @ApiZodBody(pinBodySchema)
  pin(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('stepId') stepId: string, @ZodBody(pinBodySchema) body: z.output<typeof pinBodySchema>) {
    return this.workflows.pin(user.tenantId, user.userId, id, stepId, body.output);
  }

  @Delete(':id/pins/:stepId')
  unpin(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('stepId') stepId: string) {
    return this.workflows.pin(user.tenantId, user.userId, id, stepId);
  }

  @Get(':id/versions')
  versions(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.workflows.listVersions(user.tenantId, id);
  }

  /** One saved version (what an execution of it ran: the run debugger draws it). */
  @Get(':id/versions/:version')
  @ApiPositiveIntParam('version')
  async version(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodParam('version', positiveIntParam) version: number) {
    return this.workflows.version(user.tenantId, id, version);
  }

  @Post(':id/rollback/:version')
  @HttpCode(200)
  @ApiPositiveIntParam('version')
  rollback(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodParam('version', positiveIntParam) version: number) {
    return this.workflows.rollback(user.tenantId, user.userId, id, version);
  }
}
