import { BadRequestException, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Public } from '../access/decorators.js';
import { limitSchema } from '../common/pagination.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { ConnectionsService } from './connections.service.js';
import { CredentialsService } from './credentials.service.js';
import { oauth2ConfigSchema } from './oauth2/oauth2-config.js';

/** Either the connector's fields (`data`), or an OAuth2 connection (`oauth2`): exactly one. */
const createSchema = z
  .object({
    connector: z.string().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    data: z.record(z.string(), z.unknown()).optional(),
    oauth2: oauth2ConfigSchema.optional(),
  })
  .refine((b) => (b.data === undefined) !== (b.oauth2 === undefined), { message: 'Give either data (the fields) or oauth2 (an OAuth2 connection)', path: ['data'] });
const listQuery = z.object({ limit: limitSchema, cursor: z.string().optional(), connector: z.string().max(100).optional() });
const authorizeSchema = z.object({ returnTo: z.string().url().max(2000).optional() });
const callbackQuery = z.record(z.string(), z.string().max(4000));

@ApiTags('credentials')
@ApiBearerAuth()
@Controller('credentials')
export class CredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly connections: ConnectionsService,
  ) {}

  @Post()
  @ApiZodBody(createSchema)
  async create(@CurrentUser() user: AuthUser, @ZodBody(createSchema) body: z.output<typeof createSchema>) {
    if (body.oauth2) return this.connections.createOAuth2(user.tenantId, user.userId, { connector: body.connector, name: body.name, oauth2: body.oauth2 });
    return this.credentials.create(user.tenantId, user.userId, { connector: body.connector, name: body.name, data: body.data ?? {} });
  }

  @Get()
  @ApiZodQuery(listQuery)
  async list(@CurrentUser() user: AuthUser, @ZodQuery(listQuery) q: z.output<typeof listQuery>) {
    const page = await this.credentials.listRows(user.tenantId, q);
    return { items: await this.connections.views(page.items), nextCursor: page.nextCursor };
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.connections.view(await this.credentials.row(user.tenantId, id));
  }

  /** "Test connection": one cheap authenticated call; answers `{ ok, message, status }` and updates the connection's health. */
  @Post(':id/test')
  @HttpCode(200)
  test(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.connections.test(user.tenantId, user.userId, id);
  }

  /** The workflows whose steps use this credential. */
  @Get(':id/usage')
  usage(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.connections.usage(user.tenantId, id);
  }

  /** An MCP connection: the server's tools and their input schemas (what the builder offers for an MCP step or an agent's tools). */
  @Get(':id/mcp/tools')
  mcpTools(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.connections.mcpTools(user.tenantId, id);
  }

  /** Starts (or restarts, to reconnect) an OAuth2 authorisation: open `authorizationUrl` in the browser. */
  @Post(':id/oauth2/authorize')
  @HttpCode(200)
  @ApiZodBody(authorizeSchema)
  authorize(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(authorizeSchema) body: z.output<typeof authorizeSchema>) {
    return this.connections.authorize(user.tenantId, user.userId, id, body.returnTo);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const row = await this.credentials.row(user.tenantId, id);
    await this.connections.revoke(row);
    await this.credentials.remove(user.tenantId, user.userId, id);
  }
}

/**
 * The provider sends the user's browser here after consent (`redirect_uri`): public, the `state`
 * is what binds it to a pending authorisation. Redirects back to the dashboard with the outcome.
 */
@ApiTags('credentials')
@Controller('oauth2')
export class OAuth2CallbackController {
  constructor(private readonly connections: ConnectionsService) {}

  @Public()
  @Get('callback')
  async callback(@Query() raw: unknown, @Res() reply: FastifyReply) {
    const q = callbackQuery.safeParse(raw);
    if (!q.success) throw new BadRequestException('The callback parameters are invalid');
    const out = await this.connections.callback(q.data);
    await reply.header('cache-control', 'no-store').redirect(out.redirect, 302);
  }
}
