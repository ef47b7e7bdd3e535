import { Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError, NotFoundError } from '../common/errors.js';
import type { AuthOptions } from '@tributary/contracts';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { CONFIG, type Config } from '../config/config.js';
import { AuthService } from './auth.service.js';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Public } from '../access/decorators.js';

export const passwordSchema = z.string().min(8, 'At least 8 characters').max(200);

const registerSchema = z.object({
  email: z.string().trim().email().max(254),
  password: passwordSchema,
  name: z.string().trim().max(200).optional(),
  organization: z.string().trim().max(200).optional(),
});
const optionsQuerySchema = z.object({ email: z.string().trim().email().max(254).optional() });
const loginSchema = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(200) });

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** What the login page needs before anyone logs in. */
  @Public()
  @Get('options')
  @ApiZodQuery(optionsQuerySchema)
  async options(@ZodQuery(optionsQuerySchema) query: z.output<typeof optionsQuerySchema>): Promise<AuthOptions> {
    // With an email: how it signs in (SSO, SSO only or a password), so the login page offers the right path.
    if (query.email) return { devMode: this.config.devMode, sso: await this.auth.ssoMode(query.email) };
    return { devMode: this.config.devMode };
  }

  @Public()
  @Post('register')
  @ApiZodBody(registerSchema)
  register(@ZodBody(registerSchema) body: z.output<typeof registerSchema>, @Ip() ip: string) {
    return this.auth.register(body, ip);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiZodBody(loginSchema)
  login(@ZodBody(loginSchema) body: z.output<typeof loginSchema>, @Ip() ip: string) {
    return this.auth.login(body, ip);
  }

  @Public()
  @Post('dev-login')
  @HttpCode(200)
  devLogin(@Ip() ip: string) {
    if (!this.config.devMode) throw new NotFoundError('Route');
    return this.auth.devLogin(ip);
  }

  @ApiBearerAuth()
  @Get('me')
  async me(@CurrentUser() user: AuthUser) {
    // A service API key acts for the workspace: there is no user to answer (GET /api-keys/current describes the key).
    if (!user.userId) throw new DomainError(404, 'A service API key has no user; GET /api/api-keys/current describes the key');
    return { user: await this.auth.me(user.userId) };
  }
}
