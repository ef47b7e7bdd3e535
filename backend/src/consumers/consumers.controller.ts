import { Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, usageDay, ZodBody, ZodQuery } from '../common/zod.js';
import { ConsumersService } from './consumers.service.js';
import { CONSUMER_PLAN_PATTERN, KONG_NAME_PATTERN } from '@tributary/contracts';

/** Kong names: letters, digits and . _ ~ - (so they also fit in tags and ACL groups). */
const kongName = z.string().regex(KONG_NAME_PATTERN, 'letters, digits and . _ ~ - only (at most 64)');
const createSchema = z.strictObject({
  username: kongName,
  plan: z.string().regex(CONSUMER_PLAN_PATTERN, 'letters, digits, _ and - only (at most 32)').default('free'),
  groups: z.array(kongName).max(20).default([]),
});
const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional() });
const usageQuery = z.object({ from: usageDay.optional(), to: usageDay.optional() });

@ApiTags('consumers')
@ApiBearerAuth()
@Roles('admin')
@Controller('consumers')
export class ConsumersController {
  constructor(private readonly consumers: ConsumersService) {}

  /** The API key is in this response only. */
  @Post()
  @ApiZodBody(createSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(createSchema) body: z.output<typeof createSchema>) {
    return this.consumers.create(user.tenantId, user.userId, body);
  }

  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.consumers.list(user.tenantId, q);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.consumers.get(user.tenantId, id);
  }

  @Delete(':id')
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.consumers.remove(user.tenantId, user.userId, id);
  }

  /** A new key, in this response only; the old one stops working. */
  @Post(':id/rotate-key')
  rotateKey(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.consumers.rotateKey(user.tenantId, user.userId, id);
  }

  @Get(':id/usage')
  @ApiZodQuery(usageQuery)
  usage(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodQuery(usageQuery) q: z.output<typeof usageQuery>) {
    return this.consumers.usage(user.tenantId, id, q);
  }
}
