/**
 * The SQL of OAuth2 connections: their token sets (`credential_tokens`, sealed, one row per
 * connection, which is also the refresh lock), pending authorisations (`oauth_states`) and the
 * health columns of `credentials`.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CredentialStatus } from '@tributary/contracts';
import type { SealedSecret } from '../../common/crypto.js';
import type { Reseal, SealedTable } from '../../common/key-rotation.js';
import { inTransaction, sqlOf, type Sql } from '../../database/sql.js';

export interface TokenRow extends SealedSecret {
  credentialId: string;
  tenantId: string;
  expiresAt: Date | null;
  refreshedAt: Date;
  version: number;
}

export interface PendingAuthorisation {
  state: string;
  tenantId: string;
  credentialId: string;
  userId: string | null;
  codeVerifier: string;
  redirectUri: string;
  returnTo: string | null;
}

const TOKEN_COLUMNS = `credential_id AS "credentialId", tenant_id AS "tenantId", key_id AS "keyId", iv, auth_tag AS "authTag", ciphertext,
  expires_at AS "expiresAt", refreshed_at AS "refreshedAt", version`;

/** The sealed token set of a connection is bound to it: a row copied to another connection does not open. */
export function tokensAad(tenantId: string, credentialId: string): string {
  return `${tenantId}:${credentialId}:tokens`;
}

@Injectable()
export class TokensRepository implements SealedTable {
  readonly sealedWhat = 'OAuth2 tokens';
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Runs `fn` in a transaction (the refresh holds the token row's lock through it). */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.db, fn);
  }

  async read(credentialId: string, sql: Sql = this.sql): Promise<TokenRow | undefined> {
    const [row] = await sql<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM credential_tokens WHERE credential_id = $1`, [credentialId], { name: 'tokens-read' });
    return row;
  }

  /** The row, locked until the transaction ends: one refresh per connection at a time, across every process. */
  async lock(sql: Sql, credentialId: string): Promise<TokenRow | undefined> {
    const [row] = await sql<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM credential_tokens WHERE credential_id = $1 FOR UPDATE`, [credentialId]);
    return row;
  }

  async write(sql: Sql, tenantId: string, credentialId: string, sealed: SealedSecret, expiresAt: Date | null): Promise<void> {
    await sql(
      `INSERT INTO credential_tokens (credential_id, tenant_id, key_id, iv, auth_tag, ciphertext, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (credential_id) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv, auth_tag = EXCLUDED.auth_tag,
         ciphertext = EXCLUDED.ciphertext, expires_at = EXCLUDED.expires_at, version = credential_tokens.version + 1, refreshed_at = now()`,
      [credentialId, tenantId, sealed.keyId, sealed.iv, sealed.authTag, sealed.ciphertext, expiresAt],
    );
  }

  /**
   * Sets a connection's health; answers the row's connector and name when the status changed (so
   * the caller tells the dashboard), nothing when it was already so.
   */
  async setStatus(sql: Sql, credentialId: string, status: CredentialStatus, error: string | null): Promise<{ tenantId: string; connector: string; name: string } | undefined> {
    const success = status === 'ok';
    const [row] = await sql<{ tenantId: string; connector: string; name: string; changed: boolean }>(
      `WITH before AS (SELECT status FROM credentials WHERE id = $1)
       UPDATE credentials c SET status = $2,
         last_success_at = CASE WHEN $3 THEN now() ELSE c.last_success_at END,
         last_error_at = CASE WHEN $3 THEN c.last_error_at ELSE now() END,
         last_error = CASE WHEN $3 THEN c.last_error ELSE $4 END
       FROM before WHERE c.id = $1
       RETURNING c.tenant_id AS "tenantId", c.connector, c.name, before.status IS DISTINCT FROM $2 AS changed`,
      [credentialId, status, success, error],
    );
    return row?.changed ? row : undefined;
  }

  async lastError(credentialId: string): Promise<string | null> {
    const [row] = await this.sql<{ lastError: string | null }>(`SELECT last_error AS "lastError" FROM credentials WHERE id = $1`, [credentialId]);
    return row?.lastError ?? null;
  }

  /** Only the time of the last success, when nothing else changes (a healthy connection used again). */
  async touchSuccess(credentialIds: string[]): Promise<void> {
    if (credentialIds.length) await this.sql(`UPDATE credentials SET last_success_at = now() WHERE id = ANY($1::uuid[]) AND status = 'ok'`, [credentialIds]);
  }

  async addState(p: PendingAuthorisation, ttlSeconds: number): Promise<void> {
    await this.sql(`DELETE FROM oauth_states WHERE expires_at < now()`);
    await this.sql(
      `INSERT INTO oauth_states (state, tenant_id, credential_id, user_id, code_verifier, redirect_uri, return_to, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
      [p.state, p.tenantId, p.credentialId, p.userId, p.codeVerifier, p.redirectUri, p.returnTo, ttlSeconds],
    );
  }

  /** Takes a pending authorisation (single use): undefined when unknown, used or expired. */
  async takeState(state: string): Promise<PendingAuthorisation | undefined> {
    const [row] = await this.sql<PendingAuthorisation & { expired: boolean }>(
      `DELETE FROM oauth_states WHERE state = $1
       RETURNING state, tenant_id AS "tenantId", credential_id AS "credentialId", user_id AS "userId", code_verifier AS "codeVerifier",
         redirect_uri AS "redirectUri", return_to AS "returnTo", expires_at < now() AS expired`,
      [state],
    );
    return row && !row.expired ? row : undefined;
  }

  async staleSealedIds(currentKeyId: string): Promise<string[]> {
    const rows = await this.sql<{ id: string }>(`SELECT credential_id AS id FROM credential_tokens WHERE key_id <> $1`, [currentKeyId]);
    return rows.map((r) => r.id);
  }

  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean> {
    return this.transaction(async (sql) => {
      const row = await this.lock(sql, id);
      if (!row || row.keyId === currentKeyId) return false;
      const s = reseal(row, tokensAad(row.tenantId, row.credentialId));
      // The same tokens under another key: not a refresh, so version and refreshed_at stay.
      await sql(`UPDATE credential_tokens SET key_id = $2, iv = $3, auth_tag = $4, ciphertext = $5 WHERE credential_id = $1`, [id, s.keyId, s.iv, s.authTag, s.ciphertext]);
      return true;
    });
  }
}
