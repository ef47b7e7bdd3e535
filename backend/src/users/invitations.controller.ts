import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { ROLES } from '../access/roles.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { InvitationsService } from './invitations.service.js';

const createSchema = z.strictObject({ email: z.string().trim().email().max(254), role: z.enum(ROLES) });
const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional() });

/** Invitations to the caller's workspace (admins only); the invitee accepts with POST /auth/accept-invitation. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /** The token is in this response only; valid 7 days. Inviting an email again replaces its pending invitation. */
  @Post()
  @ApiZodBody(createSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(createSchema) body: z.output<typeof createSchema>) {
    return this.invitations.create(user.tenantId, user.userId, body);
  }

  /** Pending invitations (not accepted, revoked or expired), without tokens. */
  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.invitations.listPending(user.tenantId, q);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.invitations.revoke(user.tenantId, user.userId, id);
  }
}
