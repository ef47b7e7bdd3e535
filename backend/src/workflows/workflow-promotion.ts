/**
 * Environments and promotion (docs/variables.md). A workflow runs in one environment; its lineage is
 * itself and the copies promotion made of it, at most one per environment. Promoting copies the
 * workflow's current definition (name, description, trigger, steps, input schema) to its counterpart
 * in the target environment as a new version of that workflow, with the note "promoted from staging
 * v3" (the counterpart is created on first promotion, `promotedFrom` the source). The counterpart's
 * own settings stay its own (enabled, error workflow, concurrency, priority). A `call` step naming a
 * workflow that has a counterpart in the target environment is pointed at that counterpart.
 *
 * Refused (400, nothing written): promoting to the environment the workflow runs in, and promoting a
 * workflow whose templates read a `vars.NAME` without a value in the target environment (nor a
 * default): the names are listed. Audited as `workflow.promote` with both sides' versions.
 */
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { ValidationError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { variablesIn } from '../engine/templates.js';
import { VariablesService } from '../variables/variables.service.js';
import { childLists, DEFAULT_ENVIRONMENT, type EnvironmentList, type StepDefinition, type workflowPromotionSchema } from '@tributary/contracts';
import type { z } from 'zod';
import type { Workflow } from './workflow.entity.js';
import { WorkflowEvents } from './workflow-events.js';
import { WorkflowsRepository } from './workflows.repository.js';
import { lineageConflict, WorkflowsService } from './workflows.service.js';

@Injectable()
export class WorkflowPromotion {
  constructor(
    private readonly repo: WorkflowsRepository,
    private readonly workflows: WorkflowsService,
    private readonly variables: VariablesService,
    private readonly audit: AuditService,
    private readonly events: WorkflowEvents,
  ) {}

  async promote(tenantId: string, userId: string | null, id: string, environment: string): Promise<z.input<typeof workflowPromotionSchema>> {
    const source = await this.workflows.getEntityOrThrow(tenantId, id);
    const from = source.environment ?? DEFAULT_ENVIRONMENT;
    if (from === environment) {
      throw new ValidationError('Cannot promote a workflow to the environment it runs in', [{ path: 'environment', message: `The workflow runs in "${environment}" already: choose another environment` }]);
    }
    const used = variablesIn(source.steps);
    if (used.length) {
      const available = await this.variables.namesWithValue(tenantId, environment);
      const missing = used.filter((n) => !available.has(n)).sort();
      if (missing.length) {
        throw new ValidationError(
          `Variables without a value in "${environment}": ${missing.join(', ')}. Give them a value there (or a default) first.`,
          missing.map((name) => ({ path: 'environment', message: `Variable "${name}" has no value in "${environment}" (nor a default)` })),
        );
      }
    }
    const target = await this.repo.counterpart(source, environment);
    const steps = await this.retarget(source, environment);
    await this.workflows.validate(tenantId, steps, target?.id ?? null);
    const note = `promoted from ${from} v${source.version}`;
    const content = { name: source.name, description: source.description, trigger: source.trigger, steps, inputSchema: source.inputSchema };
    const saved = target
      ? await this.repo.saveNewVersion(
          target.id,
          { ...content, enabled: target.enabled, errorWorkflowId: target.errorWorkflowId, concurrencyMax: target.concurrencyMax, priority: target.priority },
          userId,
          note,
        )
      : await this.repo
          .create(
            tenantId,
            userId,
            {
              ...content,
              enabled: source.enabled,
              // Where failures go is the environment's business: set it on the copy.
              errorWorkflowId: null,
              concurrencyMax: source.concurrencyMax,
              priority: source.priority,
              environment,
              promotedFrom: source.id,
              lineageId: source.lineageId ?? source.id,
            },
            note,
          )
          .catch((err: unknown) => {
            throw lineageConflict(err, environment);
          });
    const result = {
      source: { workflowId: source.id, environment: from, version: source.version },
      target: { workflowId: saved.id, environment, version: saved.version, created: !target },
      note,
    };
    await this.audit.record({ tenantId, userId, action: 'workflow.promote', targetType: 'workflow', targetId: source.id, details: { from: result.source, to: result.target } });
    await this.events.emit({ type: 'saved', workflow: saved });
    return result;
  }

  /** The environments in use: those of the tenant's workflows and values, and production always. */
  async environments(tenantId: string): Promise<EnvironmentList> {
    const [workflows, values] = await Promise.all([this.repo.environments(tenantId), this.variables.environments(tenantId)]);
    const all = new Map<string, { name: string; workflows: number; values: number }>([[DEFAULT_ENVIRONMENT, { name: DEFAULT_ENVIRONMENT, workflows: 0, values: 0 }]]);
    const entry = (name: string) => all.get(name) ?? all.set(name, { name, workflows: 0, values: 0 }).get(name)!;
    for (const w of workflows) entry(w.name).workflows += w.count;
    for (const v of values) entry(v.name).values += v.count;
    return { items: [...all.values()].sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** The source's steps with each `call` pointed at the called workflow's counterpart in `environment`, where it has one. */
  private async retarget(source: Workflow, environment: string): Promise<StepDefinition[]> {
    const mapping = new Map<string, string>();
    const called = new Set<string>();
    const collect = (steps: StepDefinition[]) => {
      for (const s of steps) {
        if (s.type === 'call') called.add(s.workflowId);
        for (const child of childLists(s)) collect(child);
      }
    };
    collect(source.steps);
    for (const id of called) {
      const w = isUuid(id) ? await this.repo.findInTenant(source.tenantId, id) : null;
      const there = w && (w.environment ?? DEFAULT_ENVIRONMENT) !== environment ? await this.repo.counterpart(w, environment) : null;
      if (there) mapping.set(id, there.id);
    }
    if (!mapping.size) return source.steps;
    const map = (steps: StepDefinition[]): StepDefinition[] =>
      steps.map((s): StepDefinition => {
        switch (s.type) {
          case 'call':
            return mapping.has(s.workflowId) ? { ...s, workflowId: mapping.get(s.workflowId)! } : s;
          case 'condition':
            return { ...s, then: map(s.then), else: map(s.else) };
          case 'loop':
            return { ...s, steps: map(s.steps) };
          case 'parallel':
            return { ...s, branches: s.branches.map(map) };
          default:
            return s;
        }
      });
    return map(source.steps);
  }
}
