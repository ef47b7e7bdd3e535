import { Controller, Get, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { NotFoundError } from '../common/errors.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
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
