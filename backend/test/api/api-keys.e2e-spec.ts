/**
 * API keys: created, listed and revoked through /api/api-keys, shown once and stored hashed, and
 * accepted as `Authorization: Bearer trb_…` by every /api route within the key's scope and tenant
 * (and by /ws); revoked and expired keys answer 401, a wrong scope 403 naming it.
 */
import { createHash } from 'node:crypto';
import { apiKeySchema, createdApiKeySchema, pageSchema } from '@tributary/contracts';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

type Session = { token: string; user: { id: string; tenantId: string; email: string } };
type Created = { id: string; key: string; prefix: string; kind: string; scope: string; userId: string | null; status: string };

describe('API keys', () => {
  let t: TestApp;
  let db: pg.Client;
  let admin: Session;
  let n = 0;
  const email = (what: string) => `${what}-${++n}-${Date.now()}@example.com`;
  const clients: WsClient[] = [];

  async function createKey(token: string, body: Record<string, unknown>): Promise<Created> {
    const res = await t.request('POST', '/api/api-keys', { token, body: { name: `key ${++n}`, ...body } });
    if (res.status !== 201) throw new Error(`create key: ${res.status} ${res.text}`);
    return createdApiKeySchema.parse(res.body) as Created;
  }

  /** Invites a member with `role` into admin's tenant; answers their session. */
  async function join(adminToken: string, role: 'admin' | 'editor' | 'viewer'): Promise<Session> {
    const inv = await t.request('POST', '/api/invitations', { token: adminToken, body: { email: email(role), role } });
    expect(inv.status).toBe(201);
    const acc = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password123', name: `The ${role}` } });
    expect(acc.status).toBe(201);
    return acc.body;
  }

  const workflow = (name = `wf ${++n}`) => ({ name, trigger: { type: 'manual' }, steps: [] });

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await t.register();
  });
  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await db?.end();
    await t?.close();
  });

  describe('management', () => {
    it('creates a key shown once, stored as its SHA-256 only, and audited', async () => {
      const res = await t.request('POST', '/api/api-keys', { token: admin.token, body: { name: '  CI deploys  ', scope: 'write' } });
      expect(res.status).toBe(201);
      const key = createdApiKeySchema.parse(res.body);
      expect(key).toMatchObject({ name: 'CI deploys', kind: 'personal', scope: 'write', userId: admin.user.id, createdBy: admin.user.id, expiresAt: null, lastUsedAt: null, revokedAt: null, status: 'active' });
      expect(key.key).toMatch(/^trb_[A-Za-z0-9_-]{43}$/);
      expect(key.prefix).toBe(key.key.slice(0, 12));

      // Lists and the key's own description never carry the secret.
      const list = await t.request('GET', '/api/api-keys', { token: admin.token });
      expect(list.status).toBe(200);
      const listed = pageSchema(apiKeySchema).parse(list.body).items.find((k) => k.id === key.id);
      expect(listed).toEqual({ ...key, key: undefined, createdAt: key.createdAt });
      expect(list.text).not.toContain(key.key);
      const current = await t.request('GET', '/api/api-keys/current', { token: key.key });
      expect(current.status).toBe(200);
      expect(apiKeySchema.parse(current.body).id).toBe(key.id);
      expect(current.text).not.toContain(key.key);

      // The row: the SHA-256 and the display prefix, nothing from which the key could be read back.
      const { rows } = await db.query(`SELECT * FROM api_keys WHERE id = $1`, [key.id]);
      expect(rows).toHaveLength(1);
      const row = rows[0] as Record<string, unknown>;
      expect(row.key_hash).toEqual(createHash('sha256').update(key.key).digest());
      const secret = key.key.slice(4);
      for (const [column, value] of Object.entries(row)) {
        const text = Buffer.isBuffer(value) ? value.toString('utf8') + value.toString('base64url') : JSON.stringify(value);
        if (column !== 'prefix') expect(text ?? '').not.toContain(secret.slice(8, 24));
      }

      const audit = await t.request('GET', '/api/audit?action=api_key.create', { token: admin.token });
      expect(audit.body.items.find((a: { targetId: string }) => a.targetId === key.id)).toMatchObject({
        userId: admin.user.id,
        details: { name: 'CI deploys', kind: 'personal', scope: 'write', prefix: key.prefix, expiresAt: null },
      });
    });

    it('answers 400 with field paths for bad input', async () => {
      const bad = async (body: unknown) => {
        const res = await t.request('POST', '/api/api-keys', { token: admin.token, body });
        expect(res.status).toBe(400);
        return (res.body.details as { path: string; message: string }[]).map((d) => d.path);
      };
      expect(await bad({ name: 'x', scope: 'superuser' })).toEqual(['scope']);
      expect(await bad({ name: 'x', scope: 'read', expiresAt: new Date(Date.now() - 60_000).toISOString() })).toEqual(['expiresAt']);
      expect(await bad({ name: 'x', scope: 'read', expiresAt: 'next tuesday' })).toEqual(['expiresAt']);
      expect(await bad({ name: '   ', scope: 'read' })).toEqual(['name']);
      expect(await bad({ name: 'x'.repeat(101), scope: 'read' })).toEqual(['name']);
      expect(await bad({ name: 'x', scope: 'read', kind: 'robot' })).toEqual(['kind']);
      expect(await bad({ name: 'x', scope: 'read', owner: 'me' })).toEqual(['(body)']);
      const missing = await bad({});
      expect(missing.sort()).toEqual(['name', 'scope']);
    });

    it('lets anyone create personal keys up to their role; service keys and other members\' keys are for admins', async () => {
      const editor = await join(admin.token, 'editor');
      const viewer = await join(admin.token, 'viewer');

      const svc = await t.request('POST', '/api/api-keys', { token: editor.token, body: { name: 'svc', kind: 'service', scope: 'read' } });
      expect(svc.status).toBe(403);
      expect(svc.body.message).toBe('Only admins can create service keys; your role is editor');
      const tooMuch = await t.request('POST', '/api/api-keys', { token: editor.token, body: { name: 'x', scope: 'admin' } });
      expect(tooMuch.status).toBe(403);
      expect(tooMuch.body.message).toBe('Your role (editor) allows keys with scope up to write; "admin" is more');
      expect((await t.request('POST', '/api/api-keys', { token: viewer.token, body: { name: 'x', scope: 'write' } })).status).toBe(403);

      const editorKey = await createKey(editor.token, { scope: 'write' });
      const viewerKey = await createKey(viewer.token, { scope: 'read' });
      const service = await createKey(admin.token, { kind: 'service', scope: 'read' });
      expect(service).toMatchObject({ kind: 'service', userId: null });

      const ids = async (token: string) => ((await t.request('GET', '/api/api-keys?limit=100', { token })).body.items as { id: string }[]).map((k) => k.id);
      expect(await ids(editor.token)).toEqual([editorKey.id]);
      expect(await ids(viewer.token)).toEqual([viewerKey.id]);
      expect(await ids(admin.token)).toEqual(expect.arrayContaining([editorKey.id, viewerKey.id, service.id]));
      // A read service key (viewer) owns no keys: it lists none.
      expect(await ids(service.key)).toEqual([]);

      // Another member's key is invisible to a non-admin; an admin revokes anyone's.
      expect((await t.request('DELETE', `/api/api-keys/${viewerKey.id}`, { token: editor.token })).status).toBe(404);
      expect((await t.request('DELETE', `/api/api-keys/${editorKey.id}`, { token: editor.token })).status).toBe(204);
      expect((await t.request('DELETE', `/api/api-keys/${editorKey.id}`, { token: editor.token })).status).toBe(409);
      expect((await t.request('DELETE', `/api/api-keys/${viewerKey.id}`, { token: admin.token })).status).toBe(204);
      expect((await t.request('DELETE', '/api/api-keys/not-a-uuid', { token: admin.token })).status).toBe(404);

      const listed = (await t.request('GET', '/api/api-keys?limit=100', { token: admin.token })).body.items as { id: string; status: string; revokedAt: string | null }[];
      expect(listed.find((k) => k.id === viewerKey.id)).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    });

    it('creates no keys through a key (even admin), but a write key may revoke, a read key may not', async () => {
      const adminKey = await createKey(admin.token, { scope: 'admin' });
      const res = await t.request('POST', '/api/api-keys', { token: adminKey.key, body: { name: 'child', scope: 'read' } });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('API keys cannot create API keys; sign in to the dashboard to create one');

      const readKey = await createKey(admin.token, { scope: 'read' });
      const target = await createKey(admin.token, { scope: 'read' });
      const refused = await t.request('DELETE', `/api/api-keys/${target.id}`, { token: readKey.key });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('scope read');
      expect((await t.request('DELETE', `/api/api-keys/${target.id}`, { token: adminKey.key })).status).toBe(204);
    });
  });

  describe('authentication', () => {
    it('a read key reads every route family and writes nothing (403 naming its scope)', async () => {
      const wf = await t.request('POST', '/api/workflows', { token: admin.token, body: workflow() });
      expect(wf.status).toBe(201);
      const { key } = await createKey(admin.token, { scope: 'read' });
      for (const url of ['/api/workflows', `/api/workflows/${wf.body.id}`, `/api/workflows/${wf.body.id}/versions`, '/api/logs', '/api/executions', '/api/stats', '/api/credentials', '/api/connectors', '/api/kong/templates', '/api/api-keys', '/api/auth/me']) {
        const res = await t.request('GET', url, { token: key });
        expect([url, res.status]).toEqual([url, 200]);
      }
      const writes: [string, string, unknown?][] = [
        ['POST', '/api/workflows', workflow()],
        ['PUT', `/api/workflows/${wf.body.id}`, workflow('renamed')],
        ['PUT', `/api/workflows/${wf.body.id}/toggle`, { enabled: false }],
        ['DELETE', `/api/workflows/${wf.body.id}`],
        ['POST', `/api/workflows/${wf.body.id}/run`, {}],
        ['POST', '/api/credentials', { connector: 'slack', name: 'x', data: {} }],
        ['DELETE', `/api/credentials/${wf.body.id}`],
      ];
      for (const [method, url, body] of writes) {
        const res = await t.request(method, url, { token: key, body });
        expect([method, url, res.status]).toEqual([method, url, 403]);
        expect(res.body.message).toBe("This API key's scope (read) does not allow this; needs scope write or admin");
      }
      for (const url of ['/api/audit', '/api/users', '/api/invitations', '/api/consumers']) {
        const res = await t.request('GET', url, { token: key });
        expect([url, res.status]).toEqual([url, 403]);
        expect(res.body.message).toBe("This API key's scope (read) does not allow this; needs scope admin");
      }
      // The workflow is untouched.
      expect((await t.request('GET', `/api/workflows/${wf.body.id}`, { token: admin.token })).body).toMatchObject({ name: wf.body.name, enabled: true });
    });

    it('a write key writes (as its user, the audit naming the key) and is refused the admin routes', async () => {
      const { key, id: keyId } = await createKey(admin.token, { scope: 'write', name: 'k' });
      const wf = await t.request('POST', '/api/workflows', { token: key, body: workflow() });
      expect(wf.status).toBe(201);
      expect((await db.query(`SELECT created_by FROM workflows WHERE id = $1`, [wf.body.id])).rows[0].created_by).toBe(admin.user.id);
      expect((await t.request('PUT', `/api/workflows/${wf.body.id}`, { token: key, body: workflow('renamed') })).status).toBe(200);
      const run = await t.request('POST', `/api/workflows/${wf.body.id}/run`, { token: key, body: {} });
      expect(run.status).toBeLessThan(300);
      expect((await t.request('DELETE', `/api/workflows/${wf.body.id}`, { token: key })).status).toBe(204);
      for (const [method, url, body] of [
        ['GET', '/api/audit'],
        ['GET', '/api/users'],
        ['PATCH', `/api/users/${admin.user.id}`, { role: 'editor' }],
        ['POST', '/api/invitations', { email: email('x'), role: 'viewer' }],
        ['POST', '/api/consumers', { username: 'x', plan: 'free' }],
        ['POST', '/api/events', { topic: 'orders.created', data: {} }],
      ] as [string, string, unknown?][]) {
        const res = await t.request(method, url, { token: key, body });
        expect([method, url, res.status]).toEqual([method, url, 403]);
        expect(res.body.message).toBe("This API key's scope (write) does not allow this; needs scope admin");
      }
      const audit = await t.request('GET', '/api/audit?action=workflow.delete', { token: admin.token });
      expect(audit.body.items[0]).toMatchObject({ userId: admin.user.id, targetId: wf.body.id, details: { apiKey: { id: keyId, name: 'k', prefix: expect.stringMatching(/^trb_/) } } });
      // The same change through a session names no key.
      const bySession = await t.request('POST', '/api/workflows', { token: admin.token, body: workflow() });
      const created = await t.request('GET', '/api/audit?action=workflow.create', { token: admin.token });
      expect(created.body.items.find((a: { targetId: string }) => a.targetId === bySession.body.id).details.apiKey).toBeUndefined();
    });

    it('an admin key does what an admin does', async () => {
      const { key } = await createKey(admin.token, { scope: 'admin' });
      expect((await t.request('GET', '/api/audit', { token: key })).status).toBe(200);
      expect((await t.request('GET', '/api/users', { token: key })).status).toBe(200);
      expect((await t.request('POST', '/api/invitations', { token: key, body: { email: email('by-key'), role: 'viewer' } })).status).toBe(201);
      expect((await t.request('POST', '/api/events', { token: key, body: { topic: 'orders.created', data: {} } })).status).toBe(201);
      const me = await t.request('GET', '/api/auth/me', { token: key });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: admin.user.id, email: admin.user.email });
    });

    it('a service key acts for the workspace: no user, rows without creator, audit without user but naming the key', async () => {
      const svc = await createKey(admin.token, { kind: 'service', scope: 'write', name: 'deployer' });
      const wf = await t.request('POST', '/api/workflows', { token: svc.key, body: workflow() });
      expect(wf.status).toBe(201);
      expect((await db.query(`SELECT created_by FROM workflows WHERE id = $1`, [wf.body.id])).rows[0].created_by).toBeNull();
      const audit = await t.request('GET', '/api/audit?action=workflow.create', { token: admin.token });
      expect(audit.body.items.find((a: { targetId: string }) => a.targetId === wf.body.id)).toMatchObject({ userId: null, details: { apiKey: { id: svc.id, name: 'deployer' } } });
      const me = await t.request('GET', '/api/auth/me', { token: svc.key });
      expect(me.status).toBe(404);
      expect(me.body.message).toContain('service API key has no user');
      const current = await t.request('GET', '/api/api-keys/current', { token: svc.key });
      expect(current.body).toMatchObject({ id: svc.id, name: 'deployer', kind: 'service' });
      // With a session there is no current key.
      expect((await t.request('GET', '/api/api-keys/current', { token: admin.token })).status).toBe(404);
    });

    it('answers 401 for a revoked key (at once) and an expired key, with the reason; unknown and malformed keys too', async () => {
      const k = await createKey(admin.token, { scope: 'read' });
      expect((await t.request('GET', '/api/workflows', { token: k.key })).status).toBe(200);
      expect((await t.request('DELETE', `/api/api-keys/${k.id}`, { token: admin.token })).status).toBe(204);
      const revoked = await t.request('GET', '/api/workflows', { token: k.key });
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'API key revoked' });
      const audit = await t.request('GET', '/api/audit?action=api_key.revoke', { token: admin.token });
      expect(audit.body.items.find((a: { targetId: string }) => a.targetId === k.id)).toMatchObject({ userId: admin.user.id, details: { prefix: k.prefix } });

      // A key created to expire soon, then moved into the past before its first use.
      const soon = await createKey(admin.token, { scope: 'read', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(soon.status).toBe('active');
      const past = new Date(Date.now() - 1000);
      await db.query(`UPDATE api_keys SET expires_at = $2 WHERE id = $1`, [soon.id, past]);
      const expired = await t.request('GET', '/api/workflows', { token: soon.key });
      expect(expired.status).toBe(401);
      expect(expired.body.message).toBe(`API key expired on ${past.toISOString()}`);
      const listed = (await t.request('GET', '/api/api-keys?limit=100', { token: admin.token })).body.items as { id: string; status: string }[];
      expect(listed.find((x) => x.id === soon.id)?.status).toBe('expired');

      const unknown = await t.request('GET', '/api/workflows', { token: `trb_${'A'.repeat(43)}` });
      expect([unknown.status, unknown.body.message]).toEqual([401, 'Invalid API key']);
      const malformed = await t.request('GET', '/api/workflows', { token: 'trb_short' });
      expect([malformed.status, malformed.body.message]).toEqual([401, 'Invalid API key']);
      // Either way nobody is counted or logged as that tenant: plain 401 without rate-limit headers.
      expect(malformed.headers['x-ratelimit-limit']).toBeUndefined();
    });

    it("keeps a key to its tenant: another workspace's resources are 404", async () => {
      const other = await t.register();
      const theirs = await t.request('POST', '/api/workflows', { token: other.token, body: workflow('theirs') });
      expect(theirs.status).toBe(201);
      const { key } = await createKey(admin.token, { scope: 'admin' });
      expect((await t.request('GET', `/api/workflows/${theirs.body.id}`, { token: key })).status).toBe(404);
      expect((await t.request('PUT', `/api/workflows/${theirs.body.id}`, { token: key, body: workflow('mine now') })).status).toBe(404);
      expect((await t.request('DELETE', `/api/workflows/${theirs.body.id}`, { token: key })).status).toBe(404);
      const list = await t.request('GET', '/api/workflows?limit=100', { token: key });
      expect((list.body.items as { id: string }[]).map((w) => w.id)).not.toContain(theirs.body.id);
      // Nor can a key of theirs be revoked from here.
      const theirKey = await createKey(other.token, { scope: 'read' });
      expect((await t.request('DELETE', `/api/api-keys/${theirKey.id}`, { token: key })).status).toBe(404);
      expect((await t.request('GET', '/api/workflows', { token: theirKey.key })).status).toBe(200);
    });

    it("caps a personal key by its user's current role, and stops it when the user is removed", async () => {
      const editor = await join(admin.token, 'editor');
      const { key } = await createKey(editor.token, { scope: 'write' });
      expect((await t.request('POST', '/api/workflows', { token: key, body: workflow() })).status).toBe(201);

      expect((await t.request('PATCH', `/api/users/${editor.user.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(200);
      const refused = await t.request('POST', '/api/workflows', { token: key, body: workflow() });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe("This API key has scope write, but its user's role is now viewer, which does not allow this; needs admin or editor");
      expect((await t.request('GET', '/api/workflows', { token: key })).status).toBe(200);

      expect((await t.request('PATCH', `/api/users/${editor.user.id}`, { token: admin.token, body: { role: 'admin' } })).status).toBe(200);
      // Promoted to admin: the key is still a write key.
      expect((await t.request('POST', '/api/workflows', { token: key, body: workflow() })).status).toBe(201);
      expect((await t.request('GET', '/api/audit', { token: key })).status).toBe(403);

      expect((await t.request('DELETE', `/api/users/${editor.user.id}`, { token: admin.token })).status).toBe(204);
      const gone = await t.request('GET', '/api/workflows', { token: key });
      expect(gone.status).toBe(401);
      // The removed user's keys go with them.
      expect((await db.query(`SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`, [editor.user.id])).rows[0].n).toBe(0);
    });

    it('records last_used_at at most once a minute, and one auth.api_key audit entry an hour', async () => {
      const k = await createKey(admin.token, { scope: 'read' });
      for (let i = 0; i < 5; i++) expect((await t.request('GET', '/api/workflows', { token: k.key })).status).toBe(200);
      const first = await waitFor<Date>('last_used_at', async () => ((await db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [k.id])).rows[0].last_used_at as Date | null) ?? undefined);
      const listed = (await t.request('GET', '/api/api-keys?limit=100', { token: admin.token })).body.items as { id: string; lastUsedAt: string | null }[];
      expect(listed.find((x) => x.id === k.id)?.lastUsedAt).toBe(first.toISOString());
      const entries = async () => ((await t.request('GET', '/api/audit?action=auth.api_key&limit=100', { token: admin.token })).body.items as { targetId: string }[]).filter((a) => a.targetId === k.id);
      await waitFor('auth.api_key audit entry', async () => (await entries()).length === 1);

      // More requests within the minute write nothing.
      for (let i = 0; i < 5; i++) await t.request('GET', '/api/workflows', { token: k.key });
      await new Promise((r) => setTimeout(r, 300));
      expect((await db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [k.id])).rows[0].last_used_at).toEqual(first);
      expect(await entries()).toHaveLength(1);
      expect((await entries())[0]).toMatchObject({ action: 'auth.api_key', userId: admin.user.id, details: { prefix: k.prefix, scope: 'read', kind: 'personal' } });
    });

    it('authenticates a WebSocket with a key, closes it when the key is revoked, and refuses a revoked key', async () => {
      const k = await createKey(admin.token, { scope: 'read', name: 'tail' });
      const c = await WsClient.authed(t.baseUrl, k.key);
      clients.push(c);
      expect(c.messages[0]).toEqual({ event: 'auth_success', data: { userId: admin.user.id, tenantId: admin.user.tenantId, name: 'tail', apiKeyId: k.id } });

      expect((await t.request('DELETE', `/api/api-keys/${k.id}`, { token: admin.token })).status).toBe(204);
      expect(await c.closed).toEqual({ code: 4401, reason: 'API key revoked' });

      const again = await WsClient.open(t.baseUrl, { token: k.key });
      clients.push(again);
      expect((await again.closed).code).toBe(4401);
      expect(again.messages).toEqual([{ event: 'error', data: { message: 'API key revoked', code: 'unauthorized' } }]);

      const svc = await createKey(admin.token, { kind: 'service', scope: 'read', name: 'svc tail' });
      const s = await WsClient.authed(t.baseUrl, svc.key);
      clients.push(s);
      expect(s.messages[0].data).toEqual({ userId: null, tenantId: admin.user.tenantId, name: 'svc tail', apiKeyId: svc.id });
    });
  });

  describe('per-tenant API rate limit', () => {
    let limited: TestApp;
    afterAll(async () => {
      await limited?.close();
    });

    it('counts requests with keys against the key\'s tenant, together with its sessions', async () => {
      limited = await createTestApp({ API_RATE_LIMIT_PER_MINUTE: '5' });
      const owner = await limited.register();
      const res = await limited.request('POST', '/api/api-keys', { token: owner.token, body: { name: 'k', scope: 'read' } });
      expect(res.status).toBe(201);
      const key = res.body.key as string;
      expect((await limited.request('GET', '/api/workflows', { token: owner.token })).headers['x-ratelimit-remaining']).toBe('3');
      for (const remaining of ['2', '1', '0']) {
        const r = await limited.request('GET', '/api/workflows', { token: key });
        expect([r.status, r.headers['x-ratelimit-remaining']]).toEqual([200, remaining]);
      }
      const refused = await limited.request('GET', '/api/workflows', { token: key });
      expect(refused.status).toBe(429);
      expect(refused.body.message).toMatch(/^API rate limit of this workspace exceeded: 5 requests per minute/);
      // The session of the same tenant is refused too; another tenant is not.
      expect((await limited.request('GET', '/api/workflows', { token: owner.token })).status).toBe(429);
      const other = await limited.register();
      expect((await limited.request('GET', '/api/workflows', { token: other.token })).status).toBe(200);
    });
  });
});
