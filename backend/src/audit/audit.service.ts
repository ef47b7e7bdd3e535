import { Injectable } from '@nestjs/common';
import type { AuditEntry as AuditEntryView } from '@tributary/contracts';
import type { Page } from '../common/pagination.js';
import { AuditRepository, type AuditQuery } from './audit.repository.js';
import { actingKey } from '../access/acting-key.js';

export interface AuditEntry {
  tenantId: string | null;
  userId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string;
}

function withActingKey(details: Record<string, unknown>): Record<string, unknown> {
  const key = actingKey.getStore();
  return key && details.apiKey === undefined ? { ...details, apiKey: { id: key.id, name: key.name, prefix: key.prefix } } : details;
}

/** Rows per statement while an export streams (keyset pages: memory stays flat whatever the size). */
const EXPORT_PAGE = 1000;

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
      // Written while an API-key request runs: the key is named (a service key has no user to name).
      details: withActingKey(entry.details ?? {}),
      ip: entry.ip ?? null,
    });
  }

  list(tenantId: string, q: AuditQuery): Promise<Page<AuditEntryView>> {
    return this.repo.list(tenantId, q);
  }

  /** Every entry the filters select, newest first, page by page (for the NDJSON export). */
  async *entries(tenantId: string, filter: Omit<AuditQuery, 'limit' | 'cursor'>): AsyncGenerator<AuditEntryView> {
    let cursor: string | undefined;
    do {
      const page = await this.repo.list(tenantId, { ...filter, limit: EXPORT_PAGE, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}
