/**
 * Team management's services over an in-memory TeamRepository. UsersService: the "at least one
 * admin" rule, what a role change and a removal audit, announce and make auth forget, not-found for
 * a malformed id or another tenant's user. InvitationsService: one pending invitation per email,
 * accepted once, refused when used, revoked or expired, never for an existing account. The SQL (and
 * the locks that make these rules hold under races) is covered by test/api/users.e2e-spec.ts on a
 * real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../access/roles.js';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { IdentityCache } from '../auth/identity-cache.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import type { Positioned } from '../common/pagination.js';
import type { Sql } from '../database/sql.js';
import type { PlatformEvents } from '../live/platform-events.js';
import { hashSecretToken } from '../common/secret-token.js';
import { InvitationsService } from './invitations.service.js';
import type { InvitationRow, MemberRow, TeamRepository } from './team.repository.js';
import { UsersService } from './users.service.js';

/** TeamRepository over Maps; a transaction is the callback itself (one caller at a time here). */
class FakeTeamRepository implements Pick<TeamRepository, keyof TeamRepository> {
  readonly users = new Map<string, MemberRow>();
  readonly invitations = new Map<string, InvitationRow & { tokenHash: Buffer }>();
  private readonly sql = (() => Promise.resolve([])) as unknown as Sql;

  add(tenantId: string, role: Role): MemberRow {
    const u: MemberRow = { id: randomUUID(), tenantId, email: `${randomUUID()}@example.com`, name: '', role, lastLoginAt: null, createdAt: new Date() };
    this.users.set(u.id, u);
    return u;
  }

  transaction<T>(_tenantId: string | null, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return fn(this.sql);
  }

  async listMembers(tenantId: string, limit: number): Promise<(MemberRow & Positioned)[]> {
    return [...this.users.values()].filter((u) => u.tenantId === tenantId).slice(0, limit + 1).map((u) => ({ ...u, cursorT: String(u.createdAt.getTime() * 1000) }));
  }

  async findMember(tenantId: string, id: string): Promise<MemberRow | null> {
    const u = this.users.get(id);
    return u && u.tenantId === tenantId ? { ...u } : null;
  }

  async countAdmins(tenantId: string): Promise<number> {
    return [...this.users.values()].filter((u) => u.tenantId === tenantId && u.role === 'admin').length;
  }

  async setRole(tenantId: string, id: string, role: Role): Promise<MemberRow | null> {
    const u = this.users.get(id);
    if (!u || u.tenantId !== tenantId) return null;
    u.role = role;
    return { ...u };
  }

  async deleteMember(tenantId: string, id: string): Promise<boolean> {
    const u = this.users.get(id);
    return Boolean(u && u.tenantId === tenantId && this.users.delete(id));
  }

  async findUserByEmail(email: string): Promise<MemberRow | null> {
    return [...this.users.values()].find((u) => u.email === email) ?? null;
  }

  async insertMember(row: { tenantId: string; email: string; name: string; passwordHash: string; role: Role }): Promise<MemberRow> {
    if (await this.findUserByEmail(row.email)) throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), { code: '23505' });
    const u: MemberRow = { id: randomUUID(), tenantId: row.tenantId, email: row.email, name: row.name, role: row.role, lastLoginAt: null, createdAt: new Date() };
    this.users.set(u.id, u);
    return { ...u };
  }

  async insertInvitation(row: { id: string; tenantId: string; email: string; role: Role; tokenHash: Buffer; invitedBy: string; expiresAt: Date }): Promise<InvitationRow> {
    const i = { id: row.id, tenantId: row.tenantId, email: row.email, role: row.role, invitedBy: row.invitedBy, expiresAt: row.expiresAt, acceptedAt: null, revokedAt: null, createdAt: new Date(), tokenHash: row.tokenHash };
    this.invitations.set(i.id, i);
    return { ...i };
  }

  async listPendingInvitations(tenantId: string, limit: number): Promise<(InvitationRow & Positioned)[]> {
    return [...this.invitations.values()]
      .filter((i) => i.tenantId === tenantId && !i.acceptedAt && !i.revokedAt && i.expiresAt.getTime() > Date.now())
      .slice(0, limit + 1)
      .map((i) => ({ ...i, cursorT: String(i.createdAt.getTime() * 1000) }));
  }

  async findInvitation(tenantId: string, id: string): Promise<InvitationRow | null> {
    const i = this.invitations.get(id);
    return i && i.tenantId === tenantId ? { ...i } : null;
  }

  async findInvitationByTokenHash(tokenHash: Buffer): Promise<InvitationRow | null> {
    return [...this.invitations.values()].find((i) => i.tokenHash.equals(tokenHash)) ?? null;
  }

  async revokePendingFor(tenantId: string, email: string): Promise<string | null> {
    const i = [...this.invitations.values()].find((x) => x.tenantId === tenantId && x.email === email && !x.acceptedAt && !x.revokedAt);
    if (!i) return null;
    i.revokedAt = new Date();
    return i.id;
  }

  async revokeInvitation(tenantId: string, id: string): Promise<void> {
    const i = this.invitations.get(id);
    if (i && i.tenantId === tenantId) i.revokedAt = new Date();
  }

  async markAccepted(id: string): Promise<void> {
    this.invitations.get(id)!.acceptedAt = new Date();
  }
}

const TENANT = randomUUID();
const OTHER = randomUUID();

describe('UsersService (in-memory repository)', () => {
  let repo: FakeTeamRepository;
  let audited: AuditEntry[];
  let published: { tenantId: string; event: string; data: unknown }[];
  let forgotten: string[];
  let service: UsersService;

  beforeEach(() => {
    repo = new FakeTeamRepository();
    audited = [];
    published = [];
    forgotten = [];
    const audit = { record: async (e: AuditEntry) => void audited.push(e) } as unknown as AuditService;
    const events = { publish: (tenantId: string, event: string, data: unknown) => void published.push({ tenantId, event, data }) } as unknown as PlatformEvents;
    const identities = { forget: (id: string) => void forgotten.push(id) } as unknown as IdentityCache;
    service = new UsersService(repo as unknown as TeamRepository, audit, events, identities);
  });

  it('changes a role: audited with from/to, and auth forgets the user at once', async () => {
    const admin = repo.add(TENANT, 'admin');
    const member = repo.add(TENANT, 'viewer');
    const view = await service.changeRole(TENANT, admin.id, member.id, 'editor');
    expect(view).toMatchObject({ id: member.id, role: 'editor' });
    expect(forgotten).toEqual([member.id]);
    expect(audited).toEqual([expect.objectContaining({ tenantId: TENANT, userId: admin.id, action: 'user.role_change', targetId: member.id, details: { email: member.email, from: 'viewer', to: 'editor' } })]);
  });

  it('the same role again changes nothing: no audit, nothing forgotten', async () => {
    const admin = repo.add(TENANT, 'admin');
    const member = repo.add(TENANT, 'editor');
    await service.changeRole(TENANT, admin.id, member.id, 'editor');
    expect(audited).toEqual([]);
    expect(forgotten).toEqual([]);
  });

  it('refuses to demote or remove the last admin (409), and allows it once another admin exists', async () => {
    const admin = repo.add(TENANT, 'admin');
    await expect(service.changeRole(TENANT, admin.id, admin.id, 'viewer')).rejects.toThrow(ConflictError);
    await expect(service.remove(TENANT, admin.id, admin.id)).rejects.toThrow(ConflictError);
    expect(repo.users.get(admin.id)!.role).toBe('admin');
    const second = repo.add(TENANT, 'admin');
    await service.changeRole(TENANT, second.id, admin.id, 'viewer');
    expect(repo.users.get(admin.id)!.role).toBe('viewer');
  });

  it('removes a member: gone, forgotten, their sockets told to close (user.removed), audited', async () => {
    const admin = repo.add(TENANT, 'admin');
    const member = repo.add(TENANT, 'editor');
    await service.remove(TENANT, admin.id, member.id);
    expect(repo.users.has(member.id)).toBe(false);
    expect(forgotten).toEqual([member.id]);
    expect(published).toEqual([{ tenantId: TENANT, event: 'user.removed', data: { userId: member.id } }]);
    expect(audited).toEqual([expect.objectContaining({ action: 'user.remove', targetId: member.id, details: { email: member.email, role: 'editor' } })]);
  });

  it("answers 404 for a malformed id and for another tenant's user, touching nothing", async () => {
    const admin = repo.add(TENANT, 'admin');
    const stranger = repo.add(OTHER, 'viewer');
    await expect(service.changeRole(TENANT, admin.id, 'not-a-uuid', 'editor')).rejects.toThrow(NotFoundError);
    await expect(service.changeRole(TENANT, admin.id, stranger.id, 'editor')).rejects.toThrow(NotFoundError);
    await expect(service.remove(TENANT, admin.id, stranger.id)).rejects.toThrow(NotFoundError);
    expect(repo.users.get(stranger.id)!.role).toBe('viewer');
    expect(audited).toEqual([]);
    expect(published).toEqual([]);
  });

  it("lists the tenant's members only", async () => {
    const a = repo.add(TENANT, 'admin');
    const b = repo.add(TENANT, 'viewer');
    repo.add(OTHER, 'admin');
    const page = await service.list(TENANT, { limit: 10 });
    expect(page.items.map((m) => m.id).sort()).toEqual([a.id, b.id].sort());
    expect(page.nextCursor).toBeNull();
  });
});

describe('InvitationsService (in-memory repository)', () => {
  let repo: FakeTeamRepository;
  let audited: AuditEntry[];
  let service: InvitationsService;
  const account = { passwordHash: 'hash', name: ' Ada ' };

  beforeEach(() => {
    repo = new FakeTeamRepository();
    audited = [];
    service = new InvitationsService(repo as unknown as TeamRepository, { record: async (e: AuditEntry) => void audited.push(e) } as unknown as AuditService);
  });

  it('invites once per email: a second invitation replaces the first, whose token stops working', async () => {
    const admin = repo.add(TENANT, 'admin');
    const first = await service.create(TENANT, admin.id, { email: 'New@Example.com', role: 'editor' });
    expect(first).toMatchObject({ email: 'new@example.com', role: 'editor', token: expect.stringMatching(/^inv_/) });
    const second = await service.create(TENANT, admin.id, { email: 'new@example.com', role: 'viewer' });
    expect((await service.listPending(TENANT, { limit: 10 })).items.map((i) => i.id)).toEqual([second.id]);
    await expect(service.accept(first.token, account)).rejects.toThrow('This invitation was revoked or replaced by a newer one');
    const user = await service.accept(second.token, account);
    expect(user).toMatchObject({ tenantId: TENANT, email: 'new@example.com', name: 'Ada', role: 'viewer' });
    expect(audited.map((a) => a.action)).toEqual(['invitation.create', 'invitation.create', 'invitation.accept']);
    expect(audited[1].details).toEqual({ email: 'new@example.com', role: 'viewer', replaced: first.id });
  });

  it('is accepted once; an unknown token is 404, an expired one 409', async () => {
    const admin = repo.add(TENANT, 'admin');
    const inv = await service.create(TENANT, admin.id, { email: 'once@example.com', role: 'editor' });
    await service.accept(inv.token, account);
    await expect(service.accept(inv.token, account)).rejects.toThrow(ConflictError);
    await expect(service.accept('inv_unknown', account)).rejects.toThrow(NotFoundError);
    const old = await service.create(TENANT, admin.id, { email: 'late@example.com', role: 'editor' });
    [...repo.invitations.values()].find((i) => i.id === old.id)!.expiresAt = new Date(Date.now() - 1000);
    await expect(service.accept(old.token, account)).rejects.toThrow(/^This invitation expired on /);
    expect([...repo.invitations.values()].find((i) => i.tokenHash.equals(hashSecretToken(old.token)))).toBeDefined();
  });

  it('refuses to invite an existing account (409) and answers 409 when the email registered since the invitation', async () => {
    const admin = repo.add(TENANT, 'admin');
    await expect(service.create(TENANT, admin.id, { email: admin.email, role: 'viewer' })).rejects.toThrow(`${admin.email} is already a member of this workspace`);
    const elsewhere = repo.add(OTHER, 'admin');
    await expect(service.create(TENANT, admin.id, { email: elsewhere.email, role: 'viewer' })).rejects.toThrow(`An account with the email ${elsewhere.email} already exists`);
    const inv = await service.create(TENANT, admin.id, { email: 'racer@example.com', role: 'viewer' });
    await repo.insertMember({ tenantId: OTHER, email: 'racer@example.com', name: '', passwordHash: 'x', role: 'admin' });
    await expect(service.accept(inv.token, account)).rejects.toThrow('An account with this email already exists; log in instead');
  });

  it("revokes a pending invitation (audited); an accepted one is 409, another tenant's 404", async () => {
    const admin = repo.add(TENANT, 'admin');
    const pending = await service.create(TENANT, admin.id, { email: 'p@example.com', role: 'viewer' });
    await service.revoke(TENANT, admin.id, pending.id);
    expect((await service.listPending(TENANT, { limit: 10 })).items).toEqual([]);
    await expect(service.revoke(TENANT, admin.id, pending.id)).rejects.toThrow(NotFoundError);
    const accepted = await service.create(TENANT, admin.id, { email: 'a@example.com', role: 'viewer' });
    await service.accept(accepted.token, account);
    await expect(service.revoke(TENANT, admin.id, accepted.id)).rejects.toThrow(ConflictError);
    await expect(service.revoke(OTHER, admin.id, accepted.id)).rejects.toThrow(NotFoundError);
    expect(audited.filter((a) => a.action === 'invitation.revoke').map((a) => a.targetId)).toEqual([pending.id]);
  });
});
