import { Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { ROLES } from '../access/roles.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { UsersService } from './users.service.js';

const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional() });
const roleSchema = z.strictObject({ role: z.enum(ROLES) });

/** The members of the caller's workspace (admins only). */
@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.users.list(user.tenantId, q);
  }

  /** 409 when it would leave the workspace without an admin. */
  @Patch(':id')
  @ApiZodBody(roleSchema)
  changeRole(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(roleSchema) body: z.output<typeof roleSchema>) {
    return this.users.changeRole(user.tenantId, user.userId, id, body.role);
  }

  /** Removes the member; their tokens stop working. 409 for the last admin. */
  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.users.remove(user.tenantId, user.userId, id);
  }
}
