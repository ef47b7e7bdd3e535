/**
 * WorkflowsService's own logic over an in-memory WorkflowsRepository: versioning (every save and
 * rollback a new version, history kept), validation before any write, not-found (missing, malformed
 * id, another tenant's), toggling, and what it audits and announces. The SQL itself is covered by
 * test/api/workflows.e2e-spec.ts on a real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { workflowInputSchema, type WorkflowDraft } from '@tributary/contracts';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { NotFoundError, ValidationError, type FieldError } from '../common/errors.js';
import type { Page } from '../common/pagination.js';
import type { Config } from '../config/config.js';
import type { CredentialsService } from '../credentials/credentials.service.js';
import { WorkflowEvents, type WorkflowEvent } from './workflow-events.js';
import type { WorkflowVersion } from './workflow-version.entity.js';
import type { Workflow } from './workflow.entity.js';
import type { WorkflowContent, WorkflowFilter, WorkflowsRepository } from './workflows.repository.js';
import { WorkflowsService } from './workflows.service.js';
import type { VariablesService } from '../variables/variables.service.js';
import type { WorkflowInput } from '@tributary/contracts';

/** The same public methods as WorkflowsRepository, over Maps. */
class FakeWorkflowsRepository implements Pick<WorkflowsRepository, keyof WorkflowsRepository> {
  readonly workflows = new Map<string, Workflow>();
  readonly versions = new Map<string, WorkflowVersion[]>();
  private clock = Date.UTC(2026, 0, 1);

  private now(): Date {
    return new Date((this.clock += 1000));
  }

  private snapshot(w: Workflow, userId: string, note: string | null = null): void {
    const list = this.versions.get(w.id) ?? [];
    list.push({
      id: randomUUID(), workflowId: w.id, tenantId: w.tenantId, version: w.version, name: w.name, description: w.description,
      trigger: structuredClone(w.trigger), steps: structuredClone(w.steps), note, createdBy: userId, createdAt: this.now(),
    });
    this.versions.set(w.id, list);
  }

  async create(tenantId: string, userId: string, input: WorkflowContent): Promise<Workflow> {
    const at = this.now();
    const w: Workflow = {
      id: randomUUID(), tenantId, name: input.name, description: input.description ?? '', enabled: input.enabled ?? true,
      trigger: input.trigger, steps: input.steps, errorWorkflowId: input.errorWorkflowId ?? null,
      concurrencyMax: input.concurrencyMax, priority: input.priority, inputSchema: input.inputSchema, version: 1, createdBy: userId, createdAt: at, updatedAt: at,
      environment: input.environment ?? 'production', promotedFrom: input.promotedFrom ?? null, lineageId: input.lineageId ?? null, tool: input.tool ?? null, pinData: {},
    };
    this.workflows.set(w.id, w);
    this.snapshot(w, userId);
    return { ...w };
  }

  async setPin(tenantId: string, id: string, stepId: string, output?: unknown): Promise<Record<string, unknown> | null> {
    const w = this.workflows.get(id);
    if (!w || w.tenantId !== tenantId) return null;
    const { [stepId]: _gone, ...rest } = w.pinData;
    w.pinData = output === undefined ? rest : { ...rest, [stepId]: structuredClone(output) };
    return { ...w.pinData };
  }

  async tools(tenantId: string): Promise<Workflow[]> {
    return [...this.workflows.values()].filter((w) => w.tenantId === tenantId && w.tool?.enabled).map((w) => ({ ...w }));
  }

  async list(tenantId: string, q: WorkflowFilter): Promise<Page<Workflow>> {
    const items = [...this.workflows.values()]
      .filter((w) => w.tenantId === tenantId && (q.enabled === undefined || w.enabled === q.enabled) && (!q.triggerType || w.trigger.type === q.triggerType))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return { items: items.slice(0, q.limit).map((w) => ({ ...w })), nextCursor: null };
  }

  async findInTenant(tenantId: string, id: string): Promise<Workflow | null> {
    const w = this.workflows.get(id);
    return w && w.tenantId === tenantId ? { ...w } : null;
  }

  async findById(id: string): Promise<Workflow | null> {
    const w = this.workflows.get(id);
    return w ? { ...w } : null;
  }

  async enabledSchedules(): Promise<Workflow[]> {
    return [...this.workflows.values()].filter((w) => w.enabled && w.trigger.type === 'schedule');
  }

  async countEnabledSchedules(): Promise<number> {
    return (await this.enabledSchedules()).length;
  }

  async triggeredByEvent(tenantId: string, topic: string): Promise<{ id: string; version: number; priority: Workflow['priority']; concurrencyMax: number | null }[]> {
    return [...this.workflows.values()]
      .filter((w) => w.tenantId === tenantId && w.enabled && w.trigger.type === 'event')
      .filter((w) => {
        const pattern = (w.trigger as { topic: string }).topic;
        return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(topic);
      })
      .map((w) => ({ id: w.id, version: w.version, priority: w.priority, concurrencyMax: w.concurrencyMax }));
  }

  async saveNewVersion(id: string, next: WorkflowContent, userId: string, note: string | null = null): Promise<Workflow> {
    const w = this.workflows.get(id);
    if (!w) throw new Error('no such workflow');
    Object.assign(w, structuredClone(next), { version: w.version + 1, updatedAt: this.now() });
    this.snapshot(w, userId, note);
    return { ...w };
  }

  async counterpart(w: Workflow, environment: string): Promise<Workflow | null> {
    const lineage = w.lineageId ?? w.id;
    return [...this.workflows.values()].find((o) => o.tenantId === w.tenantId && (o.lineageId ?? o.id) === lineage && o.environment === environment) ?? null;
  }

  async environments(tenantId: string): Promise<{ name: string; count: number }[]> {
    const counts = new Map<string, number>();
    for (const w of this.workflows.values()) if (w.tenantId === tenantId) counts.set(w.environment, (counts.get(w.environment) ?? 0) + 1);
    return [...counts].map(([name, count]) => ({ name, count }));
  }

  async setEnabled(w: Workflow, enabled: boolean): Promise<Workflow> {
    const stored = this.workflows.get(w.id)!;
    Object.assign(stored, { enabled, updatedAt: this.now() });
    return { ...stored };
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (this.workflows.get(id)?.tenantId !== tenantId) return;
    this.workflows.delete(id);
    this.versions.delete(id);
  }

  async listVersions(tenantId: string, workflowId: string): Promise<WorkflowVersion[]> {
    return (this.versions.get(workflowId) ?? []).filter((v) => v.tenantId === tenantId).sort((a, b) => b.version - a.version);
  }

  async findVersion(tenantId: string, workflowId: string, version: number): Promise<WorkflowVersion | null> {
    return (this.versions.get(workflowId) ?? []).find((v) => v.tenantId === tenantId && v.version === version) ?? null;
  }
}

const TENANT = randomUUID();
const OTHER_TENANT = randomUUID();
const USER = randomUUID();

const transformStep = (id: string, value: unknown) => ({ id, connector: 'core', action: 'transform', input: { value } });
const input = (draft: WorkflowDraft): WorkflowInput => workflowInputSchema.parse(draft);

describe('WorkflowsService (in-memory repository)', () => {
  let repo: FakeWorkflowsRepository;
  let audited: AuditEntry[];
  let events: WorkflowEvent[];
  let credentialOwners: Map<string, { tenantId: string; connector: string }>;
  let service: WorkflowsService;

  beforeEach(() => {
    repo = new FakeWorkflowsRepository();
    audited = [];
    events = [];
    credentialOwners = new Map();
    const credentials = {
      async connectorsOf(tenantId: string, ids: string[]) {
        return new Map(ids.flatMap((id) => {
          const c = credentialOwners.get(id);
          return c && c.tenantId === tenantId ? [[id, c.connector] as const] : [];
        }));
      },
    } as unknown as CredentialsService;
    const audit = { async record(e: AuditEntry) { audited.push(e); } } as unknown as AuditService;
    const workflowEvents = new WorkflowEvents();
    workflowEvents.subscribe((e) => { events.push(e); });
    const variables = { async names() { return new Set<string>(); } } as unknown as VariablesService;
    service = new WorkflowsService({ publicUrl: 'https://tributary.test' } as Config, repo as unknown as WorkflowsRepository, credentials, audit, workflowEvents, variables);
  });

  it('creates version 1 with its snapshot, audits it, announces it, and answers the webhook URL', async () => {
    const created = await service.create(TENANT, USER, input({ name: 'Greeter', trigger: { type: 'webhook' }, steps: [transformStep('greet', 'Hi')] }));
    expect(created).toMatchObject({ name: 'Greeter', version: 1, enabled: true, webhookUrl: `https://tributary.test/api/webhooks/${created.id}` });
    expect((await service.listVersions(TENANT, created.id)).items.map((v) => v.version)).toEqual([1]);
    expect(audited).toEqual([expect.objectContaining({ tenantId: TENANT, userId: USER, action: 'workflow.create', targetId: created.id, details: { name: 'Greeter' } })]);
    expect(events.map((e) => [e.type, e.workflow.id])).toEqual([['saved', created.id]]);
  });

  it('saves each update as the next version, keeping what the update leaves out', async () => {
    const wf = await service.create(TENANT, USER, input({ name: 'v1', description: 'kept', trigger: { type: 'manual' }, steps: [transformStep('a', 1)] }));
    const v2 = await service.update(TENANT, USER, wf.id, { name: 'v2' });
    expect(v2).toMatchObject({ name: 'v2', description: 'kept', version: 2, steps: [transformStep('a', 1)] });
    const v3 = await service.update(TENANT, USER, wf.id, { steps: [transformStep('a', 3)] });
    expect(v3).toMatchObject({ name: 'v2', version: 3, steps: [transformStep('a', 3)] });
    expect((await service.listVersions(TENANT, wf.id)).items.map((v) => [v.version, v.name])).toEqual([[3, 'v2'], [2, 'v2'], [1, 'v1']]);
    expect(audited.at(-1)).toMatchObject({ action: 'workflow.update', details: { version: 3 } });
  });

  it('rolls back as a new version with the old content and the current enabled state; history is never rewritten', async () => {
    const wf = await service.create(TENANT, USER, input({ name: 'v1', trigger: { type: 'manual' }, steps: [transformStep('a', 1)] }));
    await service.update(TENANT, USER, wf.id, { name: 'v2', steps: [transformStep('a', 2)] });
    await service.toggle(TENANT, USER, wf.id, false);
    const rb = await service.rollback(TENANT, USER, wf.id, 1);
    expect(rb).toMatchObject({ name: 'v1', version: 3, enabled: false, steps: [transformStep('a', 1)] });
    expect((await service.listVersions(TENANT, wf.id)).items.map((v) => [v.version, v.name])).toEqual([[3, 'v1'], [2, 'v2'], [1, 'v1']]);
    expect(audited.at(-1)).toMatchObject({ action: 'workflow.rollback', details: { to: 1, version: 3 } });
    await expect(service.rollback(TENANT, USER, wf.id, 99)).rejects.toThrow(new NotFoundError('Version 99'));
  });

  it('refuses invalid steps with field-level errors before writing anything', async () => {
    const bad = input({
      name: 'bad',
      trigger: { type: 'manual' },
      steps: [
        { id: 'a', connector: 'nope', action: 'x', input: {} },
        { id: 'a', connector: 'core', action: 'transform', input: { value: '{{ unclosed' } },
      ],
    });
    const err: unknown = await service.create(TENANT, USER, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const paths = ((err as ValidationError).details as FieldError[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['steps.0.connector', 'steps.1.id', 'steps.1.input.value']));
    expect(repo.workflows.size).toBe(0);
    expect(audited).toEqual([]);
    expect(events).toEqual([]);

    const wf = await service.create(TENANT, USER, input({ name: 'ok', trigger: { type: 'manual' }, steps: [transformStep('a', 1)] }));
    await expect(service.update(TENANT, USER, wf.id, { steps: bad.steps })).rejects.toBeInstanceOf(ValidationError);
    expect((await service.get(TENANT, wf.id)).version).toBe(1);
  });

  it('accepts a credential of the tenant for the step\'s connector only', async () => {
    const mine = randomUUID();
    const theirs = randomUUID();
    credentialOwners.set(mine, { tenantId: TENANT, connector: 'slack' });
    credentialOwners.set(theirs, { tenantId: OTHER_TENANT, connector: 'core' });
    const withCredential = (credentialId: string): Promise<ValidationError> =>
      service.create(TENANT, USER, input({ name: 'c', trigger: { type: 'manual' }, steps: [{ ...transformStep('a', 1), credentialId }] })).then(
        () => { throw new Error('saved'); },
        (e: unknown) => e as ValidationError,
      );
    const wrongConnector = await withCredential(mine);
    expect(wrongConnector.details as FieldError[]).toEqual([{ path: 'steps.0.credentialId', message: 'Credential is for "slack", not "core"' }]);
    const otherTenants = await withCredential(theirs);
    expect(otherTenants.details as FieldError[]).toEqual([{ path: 'steps.0.credentialId', message: 'Credential not found' }]);
  });

  it('answers not found for a missing workflow, a malformed id and another tenant\'s workflow', async () => {
    const wf = await service.create(TENANT, USER, input({ name: 'mine', trigger: { type: 'manual' }, steps: [] }));
    for (const [tenant, id] of [[TENANT, randomUUID()], [TENANT, 'not-a-uuid'], [OTHER_TENANT, wf.id]]) {
      await expect(service.get(tenant, id)).rejects.toThrow(new NotFoundError('Workflow'));
      await expect(service.update(tenant, USER, id, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.toggle(tenant, USER, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.remove(tenant, USER, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.listVersions(tenant, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.rollback(tenant, USER, id, 1)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(await service.getEntity(TENANT, 'not-a-uuid')).toBeNull();
    expect(await service.findById('not-a-uuid')).toBeNull();
    expect((await service.findById(wf.id))?.name).toBe('mine');
    expect((await service.get(TENANT, wf.id)).version).toBe(1);
  });

  it('toggles to the value given, or flips it, without a new version; a disabled schedule has no next runs', async () => {
    const wf = await service.create(TENANT, USER, input({ name: 's', trigger: { type: 'schedule', intervalSeconds: 60 }, steps: [] }));
    expect(wf.nextRuns).toHaveLength(5);
    const off = await service.toggle(TENANT, USER, wf.id, false);
    expect(off).toMatchObject({ enabled: false, version: 1, nextRuns: [] });
    expect((await service.toggle(TENANT, USER, wf.id, false)).enabled).toBe(false);
    const on = await service.toggle(TENANT, USER, wf.id);
    expect(on).toMatchObject({ enabled: true, version: 1 });
    expect(audited.slice(1).map((a) => a.action)).toEqual(['workflow.disable', 'workflow.disable', 'workflow.enable']);
    expect(events.map((e) => e.workflow.enabled)).toEqual([true, false, false, true]);
  });

  it('deletes, audits with the name and announces the deleted workflow', async () => {
    const wf = await service.create(TENANT, USER, input({ name: 'gone', trigger: { type: 'manual' }, steps: [] }));
    await service.remove(TENANT, USER, wf.id);
    await expect(service.get(TENANT, wf.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(audited.at(-1)).toMatchObject({ action: 'workflow.delete', targetId: wf.id, details: { name: 'gone' } });
    expect(events.at(-1)).toMatchObject({ type: 'deleted', workflow: { id: wf.id } });
  });

  it('lists views of the tenant\'s workflows only, filtered', async () => {
    await service.create(TENANT, USER, input({ name: 'a', trigger: { type: 'manual' }, steps: [] }));
    await service.create(TENANT, USER, input({ name: 'b', enabled: false, trigger: { type: 'webhook' }, steps: [] }));
    await service.create(OTHER_TENANT, USER, input({ name: 'c', trigger: { type: 'manual' }, steps: [] }));
    expect((await service.list(TENANT, { limit: 10 })).items.map((w) => w.name)).toEqual(['b', 'a']);
    expect((await service.list(TENANT, { limit: 10, enabled: true })).items.map((w) => w.name)).toEqual(['a']);
    expect((await service.list(TENANT, { limit: 10, triggerType: 'webhook' })).items[0]).toMatchObject({ name: 'b', webhookUrl: expect.any(String) });
  });
});
