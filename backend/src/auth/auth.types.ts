import type { Role } from './user.entity.js';

/** Who is calling: decoded from the JWT on every authenticated request. */
export interface AuthUser {
  userId: string;
  tenantId: string;
  role: Role;
  email: string;
}

export interface JwtPayload {
  sub: string;
  tid: string;
  role: Role;
  email: string;
}
