import { Controller, Delete, Get, HttpCode, Ip, Put, Query, Res, BadRequestException } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ssoConfigInputSchema } from '@tributary/contracts';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Public, Roles } from '../access/decorators.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { SsoService } from './sso.service.js';

/** The workspace's identity provider: admins only. The client secret is never answered. */
@ApiTags('sso')
@ApiBearerAuth()
@Roles('admin')
@Controller('sso')
export class SsoController {
  constructor(private readonly sso: SsoService) {}

  /** `{ config, callbackUrl }`: config null before SSO is set up; the callback URL is the redirect URI to register at the provider. */
  @Get()
  get(@CurrentUser() user: AuthUser) {
    return this.sso.settings(user.tenantId);
  }

  /** Sets the provider after OIDC discovery of the issuer (400 naming `issuer` when it fails; nothing is stored then). */
  @Put()
  @ApiZodBody(ssoConfigInputSchema)
  put(@CurrentUser() user: AuthUser, @ZodBody(ssoConfigInputSchema) body: z.output<typeof ssoConfigInputSchema>, @Ip() ip: string) {
    return this.sso.save(user, body, ip);
  }

  @Delete()
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Ip() ip: string) {
    await this.sso.remove(user, ip);
  }
}

const startQuery = z.object({
  email: z.string().trim().email().max(254).optional(),
  workspace: z.string().uuid().optional(),
  /** The dashboard's origin to come back to: one of CORS_ORIGINS, else the first. */
  returnTo: z.string().url().max(2000).optional(),
});
const callbackQuery = z.record(z.string(), z.string().max(4000));

/**
 * The browser's side of an SSO sign-in: public, both answer redirects. `start` sends it to the
 * provider (or back to the login page with why not); the provider sends it to `callback`, which
 * sends it to the dashboard's `/login/sso#token=…` (or `/login?sso_error=…`).
 */
@ApiTags('auth')
@Controller('auth/sso')
export class SsoLoginController {
  constructor(private readonly sso: SsoService) {}

  @Public()
  @Get('start')
  @ApiZodQuery(startQuery)
  async start(@ZodQuery(startQuery) q: z.output<typeof startQuery>, @Res() reply: FastifyReply) {
    const out = await this.sso.start(q);
    await reply.header('cache-control', 'no-store').redirect(out.location, 302);
  }

  @Public()
  @Get('callback')
  async callback(@Query() raw: unknown, @Ip() ip: string, @Res() reply: FastifyReply) {
    const q = callbackQuery.safeParse(raw);
    if (!q.success) throw new BadRequestException('The callback parameters are invalid');
    const out = await this.sso.callback(q.data, ip);
    await reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(out.location, 302);
  }
}
