import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { CONFIG, type Config } from '../config/config.js';
import { ApiKeyAuthenticator } from './api-key-auth.js';
import { ApiRateLimitGuard } from './api-rate-limit.guard.js';
import { ActingKeyInterceptor } from './acting-key.interceptor.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard, RolesGuard } from './guards.js';
import { IdentitiesRepository } from './identities.repository.js';
import { IdentityCache } from './identity-cache.js';
import { JwtStrategy } from './jwt.strategy.js';

function expiresIn(v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v)!;
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]];
}

@Module({
  imports: [
    PassportModule,
    ApiKeysModule,
    JwtModule.registerAsync({
      inject: [CONFIG],
      useFactory: (config: Config) => ({
        secret: config.jwt.secret,
        signOptions: { expiresIn: expiresIn(config.jwt.expiresIn), algorithm: 'HS256' as const },
      }),
    }),
  ],
  controllers: [AuthController],
  // Global guards run in this order: who is calling, their tenant's API rate limit, then their role.
  providers: [
    AuthService,
    ApiKeyAuthenticator,
    IdentitiesRepository,
    IdentityCache,
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: ApiRateLimitGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    // Audit entries written while an API-key request runs name the key.
    { provide: APP_INTERCEPTOR, useClass: ActingKeyInterceptor },
  ],
  exports: [AuthService, IdentityCache, ApiKeyAuthenticator],
})
export class AuthModule {}
