import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/**
 * One audit entry (`GET /audit`, one line of `GET /audit/export`): who did what to what, when and
 * from where. `action` is `<area>.<verb>`: `auth.login`, `auth.dev_login`, `auth.login_failed`,
 * `credential.create`, `credential.use`, `credential.delete`, `workflow.update`, `user.role_change`…
 */
export const auditEntrySchema = z.strictObject({
  id: idSchema,
  action: z.string(),
  /** The user who acted; null for the platform itself (a run using a credential) or an unknown email's failed sign-in. */
  userId: idSchema.nullable(),
  /** That user's email now (null: no user, or the user was removed since). */
  actorEmail: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** What else the action carries (never a secret): names, roles before and after, the workflow and execution of a credential use… */
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  createdAt: timestampSchema,
});
export type AuditEntry = z.output<typeof auditEntrySchema>;

/** The filters of `GET /audit` and `GET /audit/export` (every one optional, all of them applied together). */
export const auditFilterSchema = z.object({
  /** Actions starting with this (`credential.` for every credential action, `auth.login` for sign-ins and their failures). */
  action: z.string().trim().max(100).optional(),
  /** The acting user: their id, or their email (case-insensitive). */
  actor: z.string().trim().max(320).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  /** ISO time, inclusive. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO time, exclusive. */
  to: z.iso.datetime({ offset: true }).optional(),
});
export type AuditFilter = z.output<typeof auditFilterSchema>;
