/** Team management: members and roles, invitations, and tokens that follow the member's current state. */
import { createHash } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { waitFor } from '../helpers/wait.js';
import { WsClient } from '../helpers/ws-client.js';

interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
}

describe('team management', () => {
  let t: TestApp;
  let db: pg.Client;
  let n = 0;
  const email = (what: string) => `${what}-${++n}-${Date.now()}@example.com`;

  /** Invites `address` with `role` into the tenant of `adminToken` and accepts; answers the new member's session. */
  async function join(adminToken: string, role: 'admin' | 'editor' | 'viewer', address = email(role)) {
    const inv = await t.request('POST', '/api/invitations', { token: adminToken, body: { email: address, role } });
    expect(inv.status).toBe(201);
    const acc = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password123', name: `The ${role}` } });
    expect(acc.status).toBe(201);
    return acc.body as { token: string; user: { id: string; email: string; role: string; tenantId: string } };
  }

  async function auditActions(token: string): Promise<{ action: string; userId: string | null; targetId: string | null; details: Record<string, unknown> }[]> {
    return (await t.request('GET', '/api/audit?limit=100', { token })).body.items;
  }

  beforeAll(async () => {
    // Many registrations and acceptances from one address: the per-address limits are tested below.
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  describe('invitations', () => {
    it('creates an invitation whose token is shown once and stored only as its SHA-256', async () => {
      const admin = await t.register();
      const address = email('Invitee').toUpperCase();
      const before = Date.now();
      const res = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: address, role: 'editor' } });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'role', 'token']);
      expect(res.body).toMatchObject({ email: address.toLowerCase(), role: 'editor', invitedBy: admin.user.id });
      expect(res.body.token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
      const ttl = Date.parse(res.body.expiresAt) - before;
      expect(ttl).toBeGreaterThan(7 * 86_400_000 - 60_000);
      expect(ttl).toBeLessThan(7 * 86_400_000 + 60_000);

      const { rows } = await db.query(`SELECT * FROM invitations WHERE id = $1`, [res.body.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).toEqual(createHash('sha256').update(res.body.token).digest());
      expect(JSON.stringify(rows[0])).not.toContain(res.body.token);

      const list = await t.request('GET', '/api/invitations', { token: admin.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        { id: res.body.id, email: address.toLowerCase(), role: 'editor', invitedBy: admin.user.id, expiresAt: res.body.expiresAt, createdAt: res.body.createdAt },
      ]);
      expect(list.body.nextCursor).toBeNull();
      expect(list.text).not.toContain(res.body.token);
    });

    it('accepting creates the user in the inviting tenant with the invited role and answers { token, user } like register', async () => {
      const admin = await t.register();
      const address = email('joiner');
      const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: address, role: 'viewer' } });
      const acc = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password123', name: 'Joiner' } });
      expect(acc.status).toBe(201);
      expect(acc.body.token).toMatch(/^ey/);
      expect(acc.body.user).toMatchObject({ email: address, name: 'Joiner', role: 'viewer', tenantId: admin.user.tenantId });

      const me = await t.request('GET', '/api/auth/me', { token: acc.body.token });
      expect(me.body.user).toMatchObject({ id: acc.body.user.id, role: 'viewer', tenantId: admin.user.tenantId });
      // The viewer reads the inviting tenant's data and cannot write it.
      expect((await t.request('GET', '/api/workflows', { token: acc.body.token })).status).toBe(200);
      expect((await t.request('POST', '/api/workflows', { token: acc.body.token, body: { name: 'x', trigger: { type: 'manual' } } })).status).toBe(403);
      // They log in with the password they chose.
      const login = await t.request('POST', '/api/auth/login', { body: { email: address, password: 'password123' } });
      expect(login.status).toBe(200);
      expect(login.body.user.tenantId).toBe(admin.user.tenantId);
      // No longer pending; the token is used up.
      expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items).toEqual([]);
      const again = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'password456' } });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'This invitation has already been accepted; log in instead' });

      const audit = await auditActions(admin.token);
      expect(audit.find((a) => a.action === 'invitation.create')).toMatchObject({ userId: admin.user.id, targetId: inv.body.id, details: { email: address, role: 'viewer' } });
      expect(audit.find((a) => a.action === 'invitation.accept')).toMatchObject({ userId: acc.body.user.id, targetId: inv.body.id, details: { email: address, role: 'viewer', invitedBy: admin.user.id } });
    });

    it('answers a clear 4xx to unknown, revoked, replaced and expired tokens', async () => {
      const admin = await t.register();
      const accept = (token: string) => t.request('POST', '/api/auth/accept-invitation', { body: { token, password: 'password123' } });

      const unknown = await accept('inv_nope');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Invitation not found' });

      const revoked = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('revoked'), role: 'editor' } });
      expect((await t.request('DELETE', `/api/invitations/${revoked.body.id}`, { token: admin.token })).status).toBe(204);
      const r = await accept(revoked.body.token);
      expect(r.status).toBe(409);
      expect(r.body.message).toMatch(/revoked/);
      expect((await t.request('DELETE', `/api/invitations/${revoked.body.id}`, { token: admin.token })).status).toBe(404);

      // Inviting the same email again replaces the pending invitation: the first link stops working.
      const address = email('twice');
      const first = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: address, role: 'viewer' } });
      const second = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: address, role: 'editor' } });
      expect(second.status).toBe(201);
      expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items.map((i: { id: string }) => i.id)).toEqual([second.body.id]);
      expect((await accept(first.body.token)).status).toBe(409);
      expect((await accept(second.body.token)).body.user.role).toBe('editor');

      const expired = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('late'), role: 'editor' } });
      await db.query(`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1`, [expired.body.id]);
      const e = await accept(expired.body.token);
      expect(e.status).toBe(409);
      expect(e.body.message).toMatch(/^This invitation expired on \d{4}-\d\d-\d\dT.*; ask an admin of the workspace for a new one$/);
      expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items).toEqual([]);
    });

    it('refuses an email that already has an account (409), and bad input field by field (400)', async () => {
      const admin = await t.register();
      const other = await t.register();
      const own = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: admin.user.email, role: 'editor' } });
      expect(own.status).toBe(409);
      expect(own.body.message).toBe(`${admin.user.email} is already a member of this workspace`);
      const elsewhere = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: other.user.email.toUpperCase(), role: 'editor' } });
      expect(elsewhere.status).toBe(409);

      const bad = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: 'not-an-email', role: 'owner', extra: 1 } });
      expect(bad.status).toBe(400);
      expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['(body)', 'email', 'role']);

      const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('weak'), role: 'editor' } });
      const weak = await t.request('POST', '/api/auth/accept-invitation', { body: { token: inv.body.token, password: 'short' } });
      expect(weak.status).toBe(400);
      expect(weak.body.details).toEqual([{ path: 'password', message: 'At least 8 characters' }]);
      expect((await t.request('POST', '/api/auth/accept-invitation', { body: {} })).body.details.map((d: { path: string }) => d.path).sort()).toEqual(['password', 'token']);
      // The invitation survives a failed attempt.
      expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items).toHaveLength(1);

      // Someone registers the invited email before accepting: 409, and no second account.
      const raced = email('raced');
      const pending = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: raced, role: 'editor' } });
      await t.register(raced);
      const late = await t.request('POST', '/api/auth/accept-invitation', { body: { token: pending.body.token, password: 'password123' } });
      expect(late.status).toBe(409);
      expect(late.body.message).toBe('An account with this email already exists; log in instead');
    });

    it('is for admins, and one tenant never sees or revokes another tenant\'s invitations (404)', async () => {
      const admin = await t.register();
      const editor = await join(admin.token, 'editor');
      const viewer = await join(admin.token, 'viewer');
      for (const token of [editor.token, viewer.token]) {
        const denied = await t.request('POST', '/api/invitations', { token, body: { email: email('x'), role: 'viewer' } });
        expect(denied.status).toBe(403);
        expect(denied.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
        expect((await t.request('GET', '/api/invitations', { token })).status).toBe(403);
      }
      const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('mine'), role: 'viewer' } });
      const other = await t.register();
      expect((await t.request('GET', '/api/invitations', { token: other.token })).body.items).toEqual([]);
      expect((await t.request('DELETE', `/api/invitations/${inv.body.id}`, { token: other.token })).status).toBe(404);
      expect((await t.request('DELETE', '/api/invitations/not-a-uuid', { token: admin.token })).status).toBe(404);
      expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items).toHaveLength(1);
      expect((await t.request('GET', '/api/invitations')).status).toBe(401);
    });

    it('pages pending invitations with limit and cursor', async () => {
      const admin = await t.register();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await t.request('POST', '/api/invitations', { token: admin.token, body: { email: email('page'), role: 'viewer' } })).body.id);
      const p1 = await t.request('GET', '/api/invitations?limit=2', { token: admin.token });
      expect(p1.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
      const p2 = await t.request('GET', `/api/invitations?limit=2&cursor=${p1.body.nextCursor}`, { token: admin.token });
      expect(p2.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      expect((await t.request('GET', '/api/invitations?limit=101', { token: admin.token })).status).toBe(400);
    });
  });

  describe('members', () => {
    it('lists the tenant\'s users, newest first, paged, for admins only', async () => {
      const admin = await t.register();
      const editor = await join(admin.token, 'editor');
      const viewer = await join(admin.token, 'viewer');
      await t.register(); // another tenant: never listed

      const all = await t.request('GET', '/api/users', { token: admin.token });
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      const items = all.body.items as Member[];
      expect(items.map((u) => [u.id, u.role])).toEqual([
        [viewer.user.id, 'viewer'],
        [editor.user.id, 'editor'],
        [admin.user.id, 'admin'],
      ]);
      expect(items[2]).toMatchObject({ email: admin.user.email, name: 'Test User' });
      expect(Date.parse(items[2].createdAt)).toBeGreaterThan(0);
      expect(JSON.stringify(items)).not.toMatch(/password/i);

      const p1 = await t.request('GET', '/api/users?limit=2', { token: admin.token });
      expect(p1.body.items).toHaveLength(2);
      const p2 = await t.request('GET', `/api/users?limit=2&cursor=${p1.body.nextCursor}`, { token: admin.token });
      expect(p2.body).toEqual({ items: [expect.objectContaining({ id: admin.user.id })], nextCursor: null });
      const bad = await t.request('GET', '/api/users?cursor=garbage', { token: admin.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ path: 'cursor', message: 'Invalid cursor: pass the nextCursor of the previous page unchanged' }]);

      expect((await t.request('GET', '/api/users', { token: editor.token })).status).toBe(403);
      expect((await t.request('GET', '/api/users', { token: viewer.token })).status).toBe(403);
    });

    it('changes a role, effective on the member\'s next request with the token they already hold', async () => {
      const admin = await t.register();
      const member = await join(admin.token, 'viewer');
      const create = () => t.request('POST', '/api/workflows', { token: member.token, body: { name: 'by member', trigger: { type: 'manual' } } });
      expect((await create()).status).toBe(403);

      const res = await t.request('PATCH', `/api/users/${member.user.id}`, { token: admin.token, body: { role: 'editor' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: member.user.id, email: member.user.email, role: 'editor' });
      expect((await create()).status).toBe(201);
      expect((await t.request('GET', '/api/users', { token: member.token })).status).toBe(403);

      await t.request('PATCH', `/api/users/${member.user.id}`, { token: admin.token, body: { role: 'admin' } });
      expect((await t.request('GET', '/api/users', { token: member.token })).status).toBe(200);
      expect((await t.request('GET', '/api/auth/me', { token: member.token })).body.user.role).toBe('admin');

      const audit = (await auditActions(admin.token)).filter((a) => a.action === 'user.role_change');
      expect(audit.map((a) => a.details)).toEqual([
        { email: member.user.email, from: 'editor', to: 'admin' },
        { email: member.user.email, from: 'viewer', to: 'editor' },
      ]);
      expect(audit[0]).toMatchObject({ userId: admin.user.id, targetId: member.user.id });
    });

    it('never leaves a tenant without an admin (409), even when both admins are demoted at once', async () => {
      const admin = await t.register();
      const patch = (token: string, id: string, role: string) => t.request('PATCH', `/api/users/${id}`, { token, body: { role } });
      const alone = await patch(admin.token, admin.user.id, 'editor');
      expect(alone.status).toBe(409);
      expect(alone.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'A workspace needs at least one admin: make another member admin first' });
      expect((await t.request('DELETE', `/api/users/${admin.user.id}`, { token: admin.token })).status).toBe(409);
      // Setting the role a member already has changes nothing.
      expect((await patch(admin.token, admin.user.id, 'admin')).status).toBe(200);

      // An admin demoting themself and the only other admin at the same moment: one of the two wins.
      for (let round = 0; round < 5; round++) {
        const second = await join(admin.token, 'admin');
        const [self, other] = await Promise.all([patch(admin.token, admin.user.id, 'viewer'), patch(admin.token, second.user.id, 'viewer')]);
        const statuses = [self.status, other.status];
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        // The loser is refused by the rule (409) or, when the self-demotion finished first, by the caller's new role (403).
        expect([409, 403]).toContain(statuses.find((s) => s !== 200));
        const admins = (await db.query(`SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin'`, [admin.user.tenantId])).rows;
        expect(admins).toHaveLength(1);
        // Put the original admin back in charge for the next round.
        if (admins[0].id !== admin.user.id) expect((await patch(second.token, admin.user.id, 'admin')).status).toBe(200);
        expect((await t.request('DELETE', `/api/users/${second.user.id}`, { token: admin.token })).status).toBe(204);
      }
    });

    it('removes a member: their token stops working at once and their audit history keeps their id', async () => {
      const admin = await t.register();
      const member = await join(admin.token, 'editor');
      expect((await t.request('GET', '/api/workflows', { token: member.token })).status).toBe(200);

      const del = await t.request('DELETE', `/api/users/${member.user.id}`, { token: admin.token });
      expect(del.status).toBe(204);
      const after = await t.request('GET', '/api/workflows', { token: member.token });
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'This account no longer exists; ask an admin of your workspace' });
      expect((await t.request('POST', '/api/auth/login', { body: { email: member.user.email, password: 'password123' } })).status).toBe(401);
      expect((await t.request('GET', '/api/users', { token: admin.token })).body.items.map((u: Member) => u.id)).toEqual([admin.user.id]);
      expect((await t.request('DELETE', `/api/users/${member.user.id}`, { token: admin.token })).status).toBe(404);

      const audit = await auditActions(admin.token);
      expect(audit.find((a) => a.action === 'user.remove')).toMatchObject({ userId: admin.user.id, targetId: member.user.id, details: { email: member.user.email, role: 'editor' } });
      expect(audit.find((a) => a.action === 'invitation.accept')?.userId).toBe(member.user.id);

      // The email can be invited again.
      const back = await join(admin.token, 'viewer', member.user.email);
      expect(back.user.id).not.toBe(member.user.id);
    });

    it('closes a removed member\'s open WebSockets at once (4401), and only theirs', async () => {
      const admin = await t.register();
      const member = await join(admin.token, 'viewer');
      const theirs = await WsClient.authed(t.baseUrl, member.token);
      const mine = await WsClient.authed(t.baseUrl, admin.token);
      try {
        expect((await t.request('DELETE', `/api/users/${member.user.id}`, { token: admin.token })).status).toBe(204);
        const told = await theirs.next('error');
        expect(told.data).toMatchObject({ code: 'unauthorized', message: 'You were removed from this workspace' });
        expect(await theirs.closed).toEqual({ code: 4401, reason: 'Removed from the workspace' });
        // The admin's socket stays open and keeps receiving the workspace's events.
        const wf = await t.request('POST', '/api/workflows', { token: admin.token, body: { name: 'still here', trigger: { type: 'manual' } } });
        await mine.next('workflow.updated', (d) => d.workflowId === wf.body.id);
      } finally {
        theirs.close();
        mine.close();
      }
    });

    it('answers 404 for another tenant\'s user or a malformed id, 400 for a bad role', async () => {
      const admin = await t.register();
      const other = await t.register();
      const member = await join(other.token, 'editor');
      expect((await t.request('PATCH', `/api/users/${member.user.id}`, { token: admin.token, body: { role: 'viewer' } })).status).toBe(404);
      expect((await t.request('DELETE', `/api/users/${member.user.id}`, { token: admin.token })).status).toBe(404);
      expect((await t.request('GET', '/api/auth/me', { token: member.token })).status).toBe(200);
      expect((await t.request('PATCH', '/api/users/not-a-uuid', { token: admin.token, body: { role: 'viewer' } })).status).toBe(404);
      const bad = await t.request('PATCH', `/api/users/${admin.user.id}`, { token: admin.token, body: { role: 'owner', email: 'x@example.com' } });
      expect(bad.status).toBe(400);
      expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['(body)', 'role']);
      expect((await t.request('PATCH', `/api/users/${member.user.id}`, { token: member.token, body: { role: 'admin' } })).status).toBe(403);
    });

    it('another api process sees a removal within the identity cache bound (5 s)', async () => {
      const { createApp } = await import('../../src/app.js');
      const b: NestFastifyApplication = await createApp(t.config);
      await b.listen({ port: 0, host: '127.0.0.1' });
      try {
        const url = `http://127.0.0.1:${(b.getHttpServer().address() as { port: number }).port}/api/workflows`;
        const admin = await t.register();
        const member = await join(admin.token, 'editor');
        const onB = async () => (await fetch(url, { headers: { authorization: `Bearer ${member.token}` } })).status;
        expect(await onB()).toBe(200);
        expect((await t.request('DELETE', `/api/users/${member.user.id}`, { token: admin.token })).status).toBe(204);
        const removedAt = Date.now();
        await waitFor('the other api process to refuse the removed user', async () => (await onB()) === 401, 8000, 200);
        expect(Date.now() - removedAt).toBeLessThan(5000 + 1000);
      } finally {
        await b.close();
      }
    });
  });
});

describe('accept-invitation rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t?.close());

  it('limits attempts per address like register', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.request('POST', '/api/auth/accept-invitation', { body: { token: `inv_guess${i}`, password: 'password123' } })).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    const res = await t.request('POST', '/api/auth/accept-invitation', { body: { token: 'inv_guess', password: 'password123' } });
    expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});
