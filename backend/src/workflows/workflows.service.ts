import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { CronExpressionParser } from 'cron-parser';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { NotFoundError, ValidationError } from '../common/errors.js';
import { entityPage, type Page } from '../common/pagination.js';
import { CONFIG, type Config } from '../config/config.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { findConnector } from '../engine/connectors.js';
import { validateSteps } from './workflow-validation.js';
import { WorkflowVersion } from './workflow-version.entity.js';
import { Workflow } from './workflow.entity.js';
import type { TriggerDefinition, WorkflowInput, WorkflowUpdate, workflowSchema, workflowVersionListSchema } from '@tributary/contracts';
import type { z } from 'zod';
import { WorkflowEvents } from './workflow-events.js';
import { isUuid } from '../common/ids.js';

/** A workflow as answered: the contract's shape (createdAt and updatedAt leave as ISO strings). */
export type WorkflowView = z.input<typeof workflowSchema>;


export function nextRuns(trigger: TriggerDefinition, count = 5, from = new Date()): string[] {
  if (trigger.type !== 'schedule') return [];
  if (trigger.intervalSeconds) {
    return Array.from({ length: count }, (_, i) => new Date(from.getTime() + (i + 1) * trigger.intervalSeconds! * 1000).toISOString());
  }
  const it = CronExpressionParser.parse(trigger.cron!, { tz: trigger.timezone, currentDate: from });
  return Array.from({ length: count }, () => it.next().toDate().toISOString());
}

@Injectable()
export class WorkflowsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @InjectRepository(Workflow) private readonly repo: Repository<Workflow>,
    @InjectRepository(WorkflowVersion) private readonly versions: Repository<WorkflowVersion>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    private readonly events: WorkflowEvents,
  ) {}

  view(w: Workflow): WorkflowView {
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      enabled: w.enabled,
      trigger: w.trigger,
      steps: w.steps,
      version: w.version,
      ...(w.trigger.type === 'webhook' ? { webhookUrl: `${this.config.publicUrl}/api/webhooks/${w.id}` } : {}),
      ...(w.trigger.type === 'schedule' ? { nextRuns: w.enabled ? nextRuns(w.trigger) : [] } : {}),
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    };
  }

  async create(tenantId: string, userId: string, input: WorkflowInput): Promise<WorkflowView> {
    await this.validate(tenantId, input.steps);
    const saved = await this.db.transaction(async (tx) => {
      const w = await tx.getRepository(Workflow).save(tx.getRepository(Workflow).create({ ...input, tenantId, version: 1, createdBy: userId }));
      await this.snapshot(tx, w, userId);
      return w;
    });
    await this.audit.record({ tenantId, userId, action: 'workflow.create', targetType: 'workflow', targetId: saved.id, details: { name: saved.name } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  async list(tenantId: string, q: { limit: number; cursor?: string; enabled?: boolean; triggerType?: string }): Promise<Page<WorkflowView>> {
    const qb = this.repo.createQueryBuilder('w').where('w.tenant_id = :tenantId', { tenantId });
    if (q.enabled !== undefined) qb.andWhere('w.enabled = :enabled', { enabled: q.enabled });
    if (q.triggerType) qb.andWhere(`w.trigger->>'type' = :tt`, { tt: q.triggerType });
    const page = await entityPage(qb, q.limit, q.cursor);
    return { items: page.items.map((w) => this.view(w)), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<WorkflowView> {
    return this.view(await this.getEntityOrThrow(tenantId, id));
  }

  /** null when missing or another tenant's. */
  async getEntity(tenantId: string, id: string): Promise<Workflow | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id, tenantId } });
  }

  async getEntityOrThrow(tenantId: string, id: string): Promise<Workflow> {
    const w = await this.getEntity(tenantId, id);
    if (!w) throw new NotFoundError('Workflow');
    return w;
  }

  /** Enabled workflows of the tenant whose `event` trigger names this topic, exactly or with `*` (one indexed query). */
  async triggeredByEvent(tenantId: string, topic: string): Promise<{ id: string; version: number }[]> {
    return this.db.query(
      `SELECT id, version FROM workflows
       WHERE tenant_id = $1 AND enabled AND trigger->>'type' = 'event'
         AND (trigger->>'topic' = $2
              OR (strpos(trigger->>'topic', '*') > 0 AND $2 LIKE replace(replace(trigger->>'topic', '_', '\\_'), '*', '%')))
       ORDER BY created_at`,
      [tenantId, topic],
    );
  }

  /** For ingress paths that are not tenant-authenticated (webhooks): by id alone. */
  async findById(id: string): Promise<Workflow | null> {
    if (!isUuid(id)) return null;
    return this.repo.findOne({ where: { id } });
  }

  async update(tenantId: string, userId: string, id: string, input: WorkflowUpdate): Promise<WorkflowView> {
    const current = await this.getEntityOrThrow(tenantId, id);
    const next = {
      name: input.name ?? current.name,
      description: input.description ?? current.description,
      enabled: input.enabled ?? current.enabled,
      trigger: input.trigger ?? current.trigger,
      steps: input.steps ?? current.steps,
    };
    await this.validate(tenantId, next.steps);
    const saved = await this.saveNewVersion(current, next, userId);
    await this.audit.record({ tenantId, userId, action: 'workflow.update', targetType: 'workflow', targetId: id, details: { version: saved.version } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  async toggle(tenantId: string, userId: string, id: string, enabled?: boolean): Promise<WorkflowView> {
    const w = await this.getEntityOrThrow(tenantId, id);
    w.enabled = enabled ?? !w.enabled;
    const saved = await this.repo.save(w);
    await this.audit.record({ tenantId, userId, action: w.enabled ? 'workflow.enable' : 'workflow.disable', targetType: 'workflow', targetId: id });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  async remove(tenantId: string, userId: string, id: string): Promise<void> {
    const w = await this.getEntityOrThrow(tenantId, id);
    await this.repo.delete({ id: w.id, tenantId });
    await this.audit.record({ tenantId, userId, action: 'workflow.delete', targetType: 'workflow', targetId: id, details: { name: w.name } });
    await this.events.emit({ type: 'deleted', workflow: w });
  }

  async listVersions(tenantId: string, id: string): Promise<z.input<typeof workflowVersionListSchema>> {
    await this.getEntityOrThrow(tenantId, id);
    const rows = await this.versions.find({ where: { workflowId: id, tenantId }, order: { version: 'DESC' } });
    return { items: rows.map(({ tenantId: _t, ...rest }) => rest) };
  }

  async getVersion(tenantId: string, workflowId: string, version: number): Promise<WorkflowVersion | null> {
    return this.versions.findOne({ where: { workflowId, tenantId, version } });
  }

  /** Rolling back saves the old content as a new version: history is never rewritten. */
  async rollback(tenantId: string, userId: string, id: string, version: number): Promise<WorkflowView> {
    const current = await this.getEntityOrThrow(tenantId, id);
    const old = await this.versions.findOne({ where: { workflowId: id, tenantId, version } });
    if (!old) throw new NotFoundError(`Version ${version}`);
    const saved = await this.saveNewVersion(current, { name: old.name, description: old.description, enabled: current.enabled, trigger: old.trigger, steps: old.steps }, userId);
    await this.audit.record({ tenantId, userId, action: 'workflow.rollback', targetType: 'workflow', targetId: id, details: { to: version, version: saved.version } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  private async saveNewVersion(current: Workflow, next: Pick<Workflow, 'name' | 'description' | 'enabled' | 'trigger' | 'steps'>, userId: string): Promise<Workflow> {
    return this.db.transaction(async (tx) => {
      // Lock the row so two concurrent saves get consecutive version numbers.
      const locked = await tx.getRepository(Workflow).createQueryBuilder('w').setLock('pessimistic_write').where('w.id = :id', { id: current.id }).getOneOrFail();
      Object.assign(locked, next, { version: locked.version + 1 });
      const saved = await tx.getRepository(Workflow).save(locked);
      await this.snapshot(tx, saved, userId);
      return saved;
    });
  }

  private async snapshot(tx: EntityManager, w: Workflow, userId: string): Promise<void> {
    const versions = tx.getRepository(WorkflowVersion);
    await versions.save(versions.create({
      workflowId: w.id,
      tenantId: w.tenantId,
      version: w.version,
      name: w.name,
      description: w.description,
      trigger: w.trigger,
      steps: w.steps,
      createdBy: userId,
    }), { reload: false });
  }

  /** Throws a field-level ValidationError when the steps are not runnable as saved. */
  async validate(tenantId: string, steps: WorkflowInput['steps']): Promise<void> {
    const credentialIds = [...new Set(steps.map((s) => s.credentialId).filter((x): x is string => !!x))];
    const owners = await this.credentials.connectorsOf(tenantId, credentialIds);
    const errors = validateSteps(steps, findConnector, owners);
    if (errors.length) throw new ValidationError('Workflow is invalid', errors);
  }
}
