import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { createApiKeySchema } from '@tributary/contracts';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { ApiKeysService } from './api-keys.service.js';

const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional() });

/**
 * API keys of the caller's workspace (docs/api-keys.md). Every role may manage its own personal keys,
 * so the routes allow every role and the service decides: scope up to the caller's role, service keys
 * and other members' keys for admins only.
 */
@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin', 'editor', 'viewer')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** The key (`trb_…`) is in this response only; a SHA-256 of it is kept. Not through an API key. */
  @Post()
  @ApiZodBody(createApiKeySchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(createApiKeySchema) body: z.output<typeof createApiKeySchema>) {
    return this.keys.create(user, body);
  }

  /** Admins: every key of the workspace (revoked and expired included); others: their own. Never the secret. */
  @Get()
  @ApiZodQuery(listQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    return this.keys.list(user, q);
  }

  /** The API key this request is authenticated with (404 with a session token). */
  @Get('current')
  current(@CurrentUser() user: AuthUser) {
    return this.keys.current(user);
  }

  /** Revokes the key: it answers 401 from the next request on (other api processes: within 5 s). 409 when revoked already. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.keys.revoke(user, id);
  }
}
