/** A member's role in a tenant: what the access decorators and guards check. */
import type { ApiKeyScope } from '@tributary/contracts';

/** What an API key may do: one level each, including the ones below (admin ⊃ write ⊃ read). */
export { API_KEY_SCOPES, type ApiKeyScope } from '@tributary/contracts';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** The role an API key of that scope acts with (before a personal key's cap by its user's role). */
export const SCOPE_ROLE: Record<ApiKeyScope, Role> = { read: 'viewer', write: 'editor', admin: 'admin' };
/** The scope a role corresponds to (what a key needs to do what the role may). */
export const ROLE_SCOPE: Record<Role, ApiKeyScope> = { viewer: 'read', editor: 'write', admin: 'admin' };

/** The lower of two roles. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/** Whether `role` may do at least what `than` may. */
export function roleAtLeast(role: Role, than: Role): boolean {
  return RANK[role] >= RANK[than];
}
