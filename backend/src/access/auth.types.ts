import type { ApiKeyScope, Role } from './roles.js';

/** The API key a request authenticated with (`AuthUser.via === 'apiKey'`). */
export interface AuthApiKey {
  id: string;
  name: string;
  /** `trb_` and the key's first characters. */
  prefix: string;
  kind: 'personal' | 'service';
  scope: ApiKeyScope;
  /** The role of a personal key's user now, when it caps the key's scope (`role` is then this). */
  cappedBy?: Role;
}

/** Who is calling: decoded from the JWT or the API key on every authenticated request. */
export interface AuthUser {
  /**
   * The user acting: the signed-in user, or the owner of a personal API key. Null for a service API
   * key, which acts for the workspace and not for anyone (audit entries then name no user; rows
   * record no creator).
   */
  userId: string | null;
  tenantId: string;
  /** What the guards check: the user's role now; for an API key its scope's role, capped by a personal key's user's role. */
  role: Role;
  /** Empty for a service API key. */
  email: string;
  /** How the request authenticated: a session JWT or an API key (`Authorization: Bearer trb_…` both). */
  via: 'jwt' | 'apiKey';
  /** The API key's id when `via` is `apiKey`. */
  apiKeyId?: string;
  apiKey?: AuthApiKey;
}

/** What a valid token says, before JwtAuthGuard checks it against the user as stored now. */
export interface TokenClaims {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
  /** When the token was issued, rounded up (ms). */
  issuedAtMs: number;
}

export interface JwtPayload {
  sub: string;
  tid: string;
  role: Role;
  email: string;
}
