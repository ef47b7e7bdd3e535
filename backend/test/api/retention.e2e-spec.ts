import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ExecutionsRepository } from '../../src/executions/executions.repository.js';
import { SchedulerService } from '../../src/scheduler/scheduler.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/**
 * Retention against the real PostgreSQL: finished executions older than EXECUTION_RETENTION go, in
 * batches, recent ones and queued or running ones of any age stay; a retry whose original went keeps
 * its row (retry_of set to null).
 */
describe('execution retention', () => {
  let t: TestApp;
  let db: pg.Client;
  let tenantId: string;
  let otherTenantId: string;
  beforeAll(async () => {
    t = await createTestApp({ EXECUTION_RETENTION: '15m' });
    ({ user: { tenantId } } = await t.register());
    ({ user: { tenantId: otherTenantId } } = await t.register());
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  async function workflowOf(tenant: string): Promise<string> {
    const { rows } = await db.query(`INSERT INTO workflows (tenant_id, name, trigger) VALUES ($1, 'retention', '{"type":"webhook"}') RETURNING id`, [tenant]);
    return rows[0].id;
  }

  async function insert(tenant: string, workflowId: string, status: string, minutesAgo: number, retryOf: string | null = null): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO executions (id, tenant_id, workflow_id, workflow_version, status, trigger_type, created_at, retry_of)
       VALUES ($1, $2, $3, 1, $4, 'webhook', now() - make_interval(mins => $5), $6)`,
      [id, tenant, workflowId, status, minutesAgo, retryOf],
    );
    return id;
  }

  it('reads EXECUTION_RETENTION as the cut-off and sweeps hourly by default', () => {
    expect(t.config.executionRetentionMs).toBe(15 * 60_000);
    expect(t.config.executionRetentionSweepMs).toBe(3_600_000);
  });

  it('deletes finished executions older than the retention, in batches, and keeps the rest', async () => {
    const keep: string[] = [];
    const gone: string[] = [];
    for (const tenant of [tenantId, otherTenantId]) {
      const wf = await workflowOf(tenant);
      for (const status of ['succeeded', 'failed', 'cancelled']) {
        for (let i = 0; i < 5; i++) gone.push(await insert(tenant, wf, status, 20 + i));
        keep.push(await insert(tenant, wf, status, 5));
      }
      // Unfinished executions stay whatever their age (the reconciler and leases own them).
      keep.push(await insert(tenant, wf, 'queued', 600), await insert(tenant, wf, 'running', 600), await insert(tenant, wf, 'queued', 1));
    }
    // A recent retry of an old execution: the original goes, the retry stays with retry_of nulled.
    const wf = await workflowOf(tenantId);
    const original = await insert(tenantId, wf, 'failed', 30);
    const retry = await insert(tenantId, wf, 'succeeded', 2, original);
    gone.push(original);
    keep.push(retry);

    // Batches of 4 here (1,000 by default): 31 rows take 8 statements, across both tenants.
    expect(await t.app.get(ExecutionsRepository).deleteFinishedOlderThan(15 * 60_000, 4)).toBe(gone.length);
    // The scheduler's sweep (what the interval runs) then finds nothing left to do.
    expect(await t.app.get(SchedulerService).purgeOldExecutions()).toBe(0);

    const { rows } = await db.query(`SELECT id, retry_of FROM executions`);
    const left = new Map(rows.map((r: { id: string; retry_of: string | null }) => [r.id, r.retry_of]));
    expect([...left.keys()].sort()).toEqual([...keep].sort());
    expect(left.get(retry)).toBeNull();
  });
});
