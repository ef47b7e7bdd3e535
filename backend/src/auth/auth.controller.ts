import { Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError } from '../common/errors.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { CONFIG, type Config } from '../config/config.js';
import { AuthService } from './auth.service.js';
import type { AuthUser } from './auth.types.js';
import { CurrentUser, Public } from './decorators.js';

const registerSchema = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(8, 'At least 8 characters').max(200),
  name: z.string().trim().max(200).optional(),
  organization: z.string().trim().max(200).optional(),
});
const acceptInvitationSchema = z.object({
  token: z.string().trim().min(1).max(200),
  password: z.string().min(8, 'At least 8 characters').max(200),
  name: z.string().trim().max(200).optional(),
});
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
  options() {
    return { devMode: this.config.devMode };
  }

  @Public()
  @Post('register')
  @ApiZodBody(registerSchema)
  register(@ZodBody(registerSchema) body: z.output<typeof registerSchema>, @Ip() ip: string) {
    return this.auth.register(body, ip);
  }

  /**
   * The invitee sets a password and joins the inviting workspace with the invited role; answers
   * `{ token, user }` like register. An unknown token answers 404; an expired, revoked or used one 409.
   */
  @Public()
  @Post('accept-invitation')
  @ApiZodBody(acceptInvitationSchema)
  acceptInvitation(@ZodBody(acceptInvitationSchema) body: z.output<typeof acceptInvitationSchema>, @Ip() ip: string) {
    return this.auth.acceptInvitation(body, ip);
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
    return { user: await this.auth.me(user.userId) };
  }
}
