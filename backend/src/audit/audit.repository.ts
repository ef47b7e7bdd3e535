/** The only code that reads and writes audit_logs. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { AuditEntry as AuditEntryView, AuditFilter } from '@tributary/contracts';
import type { DataSource, Repository } from 'typeorm';
import { decodeCursor, keyset, toPage, type Page, type Positioned } from '../common/pagination.js';
import { isUuid } from '../common/ids.js';
import { sqlOf, type Sql } from '../database/sql.js';
import { AuditLog } from './audit-log.entity.js';

export type NewAuditLog = Pick<AuditLog, 'tenantId' | 'userId' | 'action' | 'targetType' | 'targetId' | 'details' | 'ip'>;

/** A list query: the filters, a page size and where the previous page ended. */
export interface AuditQuery extends AuditFilter {
  limit: number;
  cursor?: string;
}

const COLUMNS = `a.id, a.action, a.user_id AS "userId", u.email AS "actorEmail", a.target_type AS "targetType", a.target_id AS "targetId",
  a.details, a.ip, a.created_at AS "createdAt"`;

/** LIKE's wildcards and escape taken literally: `credential.` matches a prefix, `%` matches a percent sign. */
function likePrefix(value: string): string {
  return `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class AuditRepository {
  private readonly sql: Sql;

  constructor(
    @InjectRepository(AuditLog) private readonly repo: Repository<AuditLog>,
    @InjectDataSource() db: DataSource,
  ) {
    this.sql = sqlOf(db);
  }

  async insert(entry: NewAuditLog): Promise<void> {
    await this.repo.save(this.repo.create(entry), { reload: false });
  }

  /**
   * A page of a tenant's entries, newest first (exact keyset: `created_at DESC, id DESC`), with the
   * filters applied. Every filter narrows within the tenant's index (tenant_id, created_at, id).
   */
  async list(tenantId: string, q: AuditQuery): Promise<Page<AuditEntryView>> {
    const params: unknown[] = [tenantId];
    const where = ['a.tenant_id = $1'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (q.action) add(`a.action LIKE ? ESCAPE '\\'`, likePrefix(q.action));
    if (q.actor) {
      if (isUuid(q.actor)) add('a.user_id = ?::uuid', q.actor);
      else add('a.user_id IN (SELECT id FROM users WHERE tenant_id = $1 AND lower(email) = lower(?))', q.actor);
    }
    if (q.targetType) add('a.target_type = ?', q.targetType);
    if (q.targetId) add('a.target_id = ?', q.targetId);
    if (q.from) add('a.created_at >= ?::timestamptz', q.from);
    if (q.to) add('a.created_at < ?::timestamptz', q.to);
    const ks = keyset('a');
    const pos = decodeCursor(q.cursor);
    if (pos) where.push(ks.after(`$${params.push(pos.t)}`, `$${params.push(pos.id)}`));
    params.push(q.limit + 1);
    const rows = await this.sql<AuditEntryView & Positioned>(
      `SELECT ${COLUMNS}, ${ks.position} FROM audit_logs a LEFT JOIN users u ON u.id = a.user_id
       WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, q.limit);
    return { items: page.items.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })), nextCursor: page.nextCursor };
  }

  /**
   * Retention: deletes entries (of every tenant, and those of none) created before `cutoff`, in
   * batches of `batch` rows, each its own short statement. Answers how many went.
   */
  async deleteOlderThan(cutoff: Date, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.sql(
        `DELETE FROM audit_logs WHERE id IN (SELECT id FROM audit_logs WHERE created_at < $1 LIMIT $2) RETURNING 1`,
        [cutoff, batch],
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }
}
