/**
 * The gateway feature: generated patterns stored per tenant, the tenant's whole config, and pushes
 * to a DB-less Kong. Kong's POST /config replaces everything it holds, and one Kong serves every
 * tenant, so a push carries the installation's config (gateway/kong.yml, every tenant's patterns and
 * consumers); what a tenant is shown is its own part of it.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../common/errors.js';
import { toPage, type Page } from '../common/pagination.js';
import { CONFIG, type Config } from '../config/config.js';
import type { GatewaySyncReport } from '../consumers/consumer-changes.js';
import { ConsumerChanges } from '../consumers/consumer-changes.js';
import { ConsumersService } from '../consumers/consumers.service.js';
import { WorkflowEvents } from '../workflows/workflow-events.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { loadBaseKongConfig } from '../kong/kong-files.js';
import { mergeKongConfigs, redactKongSecrets } from '../kong/kong-merge.js';
import { pushKongConfig, type KongPushErrorDetail } from '../kong/kong-push.js';
import type { KongTemplateRecord } from './kong-template.row.js';
import { KongTemplatesRepository } from './kong-templates.repository.js';
import { DEFAULT_LOGSTASH_URL, generateKongTemplate, type KongTemplateOptions, type KongUseCase } from '../kong/kong-templates.js';
import type { KongDeclarativeConfig } from '../kong/kong-types.js';
import { validateKongConfig, type KongValidationResult } from '../kong/kong-validate.js';
import { isUuid } from '../common/ids.js';
import type { GeneratedKongTemplate, kongTemplateSchema, KongTenantConfig } from '@tributary/contracts';
import type { z } from 'zod';

/** Paths the base config routes to the api: a generated route there would capture its traffic. */
const RESERVED_PATHS = /^\/(api|health|metrics|ws)(\/|$)/i;

export interface GenerateInput {
  workflowId: string;
  useCase: KongUseCase;
  /** What a user may choose; tags and the Logstash address are the platform's. */
  options?: Omit<KongTemplateOptions, 'tags' | 'logstashUrl'>;
}

/**
 * The answers: the contract's shapes (@tributary/contracts), with the gateway's own types for the
 * Kong config and the template options, which the contract leaves open.
 */
type WithKongTypes<T> = Omit<T, 'config' | 'options'> & { config: KongDeclarativeConfig } & ('options' extends keyof T ? { options: KongTemplateOptions } : unknown);
export type GeneratedTemplate = WithKongTypes<GeneratedKongTemplate>;
export type StoredTemplateView = WithKongTypes<z.input<typeof kongTemplateSchema>>;
export type TenantKongConfig = WithKongTypes<KongTenantConfig> & KongValidationResult;

type PushOutcome = { report: GatewaySyncReport; details: KongPushErrorDetail[] | string[] } | null;

export class GatewayPushError extends DomainError {
  constructor(message: string, details: unknown) {
    super(502, message, details);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

@Injectable()
export class KongService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Kong');
  private base?: KongDeclarativeConfig;
  /** Pushes run one at a time in this process, each with the database state of its turn. */
  private pushing: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly templates: KongTemplatesRepository,
    private readonly workflows: WorkflowsService,
    private readonly consumers: ConsumersService,
    private readonly consumerChanges: ConsumerChanges,
    private readonly workflowEvents: WorkflowEvents,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.consumerChanges.subscribe(async () => (await this.push())?.report ?? null);
    // A deleted workflow took its templates with it (foreign key): take its routes out of Kong too.
    this.workflowEvents.subscribe((e) => {
      if (e.type === 'deleted') void this.push();
    });
  }

  /** Kong reloads gateway/kong.yml when it restarts, losing pushed routes: push them again at start. */
  onApplicationBootstrap(): void {
    if (!this.config.kongAdminUrl) return;
    void this.push().then((r) => {
      if (r?.report.ok) this.logger.log({ msg: 'gateway config pushed to Kong', status: r.report.status, unchanged: r.report.unchanged });
    });
  }

  async generate(tenantId: string, userId: string | null, input: GenerateInput): Promise<GeneratedTemplate> {
    const workflow = await this.workflows.getEntity(tenantId, input.workflowId);
    if (!workflow) throw new NotFoundError('Workflow');
    const options = input.options ?? {};
    if (options.path && RESERVED_PATHS.test(options.path)) {
      throw new ValidationError('The route path is reserved for the api', [{ path: 'options.path', message: 'must not start with /api, /health, /metrics or /ws' }]);
    }
    const template = generateKongTemplate({
      workflow: { id: workflow.id, name: workflow.name, trigger: workflow.trigger },
      tenantId,
      useCase: input.useCase,
      apiUpstreamUrl: this.config.kongApiUpstreamUrl,
      options: { ...options, logstashUrl: this.config.logstashUrl ?? DEFAULT_LOGSTASH_URL, tags: [`tenant:${tenantId}`] },
    });
    const check = validateKongConfig(template.config);
    if (!check.valid) {
      // The generator wrote something Kong would refuse: our defect, not the caller's.
      this.logger.error({ msg: 'generated Kong config is invalid', useCase: input.useCase, workflowId: workflow.id, errors: check.errors });
      throw new DomainError(500, `The generated ${input.useCase} config failed validation; this is a defect in Tributary (details in the api log)`);
    }

    const owner = await this.templates.findByPath(template.path);
    if (owner && !(owner.tenantId === tenantId && owner.workflowId === workflow.id && owner.useCase === input.useCase)) {
      throw new ConflictError(`The gateway path ${template.path} is already used by another route`);
    }
    let written: Awaited<ReturnType<KongTemplatesRepository['upsert']>>;
    try {
      written = await this.templates.upsert({ id: randomUUID(), tenantId, workflowId: workflow.id, useCase: input.useCase, path: template.path, options, config: template.config });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`The gateway path ${template.path} is already used by another route`);
      throw err;
    }

    // The whole config must still hold together (names, references) before it is kept or pushed.
    const whole = validateKongConfig(await this.installationConfig());
    if (!whole.valid) {
      await this.templates.restore(written.saved, written.previous);
      throw new DomainError(409, 'The pattern does not fit with the rest of the gateway config', whole.errors);
    }
    const outcome = await this.push();
    if (outcome && !outcome.report.ok) {
      await this.templates.restore(written.saved, written.previous);
      throw new GatewayPushError(outcome.report.error ?? 'Kong refused the configuration', outcome.details);
    }
    await this.audit.record({
      tenantId,
      userId,
      action: 'kong.template.generate',
      targetType: 'workflow',
      targetId: workflow.id,
      details: { useCase: input.useCase, path: template.path },
    });
    return {
      id: written.saved.id,
      workflowId: workflow.id,
      useCase: template.useCase,
      description: template.description,
      config: redactKongSecrets(template.config),
      notes: template.notes,
      path: template.path,
      pushed: outcome?.report ?? null,
    };
  }

  async list(tenantId: string, q: { limit: number; cursor?: string; workflowId?: string }): Promise<Page<StoredTemplateView>> {
    const page = toPage(await this.templates.list(tenantId, q.limit, q.cursor, q.workflowId), q.limit);
    return { items: page.items.map(toStoredView), nextCursor: page.nextCursor };
  }

  async remove(tenantId: string, userId: string | null, id: string): Promise<{ id: string; pushed: GatewaySyncReport | null }> {
    const row = isUuid(id) ? await this.templates.find(tenantId, id) : null;
    if (!row || !(await this.templates.remove(tenantId, row.id))) throw new NotFoundError('Kong template');
    await this.audit.record({ tenantId, userId, action: 'kong.template.delete', targetType: 'workflow', targetId: row.workflowId, details: { useCase: row.useCase } });
    return { id: row.id, pushed: (await this.push())?.report ?? null };
  }

  /** The tenant's part of the gateway: base routes, its patterns and its consumers, checked, secrets masked. */
  async tenantConfig(tenantId: string): Promise<TenantKongConfig> {
    const [templates, consumers] = await Promise.all([this.templates.all(tenantId), this.consumers.kongConfigParts(tenantId)]);
    const config = mergeKongConfigs(this.baseConfig(), ...templates.map((t) => t.config), ...consumers);
    return { config: redactKongSecrets(config), ...validateKongConfig(config) };
  }

  /** Pushes the installation's config when KONG_ADMIN_URL is set; null otherwise. */
  push(): Promise<PushOutcome> {
    const adminUrl = this.config.kongAdminUrl;
    if (!adminUrl) return Promise.resolve(null);
    const run = async (): Promise<PushOutcome> => {
      const config = await this.installationConfig();
      const check = validateKongConfig(config);
      if (!check.valid) {
        this.logger.error({ msg: 'gateway config is invalid; not pushed', errors: check.errors });
        return { report: { ok: false, status: 0, error: 'The gateway config is invalid; not pushed' }, details: check.errors };
      }
      const result = await pushKongConfig(adminUrl, config);
      if (result.ok) return { report: { ok: true, status: result.status, unchanged: result.unchanged }, details: [] };
      this.logger.warn({ msg: 'Kong refused the gateway config', status: result.status, error: result.error });
      return { report: { ok: false, status: result.status, error: result.error }, details: result.details };
    };
    const next = this.pushing.then(run, run);
    this.pushing = next.catch(() => undefined);
    return next.catch((err: unknown) => {
      this.logger.error({ msg: 'gateway push failed', error: (err as Error).message });
      return { report: { ok: false, status: 0, error: `Gateway push failed: ${(err as Error).message}` }, details: [] };
    });
  }

  private async installationConfig(): Promise<KongDeclarativeConfig> {
    const [templates, consumers] = await Promise.all([this.templates.all(), this.consumers.kongConfigParts()]);
    return mergeKongConfigs(this.baseConfig(), ...templates.map((t: KongTemplateRecord) => t.config), ...consumers);
  }

  private baseConfig(): KongDeclarativeConfig {
    this.base ??= loadBaseKongConfig({ apiUpstreamUrl: this.config.kongApiUpstreamUrl });
    return this.base;
  }
}

function toStoredView(r: KongTemplateRecord): StoredTemplateView {
  return {
    id: r.id,
    workflowId: r.workflowId,
    useCase: r.useCase,
    path: r.path,
    options: r.options,
    config: redactKongSecrets(r.config),
    createdAt: new Date(r.createdAt).toISOString(),
  };
}
