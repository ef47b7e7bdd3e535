/** The only code that reads and writes api_consumers and consumer_usage (raw SQL), key rotation's re-sealing included. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, keyset, type Positioned } from '../common/pagination.js';
import type { Reseal, SealedTable } from '../common/key-rotation.js';
import { inTransaction, sqlOf, type Sql } from '../database/sql.js';
import { consumerKeyAad, type ApiConsumer } from './api-consumer.row.js';

const COLUMNS = `id, tenant_id AS "tenantId", username, plan, groups, key_credential_id AS "keyCredentialId", key_hash AS "keyHash",
  key_hint AS "keyHint", key_ciphertext AS "keyCiphertext", key_iv AS "keyIv", key_auth_tag AS "keyAuthTag", key_key_id AS "keyKeyId",
  created_by AS "createdBy", created_at AS "createdAt", key_rotated_at AS "keyRotatedAt"`;

/** A consumer's key as stored: Kong's credential id, the lookup hash, the hint and the sealed key. */
export type SealedKey = Pick<ApiConsumer, 'keyCredentialId' | 'keyHash' | 'keyHint' | 'keyCiphertext' | 'keyIv' | 'keyAuthTag' | 'keyKeyId'>;

export interface UsageCount {
  consumerId: string;
  route: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  count: number;
}

@Injectable()
export class ConsumersRepository implements SealedTable {
  readonly sealedWhat = 'API consumer keys';
  private readonly sql: Sql;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.sql = sqlOf(db);
  }

  async staleSealedIds(currentKeyId: string): Promise<string[]> {
    return (await this.sql<{ id: string }>(`SELECT id FROM api_consumers WHERE key_key_id <> $1`, [currentKeyId])).map((r) => r.id);
  }

  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean> {
    return inTransaction(this.db, async (sql) => {
      const [row] = await sql<ApiConsumer>(`SELECT ${COLUMNS} FROM api_consumers WHERE id = $1 FOR UPDATE`, [id]);
      if (!row || row.keyKeyId === currentKeyId) return false;
      const s = reseal({ keyId: row.keyKeyId, iv: row.keyIv, authTag: row.keyAuthTag, ciphertext: row.keyCiphertext }, consumerKeyAad(row));
      await sql(`UPDATE api_consumers SET key_key_id = $2, key_iv = $3, key_auth_tag = $4, key_ciphertext = $5 WHERE id = $1`, [id, s.keyId, s.iv, s.authTag, s.ciphertext]);
      return true;
    });
  }

  /** null when the username is taken in the tenant. */
  async insert(row: Omit<ApiConsumer, 'createdAt' | 'keyRotatedAt'>): Promise<ApiConsumer | null> {
    const rows = await this.sql<ApiConsumer>(
      `INSERT INTO api_consumers (id, tenant_id, username, plan, groups, key_credential_id, key_hash, key_hint, key_ciphertext, key_iv, key_auth_tag, key_key_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (tenant_id, username) DO NOTHING RETURNING ${COLUMNS}`,
      [row.id, row.tenantId, row.username, row.plan, row.groups, row.keyCredentialId, row.keyHash, row.keyHint, row.keyCiphertext, row.keyIv, row.keyAuthTag, row.keyKeyId, row.createdBy],
    );
    return rows[0] ?? null;
  }

  async find(tenantId: string, id: string): Promise<ApiConsumer | null> {
    const rows = await this.sql<ApiConsumer>(`SELECT ${COLUMNS} FROM api_consumers WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0] ?? null;
  }

  /** `limit + 1` rows, newest first, after the cursor. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<(ApiConsumer & Positioned)[]> {
    const pos = decodeCursor(cursor);
    const ks = keyset();
    return this.sql<ApiConsumer & Positioned>(
      `SELECT ${COLUMNS}, ${ks.position} FROM api_consumers WHERE tenant_id = $1 ${pos ? `AND ${ks.after('$3', '$4')}` : ''}
       ORDER BY ${ks.orderBy} LIMIT $2`,
      pos ? [tenantId, limit + 1, pos.t, pos.id] : [tenantId, limit + 1],
    );
  }

  /** Every consumer of the tenant, or of the installation when tenantId is undefined (for Kong's config). */
  all(tenantId?: string): Promise<ApiConsumer[]> {
    return tenantId
      ? this.sql<ApiConsumer>(`SELECT ${COLUMNS} FROM api_consumers WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId])
      : this.sql<ApiConsumer>(`SELECT ${COLUMNS} FROM api_consumers ORDER BY created_at, id`);
  }

  async replaceKey(tenantId: string, id: string, key: SealedKey): Promise<ApiConsumer | null> {
    const rows = await this.sql<ApiConsumer>(
      `UPDATE api_consumers SET key_credential_id = $3, key_hash = $4, key_hint = $5, key_ciphertext = $6, key_iv = $7, key_auth_tag = $8,
         key_key_id = $9, key_rotated_at = now()
       WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, key.keyCredentialId, key.keyHash, key.keyHint, key.keyCiphertext, key.keyIv, key.keyAuthTag, key.keyKeyId],
    );
    return rows[0] ?? null;
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.sql(`DELETE FROM api_consumers WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length > 0;
  }

  /**
   * Adds counts in one statement. Rows of consumers that do not exist (deleted meanwhile, or an id
   * Kong knows and we do not, like the anonymous consumer) are dropped.
   */
  async addUsage(counts: UsageCount[]): Promise<void> {
    if (!counts.length) return;
    await this.sql(
      `INSERT INTO consumer_usage (consumer_id, route, day, count)
       SELECT t.consumer_id, t.route, t.day, t.count
       FROM unnest($1::uuid[], $2::text[], $3::date[], $4::bigint[]) AS t(consumer_id, route, day, count)
       WHERE EXISTS (SELECT 1 FROM api_consumers c WHERE c.id = t.consumer_id)
       ON CONFLICT (consumer_id, route, day) DO UPDATE SET count = consumer_usage.count + EXCLUDED.count`,
      [counts.map((c) => c.consumerId), counts.map((c) => c.route), counts.map((c) => c.day), counts.map((c) => c.count)],
    );
  }

  usage(consumerId: string, from: string, to: string): Promise<UsageCount[]> {
    return this.sql<UsageCount>(
      `SELECT consumer_id AS "consumerId", route, to_char(day, 'YYYY-MM-DD') AS day, count::float8 AS count
       FROM consumer_usage WHERE consumer_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day, route`,
      [consumerId, from, to],
    );
  }
}
