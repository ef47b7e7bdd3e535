/**
 * Workspace variables (docs/variables.md): CRUD with values per environment, secret values sealed
 * with the platform's SecretBox and never answered (a masked hint instead), and what runs read: the
 * values of one environment, cached briefly per process (loading them is on every execution's path).
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { maskSecret, SecretBox } from '../common/crypto.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { PromiseCache } from '../common/promise-cache.js';
import { SECRET_BOX } from '../common/secret-box.provider.js';
import type { RunVariables } from '../engine/types.js';
import { type VariableInput, type variableSchema, type VariableUpdate } from '@tributary/contracts';
import { DEFAULT_VALUE_KEY, variableValueAad, type ListedValue, type StoredValue, type VariableRow } from './variable.row.js';
import { VariablesRepository } from './variables.repository.js';

export type VariableView = z.input<typeof variableSchema>;

/**
 * How long a process trusts the values it loaded for a (tenant, environment): a change made through
 * another process (the api, when this is a worker) reaches runs within this long. The process that
 * made the change reads again at once.
 */
export const VARIABLES_TTL_MS = 5_000;

const NO_SECRETS: readonly string[] = Object.freeze([]);

@Injectable()
export class VariablesService {
  private readonly cache = new PromiseCache<string, RunVariables>({ ttlMs: VARIABLES_TTL_MS, max: 10_000 });
  /** When each tenant's variables last changed through this process: older cached values are read again. */
  private readonly changedAt = new Map<string, number>();

  constructor(
    private readonly repo: VariablesRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string): Promise<{ items: VariableView[] }> {
    const { variables, values } = await this.repo.list(tenantId);
    const byVariable = new Map<string, ListedValue[]>();
    for (const v of values) byVariable.set(v.variableId, [...(byVariable.get(v.variableId) ?? []), v]);
    return { items: variables.map((v) => view(v, byVariable.get(v.id) ?? [])) };
  }

  async get(tenantId: string, id: string): Promise<VariableView> {
    const found = isUuid(id) ? await this.repo.find(tenantId, id) : null;
    if (!found) throw new NotFoundError('Variable');
    return view(found.variable, found.values);
  }

  async create(tenantId: string, userId: string | null, input: VariableInput): Promise<VariableView> {
    const id = randomUUID();
    const values: StoredValue[] = [];
    for (const [environment, value] of valueEntries(input.values, input.defaultValue)) {
      if (value !== null) values.push(this.stored(tenantId, id, input.secret, environment, value));
    }
    const saved = await this.repo.insert({ id, tenantId, name: input.name, secret: input.secret, description: input.description, createdBy: userId }, values);
    if (!saved) throw new ConflictError(`A variable named "${input.name}" exists already`);
    this.changed(tenantId);
    await this.audit.record({ tenantId, userId, action: 'variable.create', targetType: 'variable', targetId: id, details: { name: input.name, secret: input.secret, environments: values.map((v) => v.environment) } });
    return this.get(tenantId, id);
  }

  async update(tenantId: string, userId: string | null, id: string, input: VariableUpdate): Promise<VariableView> {
    const found = isUuid(id) ? await this.repo.find(tenantId, id) : null;
    if (!found) throw new NotFoundError('Variable');
    const current = found.variable;
    if (current.secret && input.secret === false) {
      throw new ValidationError('Variable is invalid', [{ path: 'secret', message: 'A secret variable stays secret (its values are never shown); delete it and create a plain one instead' }]);
    }
    const secret = input.secret ?? current.secret;
    const upserts: StoredValue[] = [];
    const deletes: string[] = [];
    for (const [environment, value] of valueEntries(input.values ?? {}, input.defaultValue)) {
      if (value === null) deletes.push(environment);
      else upserts.push(this.stored(tenantId, id, secret, environment, value));
    }
    const becomesSecret = secret && !current.secret;
    const ok = await this.repo.update(tenantId, id, { description: input.description, secret: input.secret, upserts, deletes }, becomesSecret ? (env, value) => this.stored(tenantId, id, true, env, value) : undefined);
    if (!ok) throw new NotFoundError('Variable');
    this.changed(tenantId);
    await this.audit.record({
      tenantId,
      userId,
      action: 'variable.update',
      targetType: 'variable',
      targetId: id,
      details: { name: current.name, set: upserts.map((v) => v.environment), removed: deletes, ...(becomesSecret ? { secret: true } : {}) },
    });
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, userId: string | null, id: string): Promise<void> {
    const removed = isUuid(id) ? await this.repo.remove(tenantId, id) : null;
    if (!removed) throw new NotFoundError('Variable');
    this.changed(tenantId);
    await this.audit.record({ tenantId, userId, action: 'variable.delete', targetType: 'variable', targetId: id, details: { name: removed.name } });
  }

  /** The names of the tenant's variables (save-time checks of `{{vars.NAME}}`). */
  async names(tenantId: string): Promise<Set<string>> {
    return new Set(await this.repo.names(tenantId));
  }

  /** The names of the tenant's variables that have a value in `environment`, its own or a default. */
  async namesWithValue(tenantId: string, environment: string): Promise<Set<string>> {
    return new Set(await this.repo.namesWithValue(tenantId, environment));
  }

  /** The environments the tenant's values name, with how many values each. */
  environments(tenantId: string): Promise<{ name: string; count: number }[]> {
    return this.repo.environments(tenantId);
  }

  /**
   * What a run in `environment` reads as `vars`: each variable's value there, else its default;
   * secret ones opened. One query per (tenant, environment) and process every VARIABLES_TTL_MS at most,
   * shared by every run meanwhile; a tenant without variables costs the same single query.
   */
  forRun(tenantId: string, environment: string): Promise<RunVariables> {
    return this.cache.get(`${tenantId}:${environment}`, () => this.load(tenantId, environment), this.changedAt.get(tenantId) ?? 0);
  }

  private async load(tenantId: string, environment: string): Promise<RunVariables> {
    const rows = await this.repo.forRun(tenantId, environment);
    // One values object per load: the engine knows a run's environment by it (templates.ts).
    if (!rows.length) return { environment, values: Object.freeze({}), secrets: NO_SECRETS };
    // The environment's own value wins over the default (rows come in any order).
    const chosen = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const had = chosen.get(r.name);
      if (!had || (had.environment === DEFAULT_VALUE_KEY && r.environment !== DEFAULT_VALUE_KEY)) chosen.set(r.name, r);
    }
    const values: Record<string, string> = Object.create(null) as Record<string, string>;
    const secrets: string[] = [];
    for (const [name, r] of chosen) {
      if (r.ciphertext && r.keyId && r.iv && r.authTag) {
        const value = this.box.open({ keyId: r.keyId, iv: r.iv, authTag: r.authTag, ciphertext: r.ciphertext }, variableValueAad({ tenantId, variableId: r.variableId, environment: r.environment }));
        values[name] = value;
        if (r.secret) secrets.push(value);
      } else {
        values[name] = r.value ?? '';
      }
    }
    return { environment, values: Object.freeze(values), secrets: Object.freeze(secrets) };
  }

  private changed(tenantId: string): void {
    // +1: a load that started in this very millisecond may have read the old values.
    this.changedAt.set(tenantId, Date.now() + 1);
    if (this.changedAt.size > 10_000) this.changedAt.delete(this.changedAt.keys().next().value as string);
  }

  private stored(tenantId: string, variableId: string, secret: boolean, environment: string, value: string): StoredValue {
    if (!secret) return { environment, value };
    const s = this.box.seal(value, variableValueAad({ tenantId, variableId, environment }));
    return { environment, hint: maskSecret(value), keyId: s.keyId, iv: s.iv, authTag: s.authTag, ciphertext: s.ciphertext };
  }
}

/** The values of a request as (storage key, value) pairs: each environment's, and the default under DEFAULT_VALUE_KEY. */
function valueEntries(values: Record<string, string | null>, defaultValue: string | null | undefined): [string, string | null][] {
  const entries = Object.entries(values);
  if (defaultValue !== undefined) entries.push([DEFAULT_VALUE_KEY, defaultValue]);
  return entries;
}

function view(v: VariableRow, values: ListedValue[]): VariableView {
  const shown = (x: ListedValue) => ({ value: v.secret ? null : x.value, hint: v.secret ? (x.hint ?? '••••') : null, updatedAt: x.updatedAt });
  const def = values.find((x) => x.environment === DEFAULT_VALUE_KEY);
  return {
    id: v.id,
    name: v.name,
    description: v.description,
    secret: v.secret,
    defaultValue: def ? shown(def) : null,
    values: Object.fromEntries(values.filter((x) => x.environment !== DEFAULT_VALUE_KEY).map((x) => [x.environment, shown(x)])),
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
