import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { CredentialsService } from './credentials.service.js';

const createSchema = z.object({
  connector: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(200),
  data: z.record(z.string(), z.unknown()),
});
const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional(), connector: z.string().max(100).optional() });

@ApiTags('credentials')
@ApiBearerAuth()
@Controller('credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Post()
  @ApiZodBody(createSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(createSchema) body: z.output<typeof createSchema>) {
    return this.credentials.create(user.tenantId, user.userId, body);
  }

  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.credentials.list(user.tenantId, q);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.credentials.get(user.tenantId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.credentials.remove(user.tenantId, user.userId, id);
  }
}
