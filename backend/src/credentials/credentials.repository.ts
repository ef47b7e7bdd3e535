/**
 * The only code of the credentials module's service that reads and writes the credentials table
 * (TypeORM, as the table always was). Rows hold the sealed secret; sealing and opening are the
 * service's business; re-sealing under a new key (common/key-rotation.ts) locks and rewrites one row
 * at a time through SealedTable.
 */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Reseal, SealedTable } from '../common/key-rotation.js';
import { entityPage, type Page } from '../common/pagination.js';
import { Credential, credentialAad } from './credential.entity.js';

export type NewCredential = Pick<Credential, 'id' | 'tenantId' | 'connector' | 'name' | 'hints' | 'createdBy' | 'keyId' | 'iv' | 'authTag' | 'ciphertext'> & Partial<Pick<Credential, 'kind' | 'status'>>;

export interface CredentialFilter {
  limit: number;
  cursor?: string;
  connector?: string;
}

@Injectable()
export class CredentialsRepository implements SealedTable {
  readonly sealedWhat = 'credentials';

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

  async staleSealedIds(currentKeyId: string): Promise<string[]> {
    const rows = await this.repo.createQueryBuilder('c').select(['c.id']).where('c.key_id <> :current', { current: currentKeyId }).getMany();
    return rows.map((r) => r.id);
  }

  resealRow(id: string, currentKeyId: string, reseal: Reseal): Promise<boolean> {
    return this.repo.manager.transaction(async (tx) => {
      const repo = tx.getRepository(Credential);
      const row = await repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
      if (!row || row.keyId === currentKeyId) return false;
      const s = reseal(row, credentialAad(row));
      await repo.update({ id }, { keyId: s.keyId, iv: s.iv, authTag: s.authTag, ciphertext: s.ciphertext });
      return true;
    });
  }
}
