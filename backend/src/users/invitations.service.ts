import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import type { Role } from '../access/roles.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { toPage, type Page } from '../common/pagination.js';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { TeamRepository, type InvitationRow, type MemberRow } from './team.repository.js';
import type { CreatedInvitation, Invitation as InvitationView } from '@tributary/contracts';

export const INVITATION_TTL_MS = 7 * 86_400_000;

/** A pending invitation, and the answer of POST /invitations (the only time the token is readable; a hash is kept). */
export type { Invitation as InvitationView, CreatedInvitation } from '@tributary/contracts';

function toInvitationView(i: InvitationRow): InvitationView {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    invitedBy: i.invitedBy,
    expiresAt: new Date(i.expiresAt).toISOString(),
    createdAt: new Date(i.createdAt).toISOString(),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** Invitations to join a tenant with a role: created and revoked by admins, accepted once by the invitee. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly repo: TeamRepository,
    private readonly audit: AuditService,
  ) {}

  /** Inviting an email again replaces its pending invitation (the old link stops working). */
  async create(tenantId: string, actorId: string | null, input: { email: string; role: Role }): Promise<CreatedInvitation> {
    const email = input.email.toLowerCase();
    const token = newSecretToken('inv');
    const { row, replaced } = await this.repo.transaction(tenantId, async (sql) => {
      const existing = await this.repo.findUserByEmail(email, sql);
      if (existing) {
        throw new ConflictError(existing.tenantId === tenantId ? `${email} is already a member of this workspace` : `An account with the email ${email} already exists`);
      }
      const replaced = await this.repo.revokePendingFor(tenantId, email, sql);
      const row = await this.repo.insertInvitation(
        { id: randomUUID(), tenantId, email, role: input.role, tokenHash: hashSecretToken(token), invitedBy: actorId, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) },
        sql,
      );
      return { row, replaced };
    });
    await this.audit.record({
      tenantId,
      userId: actorId,
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: row.id,
      details: { email, role: row.role, ...(replaced ? { replaced } : {}) },
    });
    return { ...toInvitationView(row), token };
  }

  async listPending(tenantId: string, q: { limit: number; cursor?: string }): Promise<Page<InvitationView>> {
    const rows = await this.repo.listPendingInvitations(tenantId, q.limit, q.cursor);
    const page = toPage(rows, q.limit);
    return { items: page.items.map(toInvitationView), nextCursor: page.nextCursor };
  }

  async revoke(tenantId: string, actorId: string | null, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('Invitation');
    const row = await this.repo.transaction(null, async (sql) => {
      const row = await this.repo.findInvitation(tenantId, id, sql);
      if (!row || row.revokedAt) throw new NotFoundError('Invitation');
      if (row.acceptedAt) throw new ConflictError(`This invitation was already accepted; remove the user ${row.email} instead`);
      await this.repo.revokeInvitation(tenantId, id, sql);
      return row;
    });
    await this.audit.record({ tenantId, userId: actorId, action: 'invitation.revoke', targetType: 'invitation', targetId: id, details: { email: row.email, role: row.role } });
  }

  /**
   * Creates the invited user in the inviting tenant with the invited role, once. The password is
   * hashed by the caller (auth), which then issues the session.
   */
  async accept(token: string, account: { passwordHash: string; name?: string; assertPasswordAllowed?: (tenantId: string) => Promise<void> }, ip?: string): Promise<MemberRow> {
    const { invitation, user } = await this.repo
      .transaction(null, async (sql) => {
        const invitation = await this.repo.findInvitationByTokenHash(hashSecretToken(token), sql);
        if (!invitation) throw new NotFoundError('Invitation');
        if (invitation.acceptedAt) throw new ConflictError('This invitation has already been accepted; log in instead');
        if (invitation.revokedAt) throw new ConflictError('This invitation was revoked or replaced by a newer one; ask an admin of the workspace for a new one');
        if (new Date(invitation.expiresAt).getTime() <= Date.now()) {
          throw new ConflictError(`This invitation expired on ${new Date(invitation.expiresAt).toISOString()}; ask an admin of the workspace for a new one`);
        }
        // An SSO-only workspace takes no passwords: its invitees sign in with SSO (and get the invited role).
        await account.assertPasswordAllowed?.(invitation.tenantId);
        const user = await this.repo.insertMember(
          { tenantId: invitation.tenantId, email: invitation.email, name: account.name?.trim() ?? '', passwordHash: account.passwordHash, role: invitation.role },
          sql,
        );
        await this.repo.markAccepted(invitation.id, user.id, sql);
        return { invitation, user };
      })
      .catch((err: unknown) => {
        // The email registered (or accepted elsewhere) since the invitation was sent: the unique index decides.
        if (isUniqueViolation(err)) throw new ConflictError('An account with this email already exists; log in instead');
        throw err;
      });
    await this.audit.record({
      tenantId: invitation.tenantId,
      userId: user.id,
      action: 'invitation.accept',
      targetType: 'invitation',
      targetId: invitation.id,
      details: { email: user.email, role: user.role, invitedBy: invitation.invitedBy },
      ip,
    });
    return user;
  }
}
