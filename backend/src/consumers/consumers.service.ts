import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service.js';
import { maskSecret, SecretBox } from '../common/crypto.js';
import { hashSecretToken, newSecretToken } from '../common/secret-token.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { toPage, type Page } from '../common/pagination.js';
import { SECRET_BOX } from '../common/secret-box.provider.js';
import { consumerConfig, tenantGroup } from '../kong/kong-templates.js';
import type { KongDeclarativeConfig } from '../kong/kong-types.js';
import { consumerKeyAad, type ApiConsumer } from './api-consumer.row.js';
import { ConsumerChanges, type GatewaySyncReport } from './consumer-changes.js';
import { ConsumersRepository, type SealedKey } from './consumers.repository.js';
import { UsageMeter } from './usage-meter.js';
import { isUuid } from '../common/ids.js';
import type { ApiConsumer as ConsumerView, ApiConsumerWithKey as ConsumerWithKey, ConsumerUsage as UsageReport } from '@tributary/contracts';

export type { ApiConsumer as ConsumerView, ApiConsumerWithKey as ConsumerWithKey, ConsumerUsage as UsageReport } from '@tributary/contracts';



const DAY_MS = 86_400_000;

const aad = consumerKeyAad;
export const kongUsername = (c: Pick<ApiConsumer, 'tenantId' | 'username'>) => `${c.tenantId}:${c.username}`;

function iso(v: Date | string): string {
  return new Date(v).toISOString();
}

export function toConsumerView(c: ApiConsumer): ConsumerView {
  return {
    id: c.id,
    username: c.username,
    plan: c.plan,
    groups: c.groups,
    kongUsername: kongUsername(c),
    keyHint: c.keyHint,
    createdAt: iso(c.createdAt),
    keyRotatedAt: iso(c.keyRotatedAt),
  };
}

@Injectable()
export class ConsumersService {
  constructor(
    private readonly repo: ConsumersRepository,
    private readonly meter: UsageMeter,
    private readonly changes: ConsumerChanges,
    private readonly audit: AuditService,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
  ) {}

  async create(tenantId: string, userId: string | null, input: { username: string; plan: string; groups: string[] }): Promise<ConsumerWithKey> {
    const id = randomUUID();
    const { apiKey, sealed } = this.newKey({ id, tenantId });
    const row = await this.repo.insert({ id, tenantId, username: input.username, plan: input.plan, groups: [...new Set(input.groups)], createdBy: userId, ...sealed });
    if (!row) throw new ConflictError(`A consumer named "${input.username}" already exists`);
    await this.audit.record({ tenantId, userId, action: 'consumer.create', targetType: 'api_consumer', targetId: id, details: { username: input.username, plan: input.plan } });
    return { consumer: toConsumerView(row), apiKey, pushed: await this.changes.emit() };
  }

  async list(tenantId: string, q: { limit: number; cursor?: string }): Promise<Page<ConsumerView>> {
    const page = toPage(await this.repo.list(tenantId, q.limit, q.cursor), q.limit);
    return { items: page.items.map(toConsumerView), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<ConsumerView> {
    return toConsumerView(await this.getRowOrThrow(tenantId, id));
  }

  async remove(tenantId: string, userId: string | null, id: string): Promise<{ pushed: GatewaySyncReport | null }> {
    const row = await this.getRowOrThrow(tenantId, id);
    await this.repo.remove(tenantId, row.id);
    await this.audit.record({ tenantId, userId, action: 'consumer.delete', targetType: 'api_consumer', targetId: id, details: { username: row.username } });
    return { pushed: await this.changes.emit() };
  }

  /** A new key replaces the old one at once (in Kong after the push). */
  async rotateKey(tenantId: string, userId: string | null, id: string): Promise<ConsumerWithKey> {
    const row = await this.getRowOrThrow(tenantId, id);
    const { apiKey, sealed } = this.newKey(row);
    const updated = await this.repo.replaceKey(tenantId, id, sealed);
    if (!updated) throw new NotFoundError('Consumer');
    await this.audit.record({ tenantId, userId, action: 'consumer.rotate_key', targetType: 'api_consumer', targetId: id, details: { username: row.username } });
    return { consumer: toConsumerView(updated), apiKey, pushed: await this.changes.emit() };
  }

  /** Usage per day and route, the counts not yet flushed included (flushed first). */
  async usage(tenantId: string, id: string, q: { from?: string; to?: string }): Promise<UsageReport> {
    const row = await this.getRowOrThrow(tenantId, id);
    const to = q.to ?? new Date().toISOString().slice(0, 10);
    const from = q.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
    if (from > to) throw new ValidationError('Query is invalid', [{ path: 'from', message: 'must not be after to' }]);
    await this.meter.flush();
    const rows = await this.repo.usage(row.id, from, to);
    return {
      consumerId: row.id,
      from,
      to,
      items: rows.map((r) => ({ day: r.day, route: r.route, count: r.count })),
      total: rows.reduce((sum, r) => sum + r.count, 0),
    };
  }

  /**
   * The Kong consumers (id = ours, so X-Consumer-ID names the row), their key-auth credential and ACL
   * groups: of one tenant, or of every tenant for the config pushed to the shared Kong.
   */
  async kongConfigParts(tenantId?: string): Promise<KongDeclarativeConfig[]> {
    return (await this.repo.all(tenantId)).map((c) =>
      consumerConfig({
        id: c.id,
        username: kongUsername(c),
        customId: c.id,
        apiKeys: [{ id: c.keyCredentialId, key: this.box.open({ keyId: c.keyKeyId, iv: c.keyIv, authTag: c.keyAuthTag, ciphertext: c.keyCiphertext }, aad(c)) }],
        groups: [...new Set([tenantGroup(c.tenantId), ...c.groups])],
        tags: [`tenant:${c.tenantId}`, `plan:${c.plan}`],
      }),
    );
  }

  private newKey(owner: Pick<ApiConsumer, 'id' | 'tenantId'>): { apiKey: string; sealed: SealedKey } {
    const apiKey = newSecretToken('trb');
    const s = this.box.seal(apiKey, aad(owner));
    return {
      apiKey,
      sealed: {
        keyCredentialId: randomUUID(),
        keyHash: hashSecretToken(apiKey),
        keyHint: maskSecret(apiKey),
        keyCiphertext: s.ciphertext,
        keyIv: s.iv,
        keyAuthTag: s.authTag,
        keyKeyId: s.keyId,
      },
    };
  }

  private async getRowOrThrow(tenantId: string, id: string): Promise<ApiConsumer> {
    const row = isUuid(id) ? await this.repo.find(tenantId, id) : null;
    if (!row) throw new NotFoundError('Consumer');
    return row;
  }
}
