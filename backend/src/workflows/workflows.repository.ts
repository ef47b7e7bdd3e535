/**
 * The only code of the workflows module that reads and writes workflows and workflow_versions, one
 * aggregate: a workflow's every saved content is a version snapshot, written in the same transaction
 * as the workflow row (TypeORM, as these tables always were).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { entityPage, type Page } from '../common/pagination.js';
import { sqlOf, type Sql } from '../database/sql.js';
import { WorkflowVersion } from './workflow-version.entity.js';
import { Workflow } from './workflow.entity.js';
import type { WorkflowPriority } from '@tributary/contracts';

export type WorkflowContent = Pick<Workflow, 'name' | 'description' | 'enabled' | 'trigger' | 'steps' | 'errorWorkflowId' | 'concurrencyMax' | 'priority' | 'inputSchema'> &
  Partial<Pick<Workflow, 'environment' | 'promotedFrom' | 'lineageId' | 'tool'>>;

export interface WorkflowFilter {
  limit: number;
  cursor?: string;
  enabled?: boolean;
  triggerType?: string;
}

@Injectable()
export class WorkflowsRepository {
  private readonly sql: Sql;

  constructor(
    @InjectRepository(Workflow) private readonly repo: Repository<Workflow>,
    @InjectRepository(WorkflowVersion) private readonly versions: Repository<WorkflowVersion>,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    this.sql = sqlOf(db);
  }

  /** A new workflow at version 1, with its first snapshot (and its note, when the platform made it). */
  create(tenantId: string, userId: string | null, input: WorkflowContent, note: string | null = null): Promise<Workflow> {
    return this.db.transaction(async (tx) => {
      const w = await tx.getRepository(Workflow).save(tx.getRepository(Workflow).create({ ...input, tenantId, version: 1, createdBy: userId }));
      await this.snapshot(tx, w, userId, note);
      return w;
    });
  }

  /** The workflow of the same lineage (itself and its promoted copies) in `environment`, if any. */
  counterpart(w: Workflow, environment: string): Promise<Workflow | null> {
    return this.repo
      .createQueryBuilder('w')
      .where('w.tenant_id = :tenantId AND COALESCE(w.lineage_id, w.id) = :lineage AND w.environment = :environment', { tenantId: w.tenantId, lineage: w.lineageId ?? w.id, environment })
      .getOne();
  }

  /** The environments the tenant's workflows run in, with how many workflows each. */
  environments(tenantId: string): Promise<{ name: string; count: number }[]> {
    return this.repo
      .createQueryBuilder('w')
      .select('w.environment', 'name')
      .addSelect('count(*)::int', 'count')
      .where('w.tenant_id = :tenantId', { tenantId })
      .groupBy('w.environment')
      .getRawMany<{ name: string; count: number }>();
  }

  /** `limit` workflows of a tenant, newest first, after the cursor. */
  list(tenantId: string, q: WorkflowFilter): Promise<Page<Workflow>> {
    const qb = this.repo.createQueryBuilder('w').where('w.tenant_id = :tenantId', { tenantId });
    if (q.enabled !== undefined) qb.andWhere('w.enabled = :enabled', { enabled: q.enabled });
    if (q.triggerType) qb.andWhere(`w.trigger->>'type' = :tt`, { tt: q.triggerType });
    return entityPage(qb, q.limit, q.cursor);
  }

  /** null when missing or another tenant's (`id` must be a uuid). */
  findInTenant(tenantId: string, id: string): Promise<Workflow | null> {
    return this.repo.findOne({ where: { id, tenantId } });
  }

  /** By id alone, whatever the tenant (`id` must be a uuid). */
  findById(id: string): Promise<Workflow | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** The tenant's workflows offered to MCP clients (tool enabled), by tool name. */
  tools(tenantId: string): Promise<Workflow[]> {
    return this.repo.createQueryBuilder('w').where(`w.tenant_id = :tenantId AND (w.tool->>'enabled')::boolean`, { tenantId }).orderBy(`w.tool->>'name'`).getMany();
  }

  /** Every enabled workflow with a `schedule` trigger, across tenants (the scheduler keeps the queue's schedulers in line). */
  enabledSchedules(): Promise<Workflow[]> {
    return this.schedules().getMany();
  }

  countEnabledSchedules(): Promise<number> {
    return this.schedules().getCount();
  }

  private schedules() {
    return this.repo.createQueryBuilder('w').where(`w.trigger->>'type' = 'schedule' AND w.enabled`);
  }

  /** Enabled workflows of the tenant whose `event` trigger names this topic, exactly or with `*` (one indexed query). */
  triggeredByEvent(tenantId: string, topic: string): Promise<{ id: string; version: number; priority: WorkflowPriority; concurrencyMax: number | null }[]> {
    return this.repo.createQueryBuilder('w')
      .select('w.id', 'id')
      .addSelect('w.version', 'version')
      .addSelect('w.priority', 'priority')
      .addSelect('w.concurrency_max', 'concurrencyMax')
      .where(`w.tenant_id = :tenantId AND w.enabled AND w.trigger->>'type' = 'event'`, { tenantId })
      .andWhere(
        `(w.trigger->>'topic' = :topic
          OR (strpos(w.trigger->>'topic', '*') > 0 AND :topic LIKE replace(replace(w.trigger->>'topic', '_', '\\_'), '*', '%')))`,
        { topic },
      )
      .orderBy('w.created_at')
      .getRawMany<{ id: string; version: number; priority: WorkflowPriority; concurrencyMax: number | null }>();
  }

  /**
   * Saves `next` as the workflow's next version, with its snapshot. The row is locked first, so two
   * concurrent saves get consecutive version numbers.
   */
  saveNewVersion(id: string, next: WorkflowContent, userId: string | null, note: string | null = null): Promise<Workflow> {
    return this.db.transaction(async (tx) => {
      const locked = await tx.getRepository(Workflow).createQueryBuilder('w').setLock('pessimistic_write').where('w.id = :id', { id }).getOneOrFail();
      Object.assign(locked, next, { version: locked.version + 1 });
      const saved = await tx.getRepository(Workflow).save(locked);
      await this.snapshot(tx, saved, userId, note);
      return saved;
    });
  }

  /** Turns the workflow on or off; not a new version. */
  setEnabled(w: Workflow, enabled: boolean): Promise<Workflow> {
    w.enabled = enabled;
    return this.repo.save(w);
  }

  /** Pins (`output` defined) or unpins a step's test data in one statement; the workflow's pins after it, or null when it is gone. */
  async setPin(tenantId: string, id: string, stepId: string, output?: unknown): Promise<Record<string, unknown> | null> {
    const [row] =
      output === undefined
        ? await this.sql<{ pin_data: Record<string, unknown> }>(`UPDATE workflows SET pin_data = pin_data - $3::text WHERE tenant_id = $1 AND id = $2 RETURNING pin_data`, [tenantId, id, stepId])
        : await this.sql<{ pin_data: Record<string, unknown> }>(`UPDATE workflows SET pin_data = pin_data || jsonb_build_object($3::text, $4::jsonb) WHERE tenant_id = $1 AND id = $2 RETURNING pin_data`, [
            tenantId,
            id,
            stepId,
            JSON.stringify(output),
          ]);
    return row?.pin_data ?? null;
  }

  /** Deletes the workflow (its versions go with it, ON DELETE CASCADE). */
  async delete(tenantId: string, id: string): Promise<void> {
    await this.repo.delete({ id, tenantId });
  }

  /** Every version of the workflow, newest first. */
  listVersions(tenantId: string, workflowId: string): Promise<WorkflowVersion[]> {
    return this.versions.find({ where: { workflowId, tenantId }, order: { version: 'DESC' } });
  }

  findVersion(tenantId: string, workflowId: string, version: number): Promise<WorkflowVersion | null> {
    return this.versions.findOne({ where: { workflowId, tenantId, version } });
  }

  private async snapshot(tx: EntityManager, w: Workflow, userId: string | null, note: string | null = null): Promise<void> {
    const versions = tx.getRepository(WorkflowVersion);
    await versions.save(versions.create({
      workflowId: w.id,
      tenantId: w.tenantId,
      version: w.version,
      name: w.name,
      description: w.description,
      trigger: w.trigger,
      steps: w.steps,
      note,
      createdBy: userId,
    }), { reload: false });
  }
}
