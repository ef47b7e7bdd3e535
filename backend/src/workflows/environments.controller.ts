import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { workflowPromoteSchema, type WorkflowPromote } from '@tributary/contracts';
import { WorkflowPromotion } from './workflow-promotion.js';

/** `GET /environments`: the environments in use, with how many workflows and values each. */
@ApiTags('variables')
@ApiBearerAuth()
@Controller('environments')
export class EnvironmentsController {
  constructor(private readonly promotion: WorkflowPromotion) {}

  @Get()
  list(@CurrentUser() user: AuthUser) {
    return this.promotion.environments(user.tenantId);
  }
}

/** `POST /workflows/:id/promote`: copies the workflow to its counterpart in another environment, as a new version there. */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('workflows')
export class WorkflowPromotionController {
  constructor(private readonly promotion: WorkflowPromotion) {}

  @Post(':id/promote')
  @HttpCode(200)
  @ApiZodBody(workflowPromoteSchema)
  promote(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(workflowPromoteSchema) body: WorkflowPromote) {
    return this.promotion.promote(user.tenantId, user.userId, id, body.environment);
  }
}
