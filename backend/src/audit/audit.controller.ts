import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodQuery, ZodQuery } from '../common/zod.js';
import { AuditService } from './audit.service.js';

const auditQuery = z.object({ limit: limitSchema, cursor: z.string().optional(), action: z.string().max(100).optional() });

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  @ApiZodQuery(auditQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(auditQuery) q: z.output<typeof auditQuery>) {
    return this.audit.list(user.tenantId, q);
  }
}
