/**
 * What sign-up, sign-in and "who am I" read and write of users and tenants: an account by email or
 * id (with its password hash, which no other module's reads return), a new tenant with its first
 * admin, the last sign-in time. Raw SQL through the Sql helper, as the rest of the code on these
 * tables (users/team.repository.ts).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import type { Role } from '../access/roles.js';

export interface Identity {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
}

export interface IdentityWithPassword extends Identity {
  passwordHash: string;
}

export interface TenantRow {
  id: string;
  name: string;
}

const IDENTITY = `id, tenant_id AS "tenantId", email, name, role`;

/** `unique_violation`: the users.email index refused a second account. */
function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23505';
}

@Injectable()
export class IdentitiesRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** The account with this (lower-cased) email, password hash included. */
  async findByEmail(email: string): Promise<IdentityWithPassword | null> {
    return (await this.sql<IdentityWithPassword>(`SELECT ${IDENTITY}, password_hash AS "passwordHash" FROM users WHERE email = $1`, [email]))[0] ?? null;
  }

  async findById(id: string): Promise<Identity | null> {
    return (await this.sql<Identity>(`SELECT ${IDENTITY} FROM users WHERE id = $1`, [id]))[0] ?? null;
  }

  /** The tenant of an existing user (a foreign key guarantees it): throws when missing. */
  async tenantOf(user: Pick<Identity, 'tenantId'>): Promise<TenantRow> {
    const row = (await this.sql<TenantRow>(`SELECT id, name FROM tenants WHERE id = $1`, [user.tenantId]))[0];
    if (!row) throw new Error(`Tenant ${user.tenantId} not found`);
    return row;
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.sql(`UPDATE users SET last_login_at = $2, updated_at = CURRENT_TIMESTAMP WHERE id = $1`, [id, at]);
  }

  /**
   * A new tenant and its first admin, in one transaction; null when an account with this email
   * exists already (found first, or — two sign-ups racing — refused by the unique index).
   */
  async createTenantWithAdmin(account: { tenantName: string; email: string; name: string; passwordHash: string }): Promise<{ user: Identity; tenant: TenantRow } | null> {
    try {
      return await inTransaction(this.db, async (sql) => {
        if ((await sql(`SELECT 1 FROM users WHERE email = $1`, [account.email])).length) return null;
        const [tenant] = await sql<TenantRow>(`INSERT INTO tenants (name) VALUES ($1) RETURNING id, name`, [account.tenantName]);
        const [user] = await sql<Identity>(
          `INSERT INTO users (tenant_id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, 'admin') RETURNING ${IDENTITY}`,
          [tenant.id, account.email, account.name, account.passwordHash],
        );
        return { user, tenant };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }
}
