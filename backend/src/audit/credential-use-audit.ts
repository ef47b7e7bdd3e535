/**
 * `credential.use`: a run used a stored credential. Steps are the hot path, so an entry is written at
 * most once per credential per hour by each process (the first use in that hour, naming its workflow
 * and execution), never awaited by the step, and a failed write is only logged.
 */
import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from './audit.service.js';

export const CREDENTIAL_USE_INTERVAL_MS = 60 * 60_000;
/** Credentials remembered at most (a sweep forgets those past the interval beyond this). */
const MAX_REMEMBERED = 10_000;

export interface CredentialUse {
  tenantId: string;
  credentialId: string;
  workflowId?: string | null;
  executionId: string;
  ok: boolean;
}

@Injectable()
export class CredentialUseAudit {
  private readonly logger = new Logger('Audit');
  /** `<tenant>:<credential>` → when its last use was recorded (ms). */
  private readonly recordedAt = new Map<string, number>();

  constructor(private readonly audit: AuditService) {}

  /** Notes a use; records it when this credential's last recorded use is an hour old (or none). Answers whether it did. */
  used(use: CredentialUse, now = Date.now()): boolean {
    const key = `${use.tenantId}:${use.credentialId}`;
    const last = this.recordedAt.get(key);
    if (last !== undefined && now - last < CREDENTIAL_USE_INTERVAL_MS) return false;
    if (this.recordedAt.size >= MAX_REMEMBERED) this.forgetOld(now);
    this.recordedAt.set(key, now);
    const dryRun = use.executionId.startsWith('dry-run-');
    this.audit
      .record({
        tenantId: use.tenantId,
        userId: null,
        action: 'credential.use',
        targetType: 'credential',
        targetId: use.credentialId,
        details: { workflowId: use.workflowId ?? null, executionId: dryRun ? null : use.executionId, ok: use.ok, ...(dryRun ? { dryRun: true } : {}) },
      })
      .catch((err: Error) => this.logger.warn({ msg: 'could not record a credential use', credentialId: use.credentialId, err: err.message }));
    return true;
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.recordedAt) if (now - at >= CREDENTIAL_USE_INTERVAL_MS) this.recordedAt.delete(key);
    // Still full (10,000 credentials used within the hour): forget the oldest half.
    if (this.recordedAt.size >= MAX_REMEMBERED) for (const key of [...this.recordedAt.keys()].slice(0, MAX_REMEMBERED / 2)) this.recordedAt.delete(key);
  }
}
