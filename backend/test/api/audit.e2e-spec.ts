/**
 * Audit you can use: each audited action appears after its cause (sign-ins, credentials created,
 * used by a run — at most once an hour — and deleted, workflow changes, role changes); the list's
 * filters and exact pagination; the NDJSON export; admins only; retention; tenants apart.
 */
import { auditEntrySchema, pageSchema, type AuditEntry } from '@tributary/contracts';
import pg from 'pg';
import { AuditRetention } from '../../src/audit/audit-retention.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { waitFor } from '../helpers/wait.js';

describe('audit log', () => {
  let t: TestApp;
  let db: pg.Client;
  let sink: Sink;
  let admin: { token: string; user: { id: string; tenantId: string; email: string } };
  let n = 0;
  const email = (what: string) => `${what}-${++n}-${Date.now()}@example.com`;

  const list = async (token: string, query = ''): Promise<{ items: AuditEntry[]; nextCursor: string | null }> => {
    const res = await t.request('GET', `/api/audit${query ? `?${query}` : ''}`, { token });
    expect(res.status).toBe(200);
    return pageSchema(auditEntrySchema).parse(res.body);
  };
  const actions = async (token: string, query = 'limit=100') => (await list(token, query)).items.map((e) => e.action);
  const finished = (token: string, id: string) =>
    waitFor(`execution ${id} to finish`, async () => {
      const r = await t.request('GET', `/api/executions/${id}`, { token });
      return ['succeeded', 'failed'].includes(r.body?.status) ? r.body : undefined;
    });
  /** NDJSON lines of an export, parsed (and checked against the contract). */
  const exportLines = async (token: string, query = '') => {
    const res = await fetch(`${t.baseUrl}/api/audit/export${query ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { res, lines: text.split('\n').filter(Boolean).map((l) => auditEntrySchema.parse(JSON.parse(l))), text };
  };

  beforeAll(async () => {
    sink = await startSink();
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    await t.startWorker();
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await t.register(email('admin'));
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
    await sink?.close();
  });

  it('records password and dev sign-ins (with their method) and failed ones', async () => {
    expect((await t.request('POST', '/api/auth/login', { body: { email: admin.user.email, password: 'wrong-password' } })).status).toBe(401);
    const login = await t.request('POST', '/api/auth/login', { body: { email: admin.user.email, password: 'password123' } });
    expect(login.status).toBe(200);
    const [latest, failed] = (await list(admin.token, 'action=auth.login&limit=2')).items;
    expect(latest).toMatchObject({ action: 'auth.login', userId: admin.user.id, actorEmail: admin.user.email, targetType: 'user', targetId: admin.user.id, details: { method: 'password' } });
    expect(latest.ip).toBeTruthy();
    expect(failed).toMatchObject({ action: 'auth.login_failed', userId: admin.user.id, details: { email: admin.user.email } });

    const dev = await t.request('POST', '/api/auth/dev-login', {});
    expect(dev.status).toBe(200);
    const devEntries = await list(dev.body.token, 'action=auth.dev_login');
    expect(devEntries.items[0]).toMatchObject({ action: 'auth.dev_login', userId: dev.body.user.id, details: { method: 'dev' } });
    // The dev workspace's sign-in is not in this tenant's log.
    expect(await actions(admin.token, 'action=auth.dev_login')).toEqual([]);
  });

  it('records credential create, use (once an hour, with its workflow and execution) and delete', async () => {
    const cred = await t.request('POST', '/api/credentials', { token: admin.token, body: { connector: 'slack', name: 'audit sink', data: { webhookUrl: `${sink.url}/services/T0/B0/audit` } } });
    expect(cred.status).toBe(201);
    const wf = await t.request('POST', '/api/workflows', {
      token: admin.token,
      body: { name: 'uses a credential', trigger: { type: 'webhook' }, steps: [{ id: 'notify', connector: 'slack', action: 'send_message', credentialId: cred.body.id, input: { text: 'hi {{n}}' } }] },
    });
    expect(wf.status).toBe(201);
    const first = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { n: 1 } });
    expect((await finished(admin.token, first.body.executionId)).status).toBe('succeeded');
    const second = await t.request('POST', `/api/webhooks/${wf.body.id}`, { body: { n: 2 } });
    expect((await finished(admin.token, second.body.executionId)).status).toBe('succeeded');

    const uses = await waitFor('the credential.use entry', async () => {
      const items = (await list(admin.token, `action=credential.use&targetId=${cred.body.id}`)).items;
      return items.length ? items : undefined;
    });
    // Written without awaiting the step: give a second write (which must not come) time to land.
    await new Promise((r) => setTimeout(r, 300));
    const again = (await list(admin.token, `action=credential.use&targetId=${cred.body.id}`)).items;
    expect(again).toHaveLength(1);
    expect(uses[0]).toMatchObject({ userId: null, actorEmail: null, targetType: 'credential', details: { workflowId: wf.body.id, executionId: first.body.executionId, ok: true } });

    expect((await t.request('DELETE', `/api/credentials/${cred.body.id}`, { token: admin.token })).status).toBe(204);
    const byTarget = await list(admin.token, `targetType=credential&targetId=${cred.body.id}`);
    expect(byTarget.items.map((e) => e.action)).toEqual(['credential.delete', 'credential.use', 'credential.create']);
    expect(byTarget.items[2]).toMatchObject({ userId: admin.user.id, details: { connector: 'slack', name: 'audit sink' } });
    // The details never carry the secret.
    expect(JSON.stringify(byTarget.items)).not.toContain('/services/T0/B0/audit');
  });

  it('records workflow create, update, disable, enable and delete', async () => {
    const wf = await t.request('POST', '/api/workflows', { token: admin.token, body: { name: 'audited', trigger: { type: 'manual' }, steps: [{ id: 'a', connector: 'core', action: 'transform', input: { value: 1 } }] } });
    expect(wf.status).toBe(201);
    expect((await t.request('PUT', `/api/workflows/${wf.body.id}`, { token: admin.token, body: { name: 'audited, renamed' } })).status).toBe(200);
    expect((await t.request('PUT', `/api/workflows/${wf.body.id}/toggle`, { token: admin.token, body: { enabled: false } })).status).toBe(200);
    expect((await t.request('PUT', `/api/workflows/${wf.body.id}/toggle`, { token: admin.token, body: { enabled: true } })).status).toBe(200);
    expect((await t.request('DELETE', `/api/workflows/${wf.body.id}`, { token: admin.token })).status).toBe(204);
    expect(await actions(admin.token, `targetType=workflow&targetId=${wf.body.id}`)).toEqual(['workflow.delete', 'workflow.enable', 'workflow.disable', 'workflow.update', 'workflow.create']);
  });

  describe('with a second member', () => {
    let editor: { token: string; user: { id: string; email: string } };

    beforeAll(async () => {
      const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('editor'), role: 'editor' } });
      expect(inv.status).toBe(201);
      const acc = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password123', name: 'Ed' } });
      expect(acc.status).toBe(201);
      editor = acc.body;
    });

    it('records role changes, and lets only admins read or export the log', async () => {
      expect((await t.request('GET', '/api/audit', { token: editor.token })).status).toBe(403);
      expect((await t.request('GET', '/api/audit/export', { token: editor.token })).status).toBe(403);
      expect((await t.request('GET', '/api/audit')).status).toBe(401);

      expect((await t.request('PATCH', `/api/users/${editor.user.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);
      const [change] = (await list(admin.token, 'action=user.role_change')).items;
      expect(change).toMatchObject({ userId: admin.user.id, targetType: 'user', targetId: editor.user.id, details: { from: 'editor', to: 'viewer', email: editor.user.email } });
    });

    it('filters by actor (id or email, any case), action prefix, target and time', async () => {
      // The member signs in: their entries, and the admin's, apart.
      expect((await t.request('POST', '/api/auth/login', { body: { email: editor.user.email, password: 'password123' } })).status).toBe(200);
      const byId = await list(admin.token, `actor=${editor.user.id}&limit=100`);
      const byEmail = await list(admin.token, `actor=${encodeURIComponent(editor.user.email.toUpperCase())}&limit=100`);
      expect(byId.items.length).toBeGreaterThan(0);
      expect(byEmail.items).toEqual(byId.items);
      expect(byId.items.every((e) => e.userId === editor.user.id)).toBe(true);
      expect(byId.items.map((e) => e.action)).toContain('auth.login');
      expect((await list(admin.token, `actor=nobody@example.com`)).items).toEqual([]);

      const credentials = await actions(admin.token, 'action=credential.&limit=100');
      expect(credentials.length).toBeGreaterThan(0);
      expect(credentials.every((a) => a.startsWith('credential.'))).toBe(true);
      // The prefix is literal: LIKE's wildcards match themselves only.
      expect(await actions(admin.token, 'action=%25')).toEqual([]);
      expect(await actions(admin.token, 'action=auth_login')).toEqual([]);

      const all = (await list(admin.token, 'limit=100')).items;
      const pivot = all[Math.floor(all.length / 2)];
      const older = (await list(admin.token, `to=${encodeURIComponent(pivot.createdAt)}&limit=100`)).items;
      const newer = (await list(admin.token, `from=${encodeURIComponent(pivot.createdAt)}&limit=100`)).items;
      expect(older.every((e) => e.createdAt < pivot.createdAt)).toBe(true);
      expect(newer.every((e) => e.createdAt >= pivot.createdAt)).toBe(true);
      expect(older.length + newer.length).toBe(all.length);

      expect((await t.request('GET', '/api/audit?from=yesterday', { token: admin.token })).status).toBe(400);
      expect((await t.request('GET', '/api/audit?cursor=nonsense', { token: admin.token })).status).toBe(400);
    });
  });

  it('pages exactly through many entries, also when they share one timestamp', async () => {
    const other = await t.register(email('pager'));
    // 230 entries: the 200 of one statement share one created_at (as an accept batch does).
    await db.query(
      `INSERT INTO audit_logs (tenant_id, user_id, action, target_type, target_id, details)
       SELECT $1, $2, 'test.bulk', 'thing', i::text, jsonb_build_object('i', i) FROM generate_series(1, 200) AS i`,
      [other.user.tenantId, other.user.id],
    );
    for (let i = 201; i <= 230; i++) {
      await db.query(`INSERT INTO audit_logs (tenant_id, user_id, action, target_type, target_id) VALUES ($1, $2, 'test.bulk', 'thing', $3)`, [other.user.tenantId, other.user.id, String(i)]);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(other.token, `action=test.&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((e) => e.targetId!));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(Math.ceil(230 / 7));
    expect(new Set(seen).size).toBe(230);
    expect(seen.slice(0, 3)).toEqual(['230', '229', '228']);

    const { res, lines, text } = await exportLines(other.token, 'action=test.bulk&targetType=thing');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.+\.ndjson"$/);
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(230);
    expect(lines.map((l) => l.targetId)).toEqual(seen);
    expect(lines.every((l) => l.action === 'test.bulk')).toBe(true);
  });

  it('exports exactly what the list shows for the same filters', async () => {
    const query = `action=credential.&actor=${admin.user.id}`;
    const { res, lines } = await exportLines(admin.token, query);
    expect(res.status).toBe(200);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual((await list(admin.token, `${query}&limit=100`)).items);
    const none = await exportLines(admin.token, 'action=nothing.');
    expect(none.res.status).toBe(200);
    expect(none.text).toBe('');
  });

  it("keeps another tenant's entries invisible, whatever the filters", async () => {
    const stranger = await t.register(email('stranger'));
    const mine = await list(stranger.token, 'limit=100');
    expect(mine.items.map((e) => e.action)).toEqual(['auth.register']);
    expect((await list(stranger.token, `actor=${admin.user.id}`)).items).toEqual([]);
    expect((await list(stranger.token, `actor=${encodeURIComponent(admin.user.email)}`)).items).toEqual([]);
    expect((await list(stranger.token, `targetId=${admin.user.id}`)).items).toEqual([]);
    const { lines } = await exportLines(stranger.token);
    expect(lines.map((l) => l.action)).toEqual(['auth.register']);
  });

  it('retention deletes entries older than AUDIT_RETENTION_DAYS and keeps the recent ones', async () => {
    const keeper = await t.register(email('retention'));
    await db.query(
      `INSERT INTO audit_logs (tenant_id, action, target_id, created_at) VALUES
         ($1, 'test.old', 'a', now() - interval '366 days'), ($1, 'test.old', 'b', now() - interval '400 days'),
         ($1, 'test.recent', 'c', now() - interval '364 days'), (NULL, 'test.old', 'd', now() - interval '500 days')`,
      [keeper.user.tenantId],
    );
    expect(t.config.auditRetentionDays).toBe(365);
    const deleted = await t.app.get(AuditRetention).purge();
    expect(deleted).toBe(3);
    expect(await actions(keeper.token, 'action=test.')).toEqual(['test.recent']);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'test.old'`);
    expect(rows[0].n).toBe(0);
    expect((await list(keeper.token, 'action=auth.register')).items).toHaveLength(1);
  });
});

describe('audit retention off', () => {
  it('AUDIT_RETENTION_DAYS=0 keeps every entry', async () => {
    const t = await createTestApp({ AUDIT_RETENTION_DAYS: '0' });
    try {
      const { user } = await t.register();
      const db = new pg.Client({ connectionString: t.databaseUrl });
      await db.connect();
      try {
        await db.query(`INSERT INTO audit_logs (tenant_id, action, created_at) VALUES ($1, 'test.ancient', now() - interval '20 years')`, [user.tenantId]);
        expect(await t.app.get(AuditRetention).purge()).toBe(0);
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'test.ancient'`);
        expect(rows[0].n).toBe(1);
      } finally {
        await db.end();
      }
    } finally {
      await t.close();
    }
  });
});
