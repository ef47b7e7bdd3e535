/** A member's role in a tenant: what the access decorators and guards check. */
export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
