import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { UnauthorizedError } from '../common/errors.js';
import { CONFIG, type Config } from '../config/config.js';
import { UsersService } from '../users/users.service.js';
import type { AuthUser, JwtPayload } from './auth.types.js';

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(CONFIG) config: Config,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      ignoreExpiration: false,
      algorithms: ['HS256'],
    });
  }

  /**
   * A valid signature is not enough: the user must still exist in the token's tenant, and the role
   * is the current one, not the one at login (UsersService.identity, cached for a few seconds).
   */
  async validate(payload: JwtPayload & { iat?: number }): Promise<AuthUser> {
    // iat has second precision: a token may be up to a second younger than it says.
    const user = await this.users.identity(payload.sub, payload.iat ? (payload.iat + 1) * 1000 : 0);
    if (!user || user.tenantId !== payload.tid) throw new UnauthorizedError('This account no longer exists; ask an admin of your workspace');
    return user;
  }
}
