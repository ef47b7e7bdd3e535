import { Inject, Injectable } from '@nestjs/common';
import { CronExpressionParser } from 'cron-parser';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import type { Page } from '../common/pagination.js';
import { CONFIG, type Config } from '../config/config.js';
import { CredentialsService } from '../credentials/credentials.service.js';
import { findConnector } from '../engine/connectors.js';
import { calledWorkflowIds, validateSteps } from './workflow-validation.js';
import { allSteps, CALL_MAX_DEPTH, isActionStep, type StepDefinition, type WorkflowPriority } from '@tributary/contracts';
import type { WorkflowVersion } from './workflow-version.entity.js';
import type { Workflow } from './workflow.entity.js';
import { WorkflowsRepository, type WorkflowContent } from './workflows.repository.js';
import type { pinDataSchema, TriggerDefinition, WorkflowInput, WorkflowUpdate, workflowSchema, workflowVersionListSchema, workflowVersionSchema } from '@tributary/contracts';
import type { z } from 'zod';
import { WorkflowEvents } from './workflow-events.js';
import { previewTemplate, type TemplatePreviewRequest } from './template-preview.js';
import { inputSchemaError } from '../common/json-schema.js';
import { isUuid } from '../common/ids.js';
import { VariablesService } from '../variables/variables.service.js';
import { DEFAULT_ENVIRONMENT } from '@tributary/contracts';

/** The most JSON one pinned output may hold (below the api's 1 MiB body limit; n8n caps pinned data too: it is copied into every test run). */
export const PIN_MAX_BYTES = 256 * 1024;

/** A version as the api answers it (the tenant is the caller's). */
function versionView({ tenantId: _t, ...rest }: WorkflowVersion): z.input<typeof workflowVersionSchema> {
  return rest;
}

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
    private readonly repo: WorkflowsRepository,
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    private readonly events: WorkflowEvents,
    private readonly variables: VariablesService,
  ) {}

  view(w: Workflow): WorkflowView {
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      enabled: w.enabled,
      trigger: w.trigger,
      steps: w.steps,
      errorWorkflowId: w.errorWorkflowId ?? null,
      concurrency: w.concurrencyMax ? { max: w.concurrencyMax } : null,
      priority: w.priority ?? 'normal',
      inputSchema: w.inputSchema ?? null,
      environment: w.environment ?? DEFAULT_ENVIRONMENT,
      tool: w.tool ?? null,
      pinData: w.pinData ?? {},
      promotedFrom: w.promotedFrom ?? null,
      version: w.version,
      ...(w.trigger.type === 'webhook' ? { webhookUrl: `${this.config.publicUrl}/api/webhooks/${w.id}` } : {}),
      ...(w.trigger.type === 'schedule' ? { nextRuns: w.enabled ? nextRuns(w.trigger) : [] } : {}),
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
    };
  }

  async create(tenantId: string, userId: string | null, input: WorkflowInput): Promise<WorkflowView> {
    await this.validate(tenantId, input.steps);
    await this.validateErrorWorkflow(tenantId, null, input.errorWorkflowId);
    validateInputSchema(input.inputSchema);
    const { concurrency, ...fields } = input;
    const saved = await this.repo.create(tenantId, userId, {
      ...fields,
      errorWorkflowId: input.errorWorkflowId ?? null,
      concurrencyMax: concurrency?.max ?? null,
      priority: input.priority ?? 'normal',
      inputSchema: input.inputSchema ?? null,
      environment: input.environment ?? DEFAULT_ENVIRONMENT,
      tool: input.tool ?? null,
    }).catch((err: unknown) => {
      throw toolConflict(err, input.tool?.name);
    });
    await this.audit.record({ tenantId, userId, action: 'workflow.create', targetType: 'workflow', targetId: saved.id, details: { name: saved.name } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  async list(tenantId: string, q: { limit: number; cursor?: string; enabled?: boolean; triggerType?: string }): Promise<Page<WorkflowView>> {
    const page = await this.repo.list(tenantId, q);
    return { items: page.items.map((w) => this.view(w)), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<WorkflowView> {
    return this.view(await this.getEntityOrThrow(tenantId, id));
  }

  /** null when missing or another tenant's. */
  async getEntity(tenantId: string, id: string): Promise<Workflow | null> {
    if (!isUuid(id)) return null;
    return this.repo.findInTenant(tenantId, id);
  }

  async getEntityOrThrow(tenantId: string, id: string): Promise<Workflow> {
    const w = await this.getEntity(tenantId, id);
    if (!w) throw new NotFoundError('Workflow');
    return w;
  }

  /** The tenant's workflows offered to MCP clients as tools (`tool.enabled`), by tool name. */
  tools(tenantId: string): Promise<Workflow[]> {
    return this.repo.tools(tenantId);
  }

  /** Every enabled schedule-triggered workflow, across tenants (for the scheduler). */
  enabledSchedules(): Promise<Workflow[]> {
    return this.repo.enabledSchedules();
  }

  countEnabledSchedules(): Promise<number> {
    return this.repo.countEnabledSchedules();
  }

  /** Enabled workflows of the tenant whose `event` trigger names this topic, exactly or with `*` (one indexed query). */
  async triggeredByEvent(tenantId: string, topic: string): Promise<{ id: string; version: number; priority: WorkflowPriority; concurrencyMax: number | null }[]> {
    return this.repo.triggeredByEvent(tenantId, topic);
  }

  /** For ingress paths that are not tenant-authenticated (webhooks): by id alone. */
  async findById(id: string): Promise<Workflow | null> {
    if (!isUuid(id)) return null;
    return this.repo.findById(id);
  }

  async update(tenantId: string, userId: string | null, id: string, input: WorkflowUpdate): Promise<WorkflowView> {
    const current = await this.getEntityOrThrow(tenantId, id);
    const next: WorkflowContent = {
      name: input.name ?? current.name,
      description: input.description ?? current.description,
      enabled: input.enabled ?? current.enabled,
      trigger: input.trigger ?? current.trigger,
      steps: input.steps ?? current.steps,
      errorWorkflowId: input.errorWorkflowId === undefined ? current.errorWorkflowId : input.errorWorkflowId,
      concurrencyMax: input.concurrency === undefined ? current.concurrencyMax : (input.concurrency?.max ?? null),
      priority: input.priority ?? current.priority,
      inputSchema: input.inputSchema === undefined ? current.inputSchema : input.inputSchema,
      environment: input.environment ?? current.environment,
      tool: input.tool === undefined ? current.tool : input.tool,
    };
    validateInputSchema(next.inputSchema);
    await this.validate(tenantId, next.steps, id);
    if (input.errorWorkflowId !== undefined) await this.validateErrorWorkflow(tenantId, id, input.errorWorkflowId);
    const saved = await this.repo.saveNewVersion(current.id, next, userId).catch((err: unknown) => {
      throw toolConflict(lineageConflict(err, next.environment ?? DEFAULT_ENVIRONMENT), next.tool?.name);
    });
    await this.audit.record({ tenantId, userId, action: 'workflow.update', targetType: 'workflow', targetId: id, details: { version: saved.version } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  /**
   * Pins a step's output as test data (dry runs use it instead of running the step), or unpins it
   * (`output` undefined). The step must be one of the workflow's, at any depth; a pin holds at most
   * PIN_MAX_BYTES of JSON. Not versioned, audited.
   */
  async pin(tenantId: string, userId: string | null, id: string, stepId: string, output?: unknown): Promise<z.input<typeof pinDataSchema>> {
    const w = await this.getEntityOrThrow(tenantId, id);
    if (output !== undefined) {
      if (!allSteps(w.steps).some((s) => s.id === stepId)) throw new ValidationError(`The workflow has no step "${stepId}"`, [{ path: 'stepId', message: `no step with id "${stepId}" in the workflow's current version` }]);
      const bytes = Buffer.byteLength(JSON.stringify(output));
      if (bytes > PIN_MAX_BYTES) throw new ValidationError(`A pinned output holds at most ${PIN_MAX_BYTES / 1024} KiB of JSON (this one: ${Math.ceil(bytes / 1024)} KiB)`, [{ path: 'output', message: `at most ${PIN_MAX_BYTES / 1024} KiB` }]);
    }
    const pinData = await this.repo.setPin(tenantId, w.id, stepId, output);
    if (!pinData) throw new NotFoundError('Workflow');
    await this.audit.record({ tenantId, userId, action: output === undefined ? 'workflow.unpin' : 'workflow.pin', targetType: 'workflow', targetId: id, details: { stepId } });
    return { pinData };
  }

  /** The builder's preview of a template against test data, rendered as a run would (secret variables masked). */
  async previewTemplate(tenantId: string, req: TemplatePreviewRequest) {
    return previewTemplate(req, await this.variables.forRun(tenantId, req.environment ?? DEFAULT_ENVIRONMENT));
  }

  async toggle(tenantId: string, userId: string | null, id: string, enabled?: boolean): Promise<WorkflowView> {
    const w = await this.getEntityOrThrow(tenantId, id);
    const saved = await this.repo.setEnabled(w, enabled ?? !w.enabled);
    await this.audit.record({ tenantId, userId, action: saved.enabled ? 'workflow.enable' : 'workflow.disable', targetType: 'workflow', targetId: id });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  async remove(tenantId: string, userId: string | null, id: string): Promise<void> {
    const w = await this.getEntityOrThrow(tenantId, id);
    await this.repo.delete(tenantId, w.id);
    await this.audit.record({ tenantId, userId, action: 'workflow.delete', targetType: 'workflow', targetId: id, details: { name: w.name } });
    await this.events.emit({ type: 'deleted', workflow: w });
  }

  async listVersions(tenantId: string, id: string): Promise<z.input<typeof workflowVersionListSchema>> {
    await this.getEntityOrThrow(tenantId, id);
    const rows = await this.repo.listVersions(tenantId, id);
    return { items: rows.map(versionView) };
  }

  async getVersion(tenantId: string, workflowId: string, version: number): Promise<WorkflowVersion | null> {
    return this.repo.findVersion(tenantId, workflowId, version);
  }

  /** `GET /workflows/:id/versions/:version`: 404 for a missing workflow or version. */
  async version(tenantId: string, workflowId: string, version: number): Promise<z.input<typeof workflowVersionSchema>> {
    if (!isUuid(workflowId)) throw new NotFoundError('Workflow');
    const v = await this.getVersion(tenantId, workflowId, version);
    if (!v) throw new NotFoundError(`Version ${version} of the workflow`);
    return versionView(v);
  }

  /** Rolling back saves the old content as a new version: history is never rewritten. */
  async rollback(tenantId: string, userId: string | null, id: string, version: number): Promise<WorkflowView> {
    const current = await this.getEntityOrThrow(tenantId, id);
    const old = await this.repo.findVersion(tenantId, id, version);
    if (!old) throw new NotFoundError(`Version ${version}`);
    const saved = await this.repo.saveNewVersion(current.id, { name: old.name, description: old.description, enabled: current.enabled, trigger: old.trigger, steps: old.steps, errorWorkflowId: current.errorWorkflowId, concurrencyMax: current.concurrencyMax, priority: current.priority, inputSchema: current.inputSchema }, userId);
    await this.audit.record({ tenantId, userId, action: 'workflow.rollback', targetType: 'workflow', targetId: id, details: { to: version, version: saved.version } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return this.view(saved);
  }

  /**
   * Throws a field-level ValidationError when the steps are not runnable as saved: every field at
   * fault with its path, a `call` to a workflow outside the tenant, and calls that come back to this
   * workflow (`selfId`), directly or through others (a cycle).
   */
  async validate(tenantId: string, steps: WorkflowInput['steps'], selfId: string | null = null): Promise<void> {
    const flat = allSteps(steps);
    const credentialIds = [...new Set(flat.flatMap(credentialsOf))];
    const [owners, variableNames] = await Promise.all([this.credentials.connectorsOf(tenantId, credentialIds), this.variables.names(tenantId)]);
    const called = calledWorkflowIds(steps);
    const found = await Promise.all(called.map((id) => (isUuid(id) ? this.repo.findInTenant(tenantId, id) : Promise.resolve(null))));
    const workflowIds = new Set(found.flatMap((w) => (w ? [w.id] : [])));
    const errors = validateSteps(steps, { findConnector, credentialConnectors: owners, workflowIds, variableNames });
    if (!errors.length && selfId) {
      const cycle = await this.callCycle(tenantId, selfId, found.filter((w): w is Workflow => w !== null));
      if (cycle) {
        const path = flat.findIndex((s) => s.type === 'call' && s.workflowId === (cycle[0] ?? selfId));
        errors.push({ path: path >= 0 ? stepPathOf(steps, flat[path].id) : 'steps', message: `Calls form a cycle: ${['this workflow', ...cycle.map((id) => `workflow ${id}`), 'this workflow'].join(' → ')}` });
      }
    }
    if (errors.length) throw new ValidationError('Workflow is invalid', errors);
  }

  /** A chain of `call`s from these workflows back to `selfId` (their ids in order), if there is one. */
  private async callCycle(tenantId: string, selfId: string, start: Workflow[]): Promise<string[] | null> {
    const visited = new Set<string>();
    const walk = async (w: Workflow, chain: string[]): Promise<string[] | null> => {
      if (w.id === selfId) return chain;
      if (visited.has(w.id) || chain.length > CALL_MAX_DEPTH) return null;
      visited.add(w.id);
      for (const next of calledWorkflowIds(w.steps)) {
        if (next === selfId) return chain;
        const target = isUuid(next) ? await this.repo.findInTenant(tenantId, next) : null;
        if (target) {
          const found = await walk(target, [...chain, target.id]);
          if (found) return found;
        }
      }
      return null;
    };
    for (const w of start) {
      const found = await walk(w, [w.id]);
      if (found) return found.filter((id) => id !== selfId);
    }
    return null;
  }

  /** The error workflow must be another workflow of the same tenant (400 on `errorWorkflowId` otherwise). */
  private async validateErrorWorkflow(tenantId: string, selfId: string | null, errorWorkflowId: string | null | undefined): Promise<void> {
    if (!errorWorkflowId) return;
    const refuse = (message: string) => new ValidationError('Workflow is invalid', [{ path: 'errorWorkflowId', message }]);
    if (errorWorkflowId === selfId) throw refuse('A workflow cannot be its own error workflow');
    if (!(await this.repo.findInTenant(tenantId, errorWorkflowId))) throw refuse('No workflow with this id in this workspace');
  }
}

/** The field path (`steps.2.steps.0`) of the step with this id, blocks included. */
export function stepPathOf(steps: StepDefinition[], id: string, base = 'steps'): string {
  for (const [i, s] of steps.entries()) {
    const at = `${base}.${i}`;
    if (s.id === id) return at;
    const nested =
      s.type === 'condition'
        ? [stepPathOf(s.then, id, `${at}.then`), stepPathOf(s.else, id, `${at}.else`)]
        : s.type === 'loop'
          ? [stepPathOf(s.steps, id, `${at}.steps`)]
          : s.type === 'parallel'
            ? s.branches.map((b, bi) => stepPathOf(b, id, `${at}.branches.${bi}`))
            : [];
    const hit = nested.find((p) => p !== '');
    if (hit) return hit;
  }
  return '';
}

/** The unique index a PostgreSQL error (23505, raw or wrapped by TypeORM) says was violated, else undefined. */
function violatedUnique(err: unknown): unknown {
  const e = err as { code?: unknown; driverError?: { constraint?: unknown }; constraint?: unknown } | null;
  return e?.code === '23505' ? (e.driverError?.constraint ?? e.constraint) : undefined;
}

/** Two workflows of one lineage (a workflow and its promoted copies) in one environment: 409, else the error as it was. */
export function lineageConflict(err: unknown, environment: string): unknown {
  if (violatedUnique(err) === 'workflows_lineage_environment_idx') {
    return new ConflictError(`A copy of this workflow runs in "${environment}" already (promote to it instead)`);
  }
  return err;
}

/** The credentials a step names: an action's, an agent's model connection and its MCP tools' connections. */
function credentialsOf(s: StepDefinition): string[] {
  if (isActionStep(s)) return s.credentialId ? [s.credentialId] : [];
  if (s.type === 'agent') return [s.credentialId, ...s.tools.flatMap((t) => (t.kind === 'mcp' ? [t.credentialId] : []))];
  return [];
}

/** Two enabled tools of one workspace with one name: 409 (MCP clients call tools by name), else the error as it was. */
function toolConflict(err: unknown, name: string | undefined): unknown {
  if (violatedUnique(err) === 'workflows_tool_name') return new ConflictError(`Another workflow of this workspace is the tool "${name}" already: choose another tool name`);
  return err;
}

/** An `inputSchema` must be a JSON Schema Ajv can compile (400 on `inputSchema` otherwise). */
function validateInputSchema(schema: Record<string, unknown> | null | undefined): void {
  if (!schema) return;
  const err = inputSchemaError(schema);
  if (err) throw new ValidationError('Workflow is invalid', [{ path: 'inputSchema', message: err }]);
}
