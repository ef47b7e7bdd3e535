import { Injectable } from '@nestjs/common';
import { API_KEY_PREFIX } from '@tributary/contracts';
import type { AuthUser } from '../access/auth.types.js';
import { lowerRole, SCOPE_ROLE } from '../access/roles.js';
import type { ApiKeyRow } from '../api-keys/api-key.row.js';
import { ApiKeyVerifier } from '../api-keys/api-key-verifier.js';
import { UnauthorizedError } from '../common/errors.js';
import { IdentityCache } from './identity-cache.js';

/** Whether a bearer token is an API key (`trb_…`) rather than a session JWT. */
export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/**
 * An API key as the request's user: the key's tenant; the role of its scope (read → viewer, write →
 * editor, admin → admin), for a personal key capped by its user's role now (IdentityCache: a demoted
 * user's keys lose what the user lost, a removed user's keys stop working). A service key has no user
 * (`userId` null). Used by JwtAuthGuard (every /api route) and the WebSocket's authentication.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly keys: ApiKeyVerifier,
    private readonly identities: IdentityCache,
  ) {}

  /** 401 for an unknown, revoked or expired key, or a personal key whose user is gone. */
  async authenticate(token: string, ip?: string): Promise<{ user: AuthUser; key: ApiKeyRow }> {
    const key = await this.keys.verify(token);
    const scopeRole = SCOPE_ROLE[key.scope];
    const apiKey = { id: key.id, name: key.name, prefix: key.prefix, kind: key.kind, scope: key.scope };
    let user: AuthUser;
    if (key.kind === 'service' || !key.userId) {
      user = { userId: null, tenantId: key.tenantId, role: scopeRole, email: '', via: 'apiKey', apiKeyId: key.id, apiKey };
    } else {
      const owner = await this.identities.identity(key.userId);
      if (!owner || owner.tenantId !== key.tenantId) throw new UnauthorizedError('The user of this API key no longer exists; ask an admin of your workspace');
      const role = lowerRole(scopeRole, owner.role);
      user = {
        userId: owner.userId,
        tenantId: key.tenantId,
        role,
        email: owner.email,
        via: 'apiKey',
        apiKeyId: key.id,
        apiKey: role === scopeRole ? apiKey : { ...apiKey, cappedBy: owner.role },
      };
    }
    this.keys.recordUse(key, ip);
    return { user, key };
  }
}
