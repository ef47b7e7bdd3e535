import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { entityPage, type Page } from '../common/pagination.js';
import { AuditLog } from './audit-log.entity.js';

export interface AuditEntry {
  tenantId: string | null;
  userId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string;
}

@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLog) private readonly repo: Repository<AuditLog>) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.repo.save(this.repo.create({
      tenantId: entry.tenantId,
      userId: entry.userId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: entry.details ?? {},
      ip: entry.ip ?? null,
    }), { reload: false });
  }

  async list(tenantId: string, q: { limit: number; cursor?: string; action?: string }): Promise<Page<AuditLog>> {
    const qb = this.repo.createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
    if (q.action) qb.andWhere('a.action LIKE :action', { action: `${q.action.replace(/[%_]/g, '')}%` });
    return entityPage(qb, q.limit, q.cursor);
  }
}
