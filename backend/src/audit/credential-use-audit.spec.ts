import type { AuditEntry, AuditService } from './audit.service.js';
import { CREDENTIAL_USE_INTERVAL_MS, CredentialUseAudit } from './credential-use-audit.js';

describe('CredentialUseAudit', () => {
  const recorded: AuditEntry[] = [];
  const audit = { record: async (e: AuditEntry) => void recorded.push(e) } as unknown as AuditService;
  beforeEach(() => (recorded.length = 0));

  it('records the first use of a credential, then at most once an hour', () => {
    const uses = new CredentialUseAudit(audit);
    const t0 = 1_000_000;
    expect(uses.used({ tenantId: 't', credentialId: 'c', workflowId: 'w', executionId: 'e1', ok: true }, t0)).toBe(true);
    expect(uses.used({ tenantId: 't', credentialId: 'c', workflowId: 'w', executionId: 'e2', ok: false }, t0 + 1000)).toBe(false);
    expect(uses.used({ tenantId: 't', credentialId: 'c', workflowId: 'w', executionId: 'e3', ok: true }, t0 + CREDENTIAL_USE_INTERVAL_MS - 1)).toBe(false);
    // Another credential, or the same id in another tenant, is its own.
    expect(uses.used({ tenantId: 't', credentialId: 'd', executionId: 'e4', ok: true }, t0 + 2000)).toBe(true);
    expect(uses.used({ tenantId: 'u', credentialId: 'c', executionId: 'e5', ok: true }, t0 + 2000)).toBe(true);
    expect(uses.used({ tenantId: 't', credentialId: 'c', workflowId: 'w', executionId: 'e6', ok: true }, t0 + CREDENTIAL_USE_INTERVAL_MS)).toBe(true);
    expect(recorded.map((r) => [r.tenantId, r.targetId, r.details?.executionId])).toEqual([
      ['t', 'c', 'e1'],
      ['t', 'd', 'e4'],
      ['u', 'c', 'e5'],
      ['t', 'c', 'e6'],
    ]);
    expect(recorded[0]).toEqual({ tenantId: 't', userId: null, action: 'credential.use', targetType: 'credential', targetId: 'c', details: { workflowId: 'w', executionId: 'e1', ok: true } });
  });

  it('marks a dry run as such (it has no execution)', () => {
    new CredentialUseAudit(audit).used({ tenantId: 't', credentialId: 'c', workflowId: null, executionId: 'dry-run-123', ok: true });
    expect(recorded[0].details).toEqual({ workflowId: null, executionId: null, ok: true, dryRun: true });
  });

  it('a failed write is logged, never thrown at the step', async () => {
    const failing = { record: async () => Promise.reject(new Error('database away')) } as unknown as AuditService;
    expect(new CredentialUseAudit(failing).used({ tenantId: 't', credentialId: 'c', executionId: 'e', ok: true })).toBe(true);
    await new Promise((r) => setImmediate(r));
  });

  it('remembers a bounded number of credentials', () => {
    const uses = new CredentialUseAudit(audit);
    for (let i = 0; i < 10_050; i++) uses.used({ tenantId: 't', credentialId: `c${i}`, executionId: 'e', ok: true }, 5_000_000);
    const size = (uses as unknown as { recordedAt: Map<string, number> }).recordedAt.size;
    expect(size).toBeLessThanOrEqual(10_000);
  });
});
