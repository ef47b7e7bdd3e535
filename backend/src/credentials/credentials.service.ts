import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { SecretBox, maskSecret } from '../common/crypto.js';
import { NotFoundError, ValidationError } from '../common/errors.js';
import type { Page } from '../common/pagination.js';
import { zodIssuesToFieldErrors } from '../common/zod.js';
import { findConnector } from '../engine/connectors.js';
import { SECRET_BOX } from '../common/secret-box.provider.js';
import { credentialAad, type Credential } from './credential.entity.js';
import { CredentialsRepository } from './credentials.repository.js';
import { isUuid } from '../common/ids.js';
import type { credentialSchema } from '@tributary/contracts';
import type { z } from 'zod';

/** The contract's credential (createdAt and updatedAt leave as ISO strings). */
export type CredentialView = z.input<typeof credentialSchema>;

export function toView(c: Credential): CredentialView {
  return {
    id: c.id,
    connector: c.connector,
    name: c.name,
    hints: c.hints,
    kind: c.kind,
    status: c.status,
    lastSuccessAt: c.lastSuccessAt,
    lastErrorAt: c.lastErrorAt,
    lastError: c.lastError,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}


@Injectable()
export class CredentialsService {
  constructor(
    private readonly repo: CredentialsRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async create(tenantId: string, userId: string | null, input: { connector: string; name: string; data: Record<string, unknown> }): Promise<CredentialView> {
    const connector = findConnector(input.connector);
    if (!connector) throw new ValidationError('Request body is invalid', [{ path: 'connector', message: `Unknown connector "${input.connector}"` }]);
    if (!connector.credentials) {
      throw new ValidationError('Request body is invalid', [{ path: 'connector', message: `Connector "${connector.key}" needs no credential` }]);
    }
    const parsed = connector.credentials.safeParse(input.data);
    if (!parsed.success) throw new ValidationError('Credential fields are invalid', zodIssuesToFieldErrors(parsed.error.issues, ['data']));
    const data = parsed.data as Record<string, unknown>;
    const hints = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, maskSecret(v)]));
    const id = crypto.randomUUID();
    const sealed = this.box.seal(JSON.stringify(data), credentialAad({ id, tenantId }));
    const row = await this.repo.insert({ id, tenantId, connector: connector.key, name: input.name, hints, createdBy: userId, ...sealed });
    await this.audit.record({ tenantId, userId, action: 'credential.create', targetType: 'credential', targetId: id, details: { connector: connector.key, name: input.name } });
    return toView(row);
  }

  /** A page of rows (the controller answers them with their OAuth2 summaries: ConnectionsService.views). */
  listRows(tenantId: string, q: { limit: number; cursor?: string; connector?: string }): Promise<Page<Credential>> {
    return this.repo.list(tenantId, q);
  }

  /** The tenant's row, or 404 (a malformed id too). */
  async row(tenantId: string, id: string): Promise<Credential> {
    const row = isUuid(id) ? await this.repo.findInTenant(tenantId, id) : null;
    if (!row) throw new NotFoundError('Credential');
    return row;
  }

  /** A row's sealed value, opened: the fields, or an OAuth2 connection's client configuration. Never returned by the API. */
  open(row: Credential): Record<string, unknown> {
    return JSON.parse(this.box.open(row, credentialAad(row))) as Record<string, unknown>;
  }

  async remove(tenantId: string, userId: string | null, id: string): Promise<void> {
    const row = await this.row(tenantId, id);
    await this.repo.delete(tenantId, row.id);
    await this.audit.record({ tenantId, userId, action: 'credential.delete', targetType: 'credential', targetId: id, details: { connector: row.connector, name: row.name } });
  }

  /** Decrypted fields for the engine; never returned by the API. */
  async reveal(tenantId: string, id: string): Promise<{ connector: string; data: Record<string, unknown> }> {
    const row = await this.row(tenantId, id);
    return { connector: row.connector, data: this.open(row) };
  }

  /** Connector of each of the tenant's credentials among `ids` (for validating workflow steps). */
  async connectorsOf(tenantId: string, ids: string[]): Promise<Map<string, string>> {
    return this.repo.connectorsOf(tenantId, ids);
  }

}
