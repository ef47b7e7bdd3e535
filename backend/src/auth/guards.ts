import { ExecutionContext, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../common/errors.js';
import type { AuthUser, TokenClaims } from '../access/auth.types.js';
import { IS_PUBLIC, ROLES } from '../access/decorators.js';
import { API_KEY_SCOPES, SCOPE_ROLE, type Role } from '../access/roles.js';
import { ApiKeyAuthenticator, isApiKey } from './api-key-auth.js';
import { IdentityCache } from './identity-cache.js';

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case, as passport-jwt reads it). */
function bearerToken(header: string | undefined): string | undefined {
  return header ? /^bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
}

@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly identities: IdentityCache,
    private readonly apiKeys: ApiKeyAuthenticator,
  ) {
    super();
  }

  /**
   * A valid token is not enough: its user must still exist in its tenant, and the role that counts
   * is the current one, not the one at login (IdentityCache, a few seconds). An API key (`Bearer
   * trb_…`) skips passport: ApiKeyAuthenticator names its tenant and role (scope, capped by a personal
   * key's user's role) or answers 401 (unknown, revoked, expired).
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>();
    const bearer = bearerToken(req.headers.authorization);
    if (bearer && isApiKey(bearer)) {
      const { user } = await this.apiKeys.authenticate(bearer, req.ip);
      req.user = user;
      this.logAs(context, user);
      return true;
    }
    await super.canActivate(context);
    const claims = req.user as unknown as TokenClaims;
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
    this.logAs(context, user as unknown as AuthUser);
    return user;
  }

  /** Every later log line of this request (including "request completed") names the tenant and user (and the API key). */
  private logAs(context: ExecutionContext, user: Pick<AuthUser, 'tenantId' | 'userId' | 'apiKeyId'>): void {
    const { tenantId, userId, apiKeyId } = user;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<{ log: FastifyRequest['log'] }>();
    req.log = req.log.child(apiKeyId ? { tenantId, userId, apiKeyId } : { tenantId, userId });
    reply.log = req.log;
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
    if (!allowed.includes(user.role)) throw new ForbiddenError(forbidden(user, allowed));
    return true;
  }
}

/** Why the caller may not: their role, or for an API key its scope (and the cap of a personal key's user's role). */
function forbidden(user: AuthUser, allowed: Role[]): string {
  const key = user.via === 'apiKey' ? user.apiKey : undefined;
  if (!key) return `Your role (${user.role}) does not allow this; needs ${allowed.join(' or ')}`;
  const scopes = API_KEY_SCOPES.filter((s) => allowed.includes(SCOPE_ROLE[s]));
  if (key.cappedBy) {
    return `This API key has scope ${key.scope}, but its user's role is now ${key.cappedBy}, which does not allow this; needs ${allowed.join(' or ')}`;
  }
  return `This API key's scope (${key.scope}) does not allow this; needs scope ${scopes.join(' or ')}`;
}
