import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ApiKey, ApiKeyStatus, CreatedApiKey, createApiKeySchema } from '@tributary/contracts';
import type { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { ROLE_SCOPE, roleAtLeast, SCOPE_ROLE } from '../access/roles.js';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { toPage, type Page } from '../common/pagination.js';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { PlatformEvents } from '../live/platform-events.js';
import type { ApiKeyRow } from './api-key.row.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { ApiKeysRepository } from './api-keys.repository.js';

type CreateInput = z.output<typeof createApiKeySchema>;

/** `trb_` and the first 8 characters of the secret: enough to tell keys apart, nothing to guess with. */
const DISPLAY_PREFIX_LENGTH = 'trb_'.length + 8;

function statusOf(k: ApiKeyRow, now = Date.now()): ApiKeyStatus {
  if (k.revokedAt) return 'revoked';
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export function toApiKeyView(k: ApiKeyRow): ApiKey {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: k.id,
    name: k.name,
    kind: k.kind,
    scope: k.scope,
    prefix: k.prefix,
    userId: k.userId,
    createdBy: k.createdBy,
    createdAt: new Date(k.createdAt).toISOString(),
    expiresAt: iso(k.expiresAt),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
    status: statusOf(k),
  };
}

/**
 * Who manages which keys: anyone creates personal keys with a scope up to their role; only admins
 * create service keys and list and revoke every key of the workspace; the others list and revoke
 * their own. A key is readable in the create answer only (a SHA-256 of it is kept). Through an API
 * key, keys are listed (any scope) and revoked (write or admin), never created: a leaked key must not
 * be able to mint keys that outlive its revocation.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly verifier: ApiKeyVerifier,
    private readonly audit: AuditService,
    private readonly events: PlatformEvents,
  ) {}

  async create(actor: AuthUser, input: CreateInput): Promise<CreatedApiKey> {
    if (actor.via === 'apiKey' || !actor.userId) throw new ForbiddenError('API keys cannot create API keys; sign in to the dashboard to create one');
    if (input.kind === 'service' && actor.role !== 'admin') throw new ForbiddenError(`Only admins can create service keys; your role is ${actor.role}`);
    if (!roleAtLeast(actor.role, SCOPE_ROLE[input.scope])) {
      throw new ForbiddenError(`Your role (${actor.role}) allows keys with scope up to ${ROLE_SCOPE[actor.role]}; "${input.scope}" is more`);
    }
    const key = newSecretToken('trb');
    const row = await this.repo.insert({
      id: randomUUID(),
      tenantId: actor.tenantId,
      userId: input.kind === 'personal' ? actor.userId : null,
      createdBy: actor.userId,
      name: input.name,
      kind: input.kind,
      scope: input.scope,
      prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
      keyHash: hashSecretToken(key),
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
    });
    await this.audit.record({
      tenantId: actor.tenantId,
      userId: actor.userId,
      action: 'api_key.create',
      targetType: 'api_key',
      targetId: row.id,
      details: { name: row.name, kind: row.kind, scope: row.scope, prefix: row.prefix, expiresAt: row.expiresAt ? new Date(row.expiresAt).toISOString() : null },
    });
    return { ...toApiKeyView(row), key };
  }

  /** Admins: every key of the workspace; others: their own (a service key below admin has none). */
  async list(actor: AuthUser, q: { limit: number; cursor?: string }): Promise<Page<ApiKey>> {
    const all = actor.role === 'admin';
    if (!all && !actor.userId) return { items: [], nextCursor: null };
    const page = toPage(await this.repo.list(actor.tenantId, all ? null : actor.userId, q.limit, q.cursor), q.limit);
    return { items: page.items.map(toApiKeyView), nextCursor: page.nextCursor };
  }

  /** The key the request authenticated with (a CLI's "who am I"). */
  async current(actor: AuthUser): Promise<ApiKey> {
    const row = actor.apiKeyId ? await this.repo.find(actor.tenantId, actor.apiKeyId) : null;
    if (!row) throw new NotFoundError('This request was not made with an API key; the key');
    return toApiKeyView(row);
  }

  async revoke(actor: AuthUser, id: string): Promise<void> {
    if (actor.via === 'apiKey' && !roleAtLeast(actor.role, 'editor')) {
      throw new ForbiddenError(`This API key (scope ${actor.apiKey?.scope ?? 'read'}) does not allow revoking keys; needs scope write or admin`);
    }
    if (!isUuid(id)) throw new NotFoundError('API key');
    const found = await this.repo.find(actor.tenantId, id);
    // Someone else's key is as invisible to a non-admin as another workspace's.
    if (!found || (actor.role !== 'admin' && (!actor.userId || found.userId !== actor.userId))) throw new NotFoundError('API key');
    const row = await this.repo.revoke(actor.tenantId, id, actor.userId);
    if (!row) throw new ConflictError(`This API key was already revoked${found.revokedAt ? ` on ${new Date(found.revokedAt).toISOString()}` : ''}`);
    this.verifier.forget(row.keyHash);
    // Sockets signed in with it close on every api process; other processes' request caches see it within API_KEY_TTL_MS.
    this.events.publish(actor.tenantId, 'api_key.revoked', { apiKeyId: id });
    await this.audit.record({
      tenantId: actor.tenantId,
      userId: actor.userId,
      action: 'api_key.revoke',
      targetType: 'api_key',
      targetId: id,
      details: { name: row.name, kind: row.kind, scope: row.scope, prefix: row.prefix, ...(actor.apiKeyId ? { viaApiKey: actor.apiKeyId } : {}) },
    });
  }
}
