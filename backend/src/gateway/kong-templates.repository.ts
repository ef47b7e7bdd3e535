/** The only code that reads and writes kong_templates. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { decodeCursor, keyset, type Positioned } from '../common/pagination.js';
import { sqlOf, type Sql } from '../database/sql.js';
import type { KongTemplateRecord } from './kong-template.row.js';

const COLUMNS = `id, tenant_id AS "tenantId", workflow_id AS "workflowId", use_case AS "useCase", path, options, config, created_at AS "createdAt"`;

@Injectable()
export class KongTemplatesRepository {
  private readonly sql: Sql;

  constructor(@InjectDataSource() db: DataSource) {
    this.sql = sqlOf(db);
  }

  /** Inserts, or replaces the tenant's template for the same workflow and use case. Returns the row written and the one it replaced. */
  async upsert(row: Omit<KongTemplateRecord, 'createdAt'>): Promise<{ saved: KongTemplateRecord; previous: KongTemplateRecord | null }> {
    const [previous] = await this.sql<KongTemplateRecord>(
      `SELECT ${COLUMNS} FROM kong_templates WHERE tenant_id = $1 AND workflow_id = $2 AND use_case = $3`,
      [row.tenantId, row.workflowId, row.useCase],
    );
    const [saved] = await this.sql<KongTemplateRecord>(
      `INSERT INTO kong_templates (id, tenant_id, workflow_id, use_case, path, options, config) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, workflow_id, use_case) DO UPDATE SET path = EXCLUDED.path, options = EXCLUDED.options, config = EXCLUDED.config, created_at = now()
       RETURNING ${COLUMNS}`,
      [row.id, row.tenantId, row.workflowId, row.useCase, row.path, JSON.stringify(row.options), JSON.stringify(row.config)],
    );
    return { saved, previous: previous ?? null };
  }

  /** Puts back what an upsert replaced (or removes what it added). */
  async restore(saved: KongTemplateRecord, previous: KongTemplateRecord | null): Promise<void> {
    if (!previous) {
      await this.sql(`DELETE FROM kong_templates WHERE id = $1`, [saved.id]);
      return;
    }
    await this.sql(`UPDATE kong_templates SET path = $2, options = $3, config = $4, created_at = $5 WHERE id = $1`, [
      saved.id,
      previous.path,
      JSON.stringify(previous.options),
      JSON.stringify(previous.config),
      previous.createdAt,
    ]);
  }

  /** The template holding a public path, whoever's it is. */
  async findByPath(path: string): Promise<Pick<KongTemplateRecord, 'id' | 'tenantId' | 'workflowId' | 'useCase'> | null> {
    const rows = await this.sql<KongTemplateRecord>(`SELECT ${COLUMNS} FROM kong_templates WHERE path = $1`, [path]);
    return rows[0] ?? null;
  }

  async find(tenantId: string, id: string): Promise<KongTemplateRecord | null> {
    const rows = await this.sql<KongTemplateRecord>(`SELECT ${COLUMNS} FROM kong_templates WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0] ?? null;
  }

  /** `limit + 1` rows, newest first, after the cursor. */
  list(tenantId: string, limit: number, cursor?: string, workflowId?: string): Promise<(KongTemplateRecord & Positioned)[]> {
    const pos = decodeCursor(cursor);
    const ks = keyset();
    const params: unknown[] = [tenantId, limit + 1];
    const where = ['tenant_id = $1'];
    if (workflowId) where.push(`workflow_id = $${params.push(workflowId)}`);
    if (pos) where.push(ks.after(`$${params.push(pos.t)}`, `$${params.push(pos.id)}`));
    return this.sql<KongTemplateRecord & Positioned>(
      `SELECT ${COLUMNS}, ${ks.position} FROM kong_templates WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $2`,
      params,
    );
  }

  /** Every template of the tenant, or of the installation when tenantId is undefined (for Kong's config). */
  all(tenantId?: string): Promise<KongTemplateRecord[]> {
    return tenantId
      ? this.sql<KongTemplateRecord>(`SELECT ${COLUMNS} FROM kong_templates WHERE tenant_id = $1 ORDER BY created_at, id`, [tenantId])
      : this.sql<KongTemplateRecord>(`SELECT ${COLUMNS} FROM kong_templates ORDER BY created_at, id`);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.sql(`DELETE FROM kong_templates WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length > 0;
  }
}
