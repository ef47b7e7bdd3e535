import { Controller, Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { auditFilterSchema } from '@tributary/contracts';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodQuery, isoDateTime, ZodQuery } from '../common/zod.js';
import { AuditService } from './audit.service.js';

const filterQuery = auditFilterSchema.extend({
  from: isoDateTime.optional().describe('ISO time, inclusive'),
  to: isoDateTime.optional().describe('ISO time, exclusive'),
});
const listQuery = filterQuery.extend({ limit: limitSchema, cursor: z.string().optional() });

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The workspace's audit log, newest first, filtered (admins). */
  @Get()
  @Roles('admin')
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.audit.list(user.tenantId, q);
  }

  /** Every entry the filters select as JSON lines (`application/x-ndjson`, a download), newest first (admins). */
  @Get('export')
  @Roles('admin')
  @ApiZodQuery(filterQuery)
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'One audit entry (the `GET /audit` item) per line' })
  async export(@CurrentUser() user: AuthUser, @ZodQuery(filterQuery) q: z.output<typeof filterQuery>, @Res() reply: FastifyReply): Promise<void> {
    const entries = this.audit.entries(user.tenantId, q);
    const lines = Readable.from(
      (async function* () {
        for await (const e of entries) yield `${JSON.stringify(e)}\n`;
      })(),
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    await reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${stamp}.ndjson"`)
      .header('cache-control', 'no-store')
      .send(lines);
  }
}
