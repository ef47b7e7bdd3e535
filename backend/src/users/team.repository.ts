/**
 * The only code of team management that reads and writes users and invitations. Membership changes
 * of a tenant run in `transaction(tenantId, …)`, holding the tenant row's lock, so two of them (say two
 * admins demoting each other) happen one after the other and the "at least one admin" rule holds.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Role } from '../access/roles.js';
import { decodeCursor, keyset, type Positioned } from '../common/pagination.js';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';

export interface MemberRow {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
  lastLoginAt: Date | null;
  createdAt: Date;
}

export interface InvitationRow {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const MEMBER = `id, tenant_id AS "tenantId", email, name, role, last_login_at AS "lastLoginAt", created_at AS "createdAt"`;
const INVITATION = `id, tenant_id AS "tenantId", email, role, invited_by AS "invitedBy", expires_at AS "expiresAt", accepted_at AS "acceptedAt",
  revoked_at AS "revokedAt", created_at AS "createdAt"`;

@Injectable()
export class TeamRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Runs `fn` in one transaction; with a tenant id, after locking that tenant's row (membership changes). */
  transaction<T>(tenantId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.db, async (sql) => {
      if (tenantId) await sql('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
      return fn(sql);
    });
  }

  /** `limit + 1` members, newest first, after the cursor. */
  listMembers(tenantId: string, limit: number, cursor?: string): Promise<(MemberRow & Positioned)[]> {
    const pos = decodeCursor(cursor);
    const ks = keyset();
    return this.sql<MemberRow & Positioned>(
      `SELECT ${MEMBER}, ${ks.position} FROM users WHERE tenant_id = $1 ${pos ? `AND ${ks.after('$3', '$4')}` : ''}
       ORDER BY ${ks.orderBy} LIMIT $2`,
      pos ? [tenantId, limit + 1, pos.t, pos.id] : [tenantId, limit + 1],
    );
  }

  /** A user by id alone: who a token names, whatever the tenant. */
  async findMember(tenantId: string, id: string, sql = this.sql): Promise<MemberRow | null> {
    return (await sql<MemberRow>(`SELECT ${MEMBER} FROM users WHERE tenant_id = $1 AND id = $2`, [tenantId, id]))[0] ?? null;
  }

  /** Emails are unique across the platform: an email logs into one tenant. */
  async findUserByEmail(email: string, sql = this.sql): Promise<MemberRow | null> {
    return (await sql<MemberRow>(`SELECT ${MEMBER} FROM users WHERE email = $1`, [email]))[0] ?? null;
  }

  async countAdmins(tenantId: string, sql = this.sql): Promise<number> {
    const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE tenant_id = $1 AND role = 'admin'`, [tenantId]);
    return rows[0].n;
  }

  async setRole(tenantId: string, id: string, role: Role, sql = this.sql): Promise<MemberRow | null> {
    const rows = await sql<MemberRow>(`UPDATE users SET role = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING ${MEMBER}`, [tenantId, id, role]);
    return rows[0] ?? null;
  }

  async deleteMember(tenantId: string, id: string, sql = this.sql): Promise<boolean> {
    return (await sql(`DELETE FROM users WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length > 0;
  }

  async insertMember(row: { tenantId: string; email: string; name: string; passwordHash: string; role: Role }, sql = this.sql): Promise<MemberRow> {
    const rows = await sql<MemberRow>(
      `INSERT INTO users (tenant_id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING ${MEMBER}`,
      [row.tenantId, row.email, row.name, row.passwordHash, row.role],
    );
    return rows[0];
  }

  async insertInvitation(
    row: { id: string; tenantId: string; email: string; role: Role; tokenHash: Buffer; invitedBy: string | null; expiresAt: Date },
    sql = this.sql,
  ): Promise<InvitationRow> {
    const rows = await sql<InvitationRow>(
      `INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${INVITATION}`,
      [row.id, row.tenantId, row.email, row.role, row.tokenHash, row.invitedBy, row.expiresAt],
    );
    return rows[0];
  }

  /** `limit + 1` invitations not accepted, revoked or expired, newest first, after the cursor. */
  listPendingInvitations(tenantId: string, limit: number, cursor?: string): Promise<(InvitationRow & Positioned)[]> {
    const pos = decodeCursor(cursor);
    const ks = keyset();
    return this.sql<InvitationRow & Positioned>(
      `SELECT ${INVITATION}, ${ks.position} FROM invitations
       WHERE tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         ${pos ? `AND ${ks.after('$3', '$4')}` : ''}
       ORDER BY ${ks.orderBy} LIMIT $2`,
      pos ? [tenantId, limit + 1, pos.t, pos.id] : [tenantId, limit + 1],
    );
  }

  async findInvitation(tenantId: string, id: string, sql = this.sql): Promise<InvitationRow | null> {
    return (await sql<InvitationRow>(`SELECT ${INVITATION} FROM invitations WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]))[0] ?? null;
  }

  /** Locked until the transaction ends, so one invitation is accepted once. */
  async findInvitationByTokenHash(tokenHash: Buffer, sql: Sql): Promise<InvitationRow | null> {
    return (await sql<InvitationRow>(`SELECT ${INVITATION} FROM invitations WHERE token_hash = $1 FOR UPDATE`, [tokenHash]))[0] ?? null;
  }

  /** Revokes the pending invitation of that email in the tenant, if any; answers its id. */
  async revokePendingFor(tenantId: string, email: string, sql = this.sql): Promise<string | null> {
    const rows = await sql<{ id: string }>(
      `UPDATE invitations SET revoked_at = now() WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id`,
      [tenantId, email],
    );
    return rows[0]?.id ?? null;
  }

  async revokeInvitation(tenantId: string, id: string, sql = this.sql): Promise<void> {
    await sql(`UPDATE invitations SET revoked_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  }

  async markAccepted(id: string, userId: string, sql: Sql): Promise<void> {
    await sql(`UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [id, userId]);
  }
}
