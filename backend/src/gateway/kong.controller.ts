import { Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { KONG_USE_CASES } from '../kong/kong-templates.js';
import { KongService } from './kong.service.js';
import { KONG_NAME_PATTERN, KONG_PATH_PATTERN } from '@tributary/contracts';

const kongName = z.string().regex(KONG_NAME_PATTERN, 'letters, digits and . _ ~ - only (at most 64)');
const optionsSchema = z.strictObject({
  auth: z.enum(['key-auth', 'jwt']).optional(),
  allowGroups: z.array(kongName).min(1).max(20).optional(),
  jwtIssuer: z.string().min(1).max(500).optional(),
  jwtPublicKey: z.string().regex(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/, 'a PEM public key').max(10_000).optional(),
  rateLimitPerSecond: z.number().int().min(1).max(100_000).optional(),
  rateLimitBy: z.enum(['ip', 'service', 'consumer']).optional(),
  cacheTtlSeconds: z.number().int().min(1).max(86_400).optional(),
  path: z.string().regex(KONG_PATH_PATTERN, 'a path of letters, digits and . _ ~ / -').optional(),
});
const generateSchema = z.object({
  workflow_id: z.string().min(1),
  use_case: z.enum(KONG_USE_CASES),
  options: optionsSchema.optional(),
});
const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional(), workflow_id: z.uuid().optional() });

@ApiTags('gateway')
@ApiBearerAuth()
@Controller('kong')
export class KongController {
  constructor(private readonly kong: KongService) {}

  /** Generates a gateway pattern for a webhook workflow, keeps it, and pushes the config when Kong's Admin API is configured. */
  @Post('templates')
  @ApiZodBody(generateSchema)
  generate(@CurrentUser() user: AuthUser, @ZodBody(generateSchema) body: z.output<typeof generateSchema>) {
    return this.kong.generate(user.tenantId, user.userId, { workflowId: body.workflow_id, useCase: body.use_case, options: body.options });
  }

  @Get('templates')
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.kong.list(user.tenantId, { limit: q.limit, cursor: q.cursor, workflowId: q.workflow_id });
  }

  @Delete('templates/:id')
  remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.kong.remove(user.tenantId, user.userId, id);
  }

  /** The tenant's whole declarative config (base routes, its patterns, its consumers), validated, keys masked. */
  @Get('config')
  @Roles('admin')
  config(@CurrentUser() user: AuthUser) {
    return this.kong.tenantConfig(user.tenantId);
  }
}
