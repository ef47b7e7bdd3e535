/**
 * AuthService's own logic over an in-memory IdentitiesRepository (bcrypt and JWT for real): sign-up
 * makes a tenant with its first admin and refuses a taken email; sign-in checks the password,
 * audits both outcomes and records the login; the dev login is created once; a session's token
 * carries who and which tenant. The SQL is covered by test/api/auth.e2e-spec.ts on PostgreSQL.
 */
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { JwtPayload } from '../access/auth.types.js';
import type { AuditEntry, AuditService } from '../audit/audit.service.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../common/errors.js';
import type { Config } from '../config/config.js';
import { AuthService, DEMO_USER_EMAIL, DEV_USER_EMAIL } from './auth.service.js';
import type { IdentitiesRepository, Identity, IdentityWithPassword, TenantRow } from './identities.repository.js';

class FakeIdentitiesRepository implements Pick<IdentitiesRepository, keyof IdentitiesRepository> {
  readonly users = new Map<string, IdentityWithPassword & { lastLoginAt?: Date }>();
  readonly tenants = new Map<string, TenantRow>();

  async findByEmail(email: string): Promise<IdentityWithPassword | null> {
    return [...this.users.values()].find((u) => u.email === email) ?? null;
  }

  async findById(id: string): Promise<Identity | null> {
    return this.users.get(id) ?? null;
  }

  async tenantOf(user: Pick<Identity, 'tenantId'>): Promise<TenantRow> {
    const t = this.tenants.get(user.tenantId);
    if (!t) throw new Error(`Tenant ${user.tenantId} not found`);
    return t;
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    this.users.get(id)!.lastLoginAt = at;
  }

  async createTenantWithAdmin(a: { tenantName: string; email: string; name: string; passwordHash: string }): Promise<{ user: Identity; tenant: TenantRow } | null> {
    if (await this.findByEmail(a.email)) return null;
    const tenant = { id: randomUUID(), name: a.tenantName };
    this.tenants.set(tenant.id, tenant);
    const user = { id: randomUUID(), tenantId: tenant.id, email: a.email, name: a.name, role: 'admin' as const, passwordHash: a.passwordHash };
    this.users.set(user.id, user);
    return { user, tenant };
  }
}

describe('AuthService (in-memory repository)', () => {
  const jwt = new JwtService({ secret: 'unit-test-secret-unit-test-secret', signOptions: { algorithm: 'HS256', expiresIn: 3600 } });
  let repo: FakeIdentitiesRepository;
  let audited: AuditEntry[];
  let service: AuthService;

  beforeEach(() => {
    repo = new FakeIdentitiesRepository();
    audited = [];
    service = new AuthService({} as Config, repo as unknown as IdentitiesRepository, jwt, { record: async (e: AuditEntry) => void audited.push(e) } as unknown as AuditService);
  });

  it('registers a tenant and its first admin (email lower-cased, a workspace name by default) and answers a session', async () => {
    const s = await service.register({ email: 'Ada@Example.com', password: 'correct horse', name: 'Ada' }, '10.0.0.1');
    expect(s.user).toMatchObject({ email: 'ada@example.com', name: 'Ada', role: 'admin', tenantName: "Ada's workspace" });
    const claims = jwt.verify<JwtPayload>(s.token);
    expect(claims).toMatchObject({ sub: s.user.id, tid: s.user.tenantId, role: 'admin', email: 'ada@example.com' });
    expect(repo.users.get(s.user.id)!.passwordHash).not.toContain('correct horse');
    expect(audited).toEqual([expect.objectContaining({ action: 'auth.register', userId: s.user.id, ip: '10.0.0.1' })]);
    await expect(service.register({ email: 'ada@example.com', password: 'another one' })).rejects.toThrow(ConflictError);
  });

  it('signs in with the right password only, auditing both and recording the login', async () => {
    const { user } = await service.register({ email: 'bo@example.com', password: 'right password', organization: 'Acme' });
    await expect(service.login({ email: 'bo@example.com', password: 'wrong password' })).rejects.toThrow(UnauthorizedError);
    await expect(service.login({ email: 'nobody@example.com', password: 'whatever' })).rejects.toThrow('Wrong email or password');
    const s = await service.login({ email: 'BO@example.com', password: 'right password' });
    expect(s.user).toMatchObject({ id: user.id, tenantName: 'Acme' });
    expect(repo.users.get(user.id)!.lastLoginAt).toBeInstanceOf(Date);
    expect(audited.map((a) => [a.action, a.userId])).toEqual([
      ['auth.register', user.id],
      ['auth.login_failed', user.id],
      ['auth.login_failed', null],
      ['auth.login', user.id],
    ]);
  });

  it('creates the dev user once and signs it in every time', async () => {
    const a = await service.devLogin();
    const b = await service.devLogin();
    expect(a.user.email).toBe(DEV_USER_EMAIL);
    expect(b.user.id).toBe(a.user.id);
    expect([...repo.users.values()].filter((u) => u.email === DEV_USER_EMAIL)).toHaveLength(1);
  });

  it("signs in as make dev's demo user once it exists, creating no dev user", async () => {
    const { user: demo } = await service.register({ email: DEMO_USER_EMAIL, password: 'password123', organization: 'Demo workspace' });
    const s = await service.devLogin();
    expect(s.user).toMatchObject({ id: demo.id, email: DEMO_USER_EMAIL, tenantName: 'Demo workspace' });
    expect([...repo.users.values()].filter((u) => u.email === DEV_USER_EMAIL)).toHaveLength(0);
    expect(audited.at(-1)).toMatchObject({ action: 'auth.dev_login', userId: demo.id });
  });

  it('answers me for an existing user and 404 for a removed one', async () => {
    const { user } = await service.register({ email: 'me@example.com', password: 'password 1' });
    expect(await service.me(user.id)).toEqual(user);
    repo.users.delete(user.id);
    await expect(service.me(user.id)).rejects.toThrow(NotFoundError);
  });
});
