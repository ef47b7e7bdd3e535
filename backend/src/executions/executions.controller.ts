import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodQuery, isoDateTime, ZodQuery } from '../common/zod.js';
import { EXECUTION_STATUSES } from '@tributary/contracts';
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
  constructor(private readonly executions: ExecutionsService) {}

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

  /** Queued or running: it ends `cancelled` (a running step is aborted at the worker's next lease renewal). */
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
