import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiPositiveIntParam, ApiZodBody, ApiZodQuery, positiveIntParam, ZodBody, ZodParam, ZodQuery } from '../common/zod.js';
import { workflowInputSchema, workflowUpdateSchema, type WorkflowInput, type WorkflowUpdate } from '@tributary/contracts';
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
  constructor(private readonly workflows: WorkflowsService) {}

  @Post()
  @ApiZodBody(workflowInputSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(workflowInputSchema) body: WorkflowInput) {
    return this.workflows.create(user.tenantId, user.userId, body);
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

  @Get(':id/versions')
  versions(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.workflows.listVersions(user.tenantId, id);
  }

  @Post(':id/rollback/:version')
  @HttpCode(200)
  @ApiPositiveIntParam('version')
  rollback(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodParam('version', positiveIntParam) version: number) {
    return this.workflows.rollback(user.tenantId, user.userId, id, version);
  }
}
