import pg from 'pg';
import { ExecutionsRepository } from '../../src/executions/executions.repository.js';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';

describe('keyset pagination', () => {
  let t: TestApp;
  let db: pg.Client;
  let token: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ token, user: { tenantId } } = await t.register());
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** Every id of a list, following nextCursor `limit` at a time (bounded, so a list that repeats rows ends). */
  async function pageAll(path: string, limit: number, maxPages = 200): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res: TestResponse<{ items: { id: string }[]; nextCursor: string | null }> = await t.request('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((i) => i.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return ids;
  }

  it('lists each of 300 executions once, 7 a page, though the rows of one accept batch share a timestamp', async () => {
    const wf = await t.request('POST', '/api/workflows', { token, body: { name: 'paged', trigger: { type: 'webhook' }, steps: [] } });
    const accepted: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const res = await Promise.all(Array.from({ length: 100 }, (_, i) => t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { batch, i } })));
      accepted.push(...res.map((r) => r.body.executionId as string));
    }
    // The point of the test: many rows share a created_at (to the microsecond) and the cursor must still tell them apart.
    const { rows } = await db.query(`SELECT count(DISTINCT created_at)::int AS n FROM executions WHERE tenant_id = $1`, [tenantId]);
    expect(rows[0].n).toBeLessThan(250);

    for (const path of ['/api/executions', '/api/logs']) {
      const listed = await pageAll(path, 7);
      expect(listed).toHaveLength(300);
      expect(new Set(listed)).toEqual(new Set(accepted));
    }
    const filtered = await pageAll(`/api/executions?workflowId=${wf.body.id}&status=queued`, 7);
    expect(new Set(filtered)).toEqual(new Set(accepted));

    // The reconciler pages the queued backlog oldest first with the positions queuedBefore returns.
    const repo = t.app.get(ExecutionsRepository);
    const seen: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (let page = 0; page < 100; page++) {
      const queued = await repo.queuedBefore(0, 7, after);
      if (!queued.length) break;
      seen.push(...queued.map((r) => r.id));
      after = queued[queued.length - 1];
    }
    expect(seen).toHaveLength(300);
    expect(new Set(seen)).toEqual(new Set(accepted));
  });

  it('lists each audit entry and event once when rows written by one statement share a timestamp', async () => {
    await db.query(
      `INSERT INTO audit_logs (tenant_id, action, details) SELECT $1, 'test.bulk', jsonb_build_object('n', n) FROM generate_series(1, 40) AS n`,
      [tenantId],
    );
    const audit = await db.query<{ id: string }>(`SELECT id FROM audit_logs WHERE tenant_id = $1`, [tenantId]);
    const auditIds = await pageAll('/api/audit', 7);
    expect(auditIds).toHaveLength(audit.rows.length);
    expect(new Set(auditIds)).toEqual(new Set(audit.rows.map((r) => r.id)));

    // events.created_at defaults to whole milliseconds; rows written with now() keep microseconds.
    await db.query(
      `INSERT INTO events (id, tenant_id, topic, data, created_at) SELECT gen_random_uuid(), $1, 'bulk.test', '{}', now() FROM generate_series(1, 40)`,
      [tenantId],
    );
    const events = await db.query<{ id: string }>(`SELECT id FROM events WHERE tenant_id = $1`, [tenantId]);
    const eventIds = await pageAll('/api/events?topic=bulk.*', 7);
    expect(eventIds).toHaveLength(40);
    expect(new Set(eventIds)).toEqual(new Set(events.rows.map((r) => r.id)));
  });

  it('pages every list exactly when all of its rows share one timestamp', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await t.request('POST', path, { token, body });
      expect(res.status).toBe(201);
      return res.body;
    };
    for (let i = 0; i < 3; i++) {
      const wf = await post('/api/workflows', { name: `wf${i}`, trigger: { type: 'webhook' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] });
      await post('/api/kong/templates', { workflow_id: wf.id, use_case: 'webhook_handler' });
      expect((await t.request('POST', `/api/webhooks/${wf.id}`, { body: { i } })).status).toBe(202);
      await post('/api/credentials', { connector: 'http', name: `cred${i}`, data: { type: 'bearer', token: `token-${i}` } });
      await post('/api/consumers', { username: `consumer${i}` });
      await post('/api/events', { topic: `same.time.${i}`, data: {} });
      const inv = await post('/api/invitations', { email: `member${i}-${Date.now()}@example.com`, role: 'viewer' });
      if (i < 2) expect((await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.token, password: 'password123' } })).status).toBe(201);
      await post('/api/invitations', { email: `pending${i}-${Date.now()}@example.com`, role: 'editor' });
    }
    const tables = ['workflows', 'kong_templates', 'credentials', 'api_consumers', 'events', 'invitations', 'users', 'audit_logs', 'executions'];
    for (const table of tables) await db.query(`UPDATE ${table} SET created_at = '2025-01-02 03:04:05.123456+00' WHERE tenant_id = $1`, [tenantId]);

    const lists: [string, string][] = [
      ['/api/workflows', 'workflows'],
      ['/api/kong/templates', 'kong_templates'],
      ['/api/credentials', 'credentials'],
      ['/api/consumers', 'api_consumers'],
      ['/api/events', 'events'],
      ['/api/invitations', 'invitations WHERE accepted_at IS NULL AND tenant_id = $1'],
      ['/api/users', 'users'],
      ['/api/audit', 'audit_logs'],
      ['/api/executions', 'executions'],
      ['/api/logs', 'executions'],
    ];
    for (const [path, from] of lists) {
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${from.includes('WHERE') ? from : `${from} WHERE tenant_id = $1`} ORDER BY id DESC`, [tenantId]);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect({ path, ids: await pageAll(path, 2) }).toEqual({ path, ids: rows.map((r) => r.id) });
    }
  });
});
