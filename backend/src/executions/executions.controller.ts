import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodQuery, isoDateTime, ZodQuery } from '../common/zod.js';
import { approvalInputSchema, EXECUTION_STATUSES, type ApprovalInput } from '@tributary/contracts';
import { Public } from '../access/decorators.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { DurableWaits } from './durable-waits.js';
import { ExecutionsService } from './executions.service.js';

const listQuery = z.object({
  limit: limitSchema,
  cursor: z.string().optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  workflowId: z.string().uuid().optional(),
  from: isoDateTime.optional().describe('ISO time, inclusive'),
  to: isoDateTime.optional().describe('ISO time, exclusive'),
});

@ApiTags('executions')
@ApiBearerAuth()
@Controller()
export class ExecutionsController {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly waits: DurableWaits,
  ) {}

  @Get('logs')
  @ApiZodQuery(listQuery)
  logs(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.executions.list(user.tenantId, q);
  }

  @Get('executions')
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.executions.list(user.tenantId, q);
  }

  @Get('executions/:id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.executions.get(user.tenantId, id);
  }

  @Post('executions/:id/retry')
  @HttpCode(202)
  retry(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.executions.retry(user.tenantId, id);
  }

  /** Approves the approval the execution waits on (`stepId` picks one when it waits on several): the run goes on. Audited. */
  @Post('executions/:id/approve')
  @HttpCode(200)
  @ApiZodBody(approvalInputSchema)
  approve(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(approvalInputSchema) body: ApprovalInput) {
    return this.waits.decide(user.tenantId, user, id, body, true);
  }

  /** Rejects it: the approval step fails (the run fails there unless the step has `onError: continue`). Audited. */
  @Post('executions/:id/reject')
  @HttpCode(200)
  @ApiZodBody(approvalInputSchema)
  reject(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(approvalInputSchema) body: ApprovalInput) {
    return this.waits.decide(user.tenantId, user, id, body, false);
  }

  /** Queued, running or waiting: it ends `cancelled` (a running step is aborted at the worker's next lease renewal). */
  @Post('executions/:id/cancel')
  @HttpCode(200)
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.executions.cancel(user.tenantId, user.userId, id);
  }

  @Get('stats')
  stats(@CurrentUser() user: AuthUser) {
    return this.executions.stats(user.tenantId);
  }
}

/**
 * `POST /api/resume/:token`: the resume URL of a `wait` step `for: "webhook"` (no login: the token is
 * the credential, unguessable and single use). The body becomes the wait's output; the body limits
 * are the webhooks'. 404 once used, after its timeout, or once the execution ended.
 */
@ApiTags('executions')
@Controller('resume')
export class ResumeController {
  constructor(private readonly waits: DurableWaits) {}

  @Public()
  @Post(':token')
  @HttpCode(202)
  resume(@Param('token') token: string, @Body() body: unknown) {
    return this.waits.resume(token, body ?? {});
  }
}
