import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { CONFIG, type Config } from '../config/config.js';
import type { JwtPayload, TokenClaims } from '../access/auth.types.js';

/**
 * Checks the token's signature and expiry and answers its claims. Stateless on purpose: passport
 * keeps one strategy per name for the whole process, so the database check of the user is done by
 * JwtAuthGuard, which belongs to its application.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(CONFIG) config: Config) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      ignoreExpiration: false,
      algorithms: ['HS256'],
    });
  }

  validate(payload: JwtPayload & { iat?: number }): TokenClaims {
    // iat has second precision: a token may be up to a second younger than it says.
    return { userId: payload.sub, tenantId: payload.tid, role: payload.role, email: payload.email, issuedAtMs: payload.iat ? (payload.iat + 1) * 1000 : 0 };
  }
}
