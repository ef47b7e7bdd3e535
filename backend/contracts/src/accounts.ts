/** Users, sessions, team members and invitations. */
import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.output<typeof roleSchema>;

/** The signed-in user (`GET /auth/me` answers `{ user }`). */
export const userSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  /** Empty when the user gave none. */
  name: z.string(),
  role: roleSchema,
  tenantId: idSchema,
  tenantName: z.string(),
});
export type User = z.output<typeof userSchema>;

/** Register, log in, accept an invitation, dev login. */
export const sessionSchema = z.strictObject({ token: z.string(), user: userSchema });
export type Session = z.output<typeof sessionSchema>;

export const meSchema = z.strictObject({ user: userSchema });

/** A member of the tenant (`GET /users`, `PUT /users/:id/role`). */
export const teamMemberSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  /** Empty when the user gave none. */
  name: z.string(),
  role: roleSchema,
  lastLoginAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
});
export type TeamMember = z.output<typeof teamMemberSchema>;

/** A pending invitation (not accepted, revoked or expired). */
export const invitationSchema = z.strictObject({
  id: idSchema,
  email: z.string(),
  role: roleSchema,
  /** The inviting user's id; null once that user is removed. */
  invitedBy: idSchema.nullable(),
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
});
export type Invitation = z.output<typeof invitationSchema>;

/** `POST /invitations` answers the token once; only a hash is kept. */
export const createdInvitationSchema = invitationSchema.extend({ token: z.string() });
export type CreatedInvitation = z.output<typeof createdInvitationSchema>;
