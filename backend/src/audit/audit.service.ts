import { Injectable } from '@nestjs/common';
import type { Page } from '../common/pagination.js';
import type { AuditLog } from './audit-log.entity.js';
import { AuditRepository } from './audit.repository.js';

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
  constructor(private readonly repo: AuditRepository) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.repo.insert({
      tenantId: entry.tenantId,
      userId: entry.userId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      details: entry.details ?? {},
      ip: entry.ip ?? null,
    });
  }

  list(tenantId: string, q: { limit: number; cursor?: string; action?: string }): Promise<Page<AuditLog>> {
    return this.repo.list(tenantId, q.limit, q.cursor, q.action);
  }
}
