/**
 * The only code of the credentials module's service that reads and writes the credentials table
 * (TypeORM, as the table always was). Rows hold the sealed secret; sealing and opening are the
 * service's business. Re-sealing under a new key is key-rotation.ts's, shared with api_consumers and
 * the rotate-key command.
 */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { SecretBox } from '../common/crypto.js';
import { entityPage, type Page } from '../common/pagination.js';
import { Credential } from './credential.entity.js';
import { rotateCredentialKeys } from './key-rotation.js';

export type NewCredential = Pick<Credential, 'id' | 'tenantId' | 'connector' | 'name' | 'hints' | 'createdBy' | 'keyId' | 'iv' | 'authTag' | 'ciphertext'>;

export interface CredentialFilter {
  limit: number;
  cursor?: string;
  connector?: string;
}

@Injectable()
export class CredentialsRepository {
  constructor(@InjectRepository(Credential) private readonly repo: Repository<Credential>) {}

  insert(row: NewCredential): Promise<Credential> {
    return this.repo.save(this.repo.create(row));
  }

  /** `limit` credentials of a tenant, newest first, after the cursor. */
  list(tenantId: string, q: CredentialFilter): Promise<Page<Credential>> {
    const qb = this.repo.createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId });
    if (q.connector) qb.andWhere('c.connector = :connector', { connector: q.connector });
    return entityPage(qb, q.limit, q.cursor);
  }

  /** null when missing or another tenant's (`id` must be a uuid). */
  findInTenant(tenantId: string, id: string): Promise<Credential | null> {
    return this.repo.findOne({ where: { id, tenantId } });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.repo.delete({ id, tenantId });
  }

  /** Connector of each of the tenant's credentials among `ids` (uuids). */
  async connectorsOf(tenantId: string, ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = await this.repo.createQueryBuilder('c').select(['c.id', 'c.connector']).where('c.tenant_id = :tenantId AND c.id IN (:...ids)', { tenantId, ids }).getMany();
    return new Map(rows.map((r) => [r.id, r.connector]));
  }

  /** Re-seals every credential under the box's current key, one row per short transaction. */
  rotateKeys(box: SecretBox, onProgress?: (done: number, total: number) => void): Promise<{ rotated: number; total: number }> {
    return rotateCredentialKeys(this.repo.manager.connection, box, onProgress);
  }
}
