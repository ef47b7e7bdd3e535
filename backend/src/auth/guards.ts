import { ExecutionContext, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/errors.js';
import type { AuthUser, TokenClaims } from '../access/auth.types.js';
import { IS_PUBLIC, ROLES } from '../access/decorators.js';
import type { Role } from '../access/roles.js';
import { IdentityCache } from './identity-cache.js';

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly identities: IdentityCache,
  ) {
    super();
  }

  /**
   * A valid token is not enough: its user must still exist in its tenant, and the role that counts
   * is the current one, not the one at login (IdentityCache, a few seconds).
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    await super.canActivate(context);
    const req = context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>();
    const claims = req.user as TokenClaims;
    const user = await this.identities.identity(claims.userId, claims.issuedAtMs);
    if (!user || user.tenantId !== claims.tenantId) throw new UnauthorizedError('This account no longer exists; ask an admin of your workspace');
    req.user = user;
    return true;
  }

  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext): TUser {
    if (err || !user) {
      const reason = info instanceof Error && info.name === 'TokenExpiredError' ? 'Token expired; log in again' : 'Authentication required';
      throw new UnauthorizedError(reason);
    }
    // Every later log line of this request (including "request completed") names the tenant and user.
    const { tenantId, userId } = user as unknown as AuthUser;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<{ log: FastifyRequest['log'] }>();
    req.log = req.log.child({ tenantId, userId });
    reply.log = req.log;
    return user;
  }
}

const WRITE_ROLES: Role[] = ['admin', 'editor'];
const ALL_ROLES: Role[] = ['admin', 'editor', 'viewer'];

/** Roles on every route: explicit @Roles, else viewers read and editors/admins write. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const user = req.user;
    if (!user) throw new UnauthorizedError();
    const explicit = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    const allowed = explicit ?? (req.method === 'GET' || req.method === 'HEAD' ? ALL_ROLES : WRITE_ROLES);
    if (!allowed.includes(user.role)) throw new ForbiddenError(`Your role (${user.role}) does not allow this; needs ${allowed.join(' or ')}`);
    return true;
  }
}
