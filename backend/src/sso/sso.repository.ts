/**
 * The SQL of single sign-on: each workspace's provider (`sso_configs`, its client secret sealed and
 * bound to the tenant), sign-ins in progress (`sso_states`, single use), and what sign-in reads and
 * writes of users (the account of an email, a user created on first sign-in with the role of a
 * pending invitation or the default one). Raw SQL, as the rest of the code on these tables.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SealedSecret } from '../common/crypto.js';
import type { Reseal, SealedTable } from '../common/key-rotation.js';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import type { Role } from '../access/roles.js';

export type SsoDefaultRole = 'viewer' | 'editor';

export interface SsoConfigValues {
  issuer: string;
  clientId: string;
  allowedDomains: string[];
  defaultRole: SsoDefaultRole;
  ssoOnly: boolean;
  enabled: boolean;
}

export interface SsoConfigRow extends SealedSecret, SsoConfigValues {
  tenantId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PendingSignIn {
  state: string;
  tenantId: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

export interface SsoUser {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: Role;
}

/** The client secret is bound to its workspace: a row copied to another tenant does not open. */
export function ssoSecretAad(tenantId: string): string {
  return `${tenantId}:sso:client_secret`;
}

const CONFIG = `tenant_id AS "tenantId", issuer, client_id AS "clientId", key_id AS "keyId", iv, auth_tag AS "authTag", ciphertext,
  allowed_domains AS "allowedDomains", default_role AS "defaultRole", sso_only AS "ssoOnly", enabled, created_at AS "createdAt", updated_at AS "updatedAt"`;
const USER = `id, tenant_id AS "tenantId", email, name, role`;

@Injectable()
export class SsoRepository implements SealedTable {
  readonly sealedWhat = 'SSO client secrets';
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  async find(tenantId: string, sql: Sql = this.sql): Promise<SsoConfigRow | undefined> {
    return (await sql<SsoConfigRow>(`SELECT ${CONFIG} FROM sso_configs WHERE tenant_id = $1`, [tenantId]))[0];
  }

  /** The enabled provider whose allowed domains hold `domain` (domains are claimed by one enabled workspace at most). */
  async findByDomain(domain: string): Promise<SsoConfigRow | undefined> {
    return (await this.sql<SsoConfigRow>(`SELECT ${CONFIG} FROM sso_configs WHERE enabled AND allowed_domains @> ARRAY[$1::text] LIMIT 1`, [domain]))[0];
  }

  /** Which of `domains` another workspace's enabled provider claims already. */
  async domainsClaimedElsewhere(tenantId: string, domains: string[]): Promise<string[]> {
    const rows = await this.sql<{ domain: string }>(
      `SELECT DISTINCT d AS domain FROM sso_configs, unnest(allowed_domains) d WHERE enabled AND tenant_id <> $1 AND d = ANY($2::text[]) ORDER BY 1`,
      [tenantId, domains],
    );
    return rows.map((r) => r.domain);
  }

  /**
   * Writes the workspace's provider; `sealed` null keeps the stored client secret (an update that
   * leaves it out). Answers the row, or undefined when there is none to update and no secret.
   */
  async save(tenantId: string, v: SsoConfigValues, sealed: SealedSecret | null): Promise<SsoConfigRow | undefined> {
    if (!sealed) {
      return (
        await this.sql<SsoConfigRow>(
          `UPDATE sso_configs SET issuer = $2, client_id = $3, allowed_domains = $4, default_role = $5, sso_only = $6, enabled = $7, updated_at = now()
           WHERE tenant_id = $1 RETURNING ${CONFIG}`,
          [tenantId, v.issuer, v.clientId, v.allowedDomains, v.defaultRole, v.ssoOnly, v.enabled],
        )
      )[0];
    }
    return (
      await this.sql<SsoConfigRow>(
        `INSERT INTO sso_configs (tenant_id, issuer, client_id, key_id, iv, auth_tag, ciphertext, allowed_domains, default_role, sso_only, enabled)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (tenant_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
           auth_tag = EXCLUDED.auth_tag, ciphertext = EXCLUDED.ciphertext, allowed_domains = EXCLUDED.allowed_domains, default_role = EXCLUDED.default_role,
           sso_only = EXCLUDED.sso_only, enabled = EXCLUDED.enabled, updated_at = now()
         RETURNING ${CONFIG}`,
        [tenantId, v.issuer, v.clientId, sealed.keyId, sealed.iv, sealed.authTag, sealed.ciphertext, v.allowedDomains, v.defaultRole, v.ssoOnly, v.enabled],
      )
    )[0];
  }

  async remove(tenantId: string): Promise<boolean> {
    return (await this.sql(`DELETE FROM sso_configs WHERE tenant_id = $1 RETURNING tenant_id`, [tenantId])).length > 0;
  }

  /** True when the workspace's enabled provider is its only way in. */
  async ssoOnly(tenantId: string): Promise<boolean> {
    return (await this.sql(`SELECT 1 FROM sso_configs WHERE tenant_id = $1 AND enabled AND sso_only`, [tenantId], { name: 'sso-only' })).length > 0;
  }

  async addState(p: PendingSignIn, ttlSeconds: number): Promise<void> {
    await this.sql(`DELETE FROM sso_states WHERE expires_at < now()`);
    await this.sql(
      `INSERT INTO sso_states (state, tenant_id, code_verifier, nonce, return_to, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [p.state, p.tenantId, p.codeVerifier, p.nonce, p.returnTo, ttlSeconds],
    );
  }

  /** Takes a sign-in in progress (single use): `unknown` when never issued or already used, `expired` past its time. */
  async takeState(state: string): Promise<PendingSignIn | 'unknown' | 'expired'> {
    const [row] = await this.sql<PendingSignIn & { expired: boolean }>(
      `DELETE FROM sso_states WHERE state = $1
       RETURNING state, tenant_id AS "tenantId", code_verifier AS "codeVerifier", nonce, return_to AS "returnTo", expires_at < now() AS expired`,
      [state],
    );
    if (!row) return 'unknown';
    if (row.expired) return 'expired';
    const { expired: _expired, ...pending } = row;
    return pending;
  }

  async findUserByEmail(email: string): Promise<SsoUser | undefined> {
    return (await this.sql<SsoUser>(`SELECT ${USER} FROM users WHERE email = $1`, [email]))[0];
  }

  /** The account an issuer's subject is linked to (by an earlier sign-in), whatever its email is today. */
  async findUserBySubject(issuer: string, subject: string): Promise<SsoUser | undefined> {
    return (await this.sql<SsoUser>(`SELECT ${USER} FROM users WHERE id = (SELECT user_id FROM sso_identities WHERE issuer = $1 AND subject = $2)`, [issuer, subject]))[0];
  }

  /** The subject the account is linked to at this issuer, if any. */
  async subjectOf(userId: string, issuer: string): Promise<string | undefined> {
    return (await this.sql<{ subject: string }>(`SELECT subject FROM sso_identities WHERE user_id = $1 AND issuer = $2`, [userId, issuer]))[0]?.subject;
  }

  /** Links the subject to the account; false when either is linked already (a concurrent first sign-in). */
  async link(issuer: string, subject: string, tenantId: string, userId: string): Promise<boolean> {
    const rows = await this.sql(`INSERT INTO sso_identities (issuer, subject, tenant_id, user_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING subject`, [issuer, subject, tenantId, userId]);
    return rows.length === 1;
  }

  async tenantName(tenantId: string): Promise<string | undefined> {
    return (await this.sql<{ name: string }>(`SELECT name FROM tenants WHERE id = $1`, [tenantId]))[0]?.name;
  }

  async recordLogin(userId: string): Promise<void> {
    await this.sql(`UPDATE users SET last_login_at = now(), updated_at = now() WHERE id = $1`, [userId]);
  }

  /**
   * Creates the user of a first SSO sign-in: with the role of the email's pending invitation to the
   * workspace (accepted by this sign-in), else `defaultRole`. Null when the email has an account
   * already (created meanwhile: the unique index decides).
   */
  async createUser(
    tenantId: string,
    account: { email: string; name: string; passwordHash: string; defaultRole: SsoDefaultRole },
  ): Promise<{ user: SsoUser; invitationId: string | null } | null> {
    try {
      return await inTransaction(this.db, async (sql) => {
        const [invitation] = await sql<{ id: string; role: Role }>(
          `SELECT id, role FROM invitations WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() FOR UPDATE`,
          [tenantId, account.email],
        );
        const [user] = await sql<SsoUser>(
          `INSERT INTO users (tenant_id, email, name, password_hash, role, last_login_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${USER}`,
          [tenantId, account.email, account.name, account.passwordHash, invitation?.role ?? account.defaultRole],
        );
        if (invitation) await sql(`UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [invitation.id, user.id]);
        return { user, invitationId: invitation?.id ?? null };
      });
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === '23505') return null;
      throw err;
    }
  }

  async staleSealedIds(currentKeyId: string): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(`SELECT tenant_id AS id FROM sso_configs WHERE key_id <> $1`, [currentKeyId]);
    return rows.map((r) => r.id);
  }

  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean> {
    return inTransaction(this.db, async (sql) => {
      const [row] = await sql<SsoConfigRow>(`SELECT ${CONFIG} FROM sso_configs WHERE tenant_id = $1 FOR UPDATE`, [id]);
      if (!row || row.keyId === currentKeyId) return false;
      const s = reseal(row, ssoSecretAad(row.tenantId));
      await sql(`UPDATE sso_configs SET key_id = $2, iv = $3, auth_tag = $4, ciphertext = $5 WHERE tenant_id = $1`, [id, s.keyId, s.iv, s.authTag, s.ciphertext]);
      return true;
    });
  }
}
