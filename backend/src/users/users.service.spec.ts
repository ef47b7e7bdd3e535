/**
 * UsersService's own logic over an in-memory TeamRepository: the "at least one admin" rule, what a
 * role change and a removal audit, announce and make auth forget, and not-found for a malformed id
 * or another tenant's user. The SQL (and the tenant-row lock that makes the rule hold under races)
 * is covered by test/api/users.e2e-spec.ts on a real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import type { Role } from '../access/roles.js';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import type { IdentityCache } from '../auth/identity-cache.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import type { Positioned } from '../common/pagination.js';
import type { Sql } from '../database/sql.js';
import type { PlatformEvents } from '../live/platform-events.js';
import type { MemberRow, TeamRepository } from './team.repository.js';
import { UsersService } from './users.service.js';

type MemberMethods = 'transaction' | 'listMembers' | 'findMember' | 'countAdmins' | 'setRole' | 'deleteMember';

/** The member side of TeamRepository over a Map; a transaction is the callback itself (one caller at a time here). */
class FakeTeamRepository implements Pick<TeamRepository, MemberMethods> {
  readonly users = new Map<string, MemberRow>();
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
