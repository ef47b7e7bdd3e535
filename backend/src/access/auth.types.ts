import type { Role } from './roles.js';

/** Who is calling: decoded from the JWT on every authenticated request. */
export interface AuthUser {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
}

/** What a valid token says, before JwtAuthGuard checks it against the user as stored now. */
export interface TokenClaims extends AuthUser {
  /** When the token was issued, rounded up (ms). */
  issuedAtMs: number;
}

export interface JwtPayload {
  sub: string;
  tid: string;
  role: Role;
  email: string;
}
