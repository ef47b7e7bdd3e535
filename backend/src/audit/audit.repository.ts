/** The only code that reads and writes audit_logs (TypeORM, as the table always was). */
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { entityPage, type Page } from '../common/pagination.js';
import { AuditLog } from './audit-log.entity.js';

export type NewAuditLog = Pick<AuditLog, 'tenantId' | 'userId' | 'action' | 'targetType' | 'targetId' | 'details' | 'ip'>;

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditLog) private readonly repo: Repository<AuditLog>) {}

  async insert(entry: NewAuditLog): Promise<void> {
    await this.repo.save(this.repo.create(entry), { reload: false });
  }

  /** `limit` entries of a tenant, newest first, after the cursor; `actionPrefix` is matched literally. */
  list(tenantId: string, limit: number, cursor?: string, actionPrefix?: string): Promise<Page<AuditLog>> {
    const qb = this.repo.createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
    if (actionPrefix) qb.andWhere('a.action LIKE :action', { action: `${actionPrefix.replace(/[%_]/g, '')}%` });
    return entityPage(qb, limit, cursor);
  }
}
