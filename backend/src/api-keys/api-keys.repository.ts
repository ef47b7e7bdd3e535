/**
 * The only code that reads and writes `api_keys` (raw SQL through sql.ts). The hash of a key is
 * written once and only ever compared: no read returns it.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, keyset, type Positioned } from '../common/pagination.js';
import { sqlOf, type Sql } from '../database/sql.js';
import type { ApiKeyRow, NewApiKeyRow } from './api-key.row.js';

const COLUMNS = `id, tenant_id AS "tenantId", user_id AS "userId", created_by AS "createdBy", name, kind, scope, prefix,
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", created_at AS "createdAt"`;

@Injectable()
export class ApiKeysRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource) {
    this.sql = sqlOf(db);
  }

  async insert(row: NewApiKeyRow): Promise<ApiKeyRow> {
    const rows = await this.sql<ApiKeyRow>(
      `INSERT INTO api_keys (id, tenant_id, user_id, created_by, name, kind, scope, prefix, key_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [row.id, row.tenantId, row.userId, row.createdBy, row.name, row.kind, row.scope, row.prefix, row.keyHash, row.expiresAt],
    );
    return rows[0];
  }

  /** The key with this hash, whatever its state (the caller tells revoked and expired apart). The hot path: a prepared statement. */
  async findByHash(keyHash: Buffer): Promise<ApiKeyRow | null> {
    const rows = await this.sql<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [keyHash], { name: 'api_keys_by_hash' });
    return rows[0] ?? null;
  }

  async find(tenantId: string, id: string): Promise<ApiKeyRow | null> {
    return (await this.sql<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE tenant_id = $1 AND id = $2`, [tenantId, id]))[0] ?? null;
  }

  /** `limit + 1` keys of the tenant (or of one user, `userId`), newest first, after the cursor. */
  list(tenantId: string, userId: string | null, limit: number, cursor?: string): Promise<(ApiKeyRow & Positioned)[]> {
    const pos = decodeCursor(cursor);
    const ks = keyset();
    const params: unknown[] = [tenantId, limit + 1];
    const where = ['tenant_id = $1'];
    if (userId) where.push(`user_id = $${params.push(userId)}`);
    if (pos) where.push(ks.after(`$${params.push(pos.t)}`, `$${params.push(pos.id)}`));
    return this.sql<ApiKeyRow & Positioned>(`SELECT ${COLUMNS}, ${ks.position} FROM api_keys WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $2`, params);
  }

  /** Revokes the key if it is not yet; answers the key with its hash (to forget it from caches), or null when it was revoked already. */
  async revoke(tenantId: string, id: string, by: string | null): Promise<(ApiKeyRow & { keyHash: Buffer }) | null> {
    const rows = await this.sql<ApiKeyRow & { keyHash: Buffer }>(
      `UPDATE api_keys SET revoked_at = now(), revoked_by = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL
       RETURNING ${COLUMNS}, key_hash AS "keyHash"`,
      [tenantId, id, by],
    );
    return rows[0] ?? null;
  }

  /**
   * Records a use: `last_used_at` moves only when it is a minute old or more (whichever api process
   * gets there first), and an audit entry is due when the last one is an hour old or more. Answers
   * whether this call took the audit entry (false also when the row was not updated).
   */
  async touch(id: string): Promise<{ audit: boolean }> {
    const rows = await this.sql<{ audit: boolean }>(
      `UPDATE api_keys SET last_used_at = now(),
         last_audited_at = CASE WHEN last_audited_at IS NULL OR last_audited_at <= now() - interval '1 hour' THEN now() ELSE last_audited_at END
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - interval '1 minute')
       RETURNING last_audited_at = now() AS audit`,
      [id],
      { name: 'api_keys_touch' },
    );
    return { audit: rows[0]?.audit ?? false };
  }
}
