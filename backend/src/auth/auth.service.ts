import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import bcrypt from 'bcrypt';
import { AuditService } from '../audit/audit.service.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors.js';
import { CONFIG, type Config } from '../config/config.js';
import type { JwtPayload } from '../access/auth.types.js';
import { IdentitiesRepository, type Identity, type TenantRow } from './identities.repository.js';
import type { Session as AuthResult, User as PublicUser } from '@tributary/contracts';

export const DEV_USER_EMAIL = 'dev@tributary.local';
/**
 * `make dev`'s demo user (scripts/seed.mjs's DEMO_EMAIL): when it exists, dev mode signs in as it, so
 * "Skip login — dev mode" lands among the demo workflows and connections instead of an empty workspace.
 */
export const DEMO_USER_EMAIL = 'demo@tributary.local';
const BCRYPT_ROUNDS = 10;
// A real hash to compare against when the email is unknown, so timing does not reveal accounts.
const DUMMY_HASH = bcrypt.hashSync('tributary-timing-equaliser', BCRYPT_ROUNDS);

/** The signed-in user and a session, as answered: the contract's. */
export type { User as PublicUser, Session as AuthResult } from '@tributary/contracts';

type SessionUser = Identity;

/**
 * What single sign-on tells sign-in (sso/ is built on auth/, so it registers itself here instead of
 * auth/ importing it): whether a workspace refuses passwords, and how an email signs in.
 */
export interface SignInPolicy {
  /** Why password sign-in is refused for this workspace (SSO only), or null. */
  passwordRefusal(tenantId: string): Promise<string | null>;
  /** How this email signs in: a password (`none`), SSO or a password, SSO only. */
  ssoMode(email: string): Promise<'none' | 'available' | 'required'>;
}


@Injectable()
export class AuthService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly identities: IdentitiesRepository,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
  ) {}

  private policy?: SignInPolicy;

  /** sso/ registers its policy once at boot. */
  usePolicy(policy: SignInPolicy): void {
    this.policy = policy;
  }

  /** Throws 403 when the workspace signs in with SSO only (password login, invitations accepted with a password). */
  async assertPasswordAllowed(tenantId: string): Promise<void> {
    const refusal = await this.policy?.passwordRefusal(tenantId);
    if (refusal) throw new ForbiddenError(refusal);
  }

  /** How an email signs in (the login page asks before showing the password field). */
  ssoMode(email: string): Promise<'none' | 'available' | 'required'> {
    return this.policy ? this.policy.ssoMode(email.toLowerCase()) : Promise.resolve('none');
  }

  async register(input: { email: string; password: string; name?: string; organization?: string }, ip?: string): Promise<AuthResult> {
    const email = input.email.toLowerCase();
    const hash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
    const created = await this.identities.createTenantWithAdmin({
      tenantName: input.organization?.trim() || `${input.name?.trim() || email.split('@')[0]}'s workspace`,
      email,
      name: input.name?.trim() ?? '',
      passwordHash: hash,
    });
    if (!created) throw new ConflictError('An account with this email already exists');
    const { user, tenant } = created;
    await this.audit.record({ tenantId: tenant.id, userId: user.id, action: 'auth.register', targetType: 'user', targetId: user.id, ip });
    return this.issue(user, tenant);
  }

  async login(input: { email: string; password: string }, ip?: string): Promise<AuthResult> {
    const user = await this.identities.findByEmail(input.email.toLowerCase());
    const ok = await bcrypt.compare(input.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await this.audit.record({ tenantId: user?.tenantId ?? null, userId: user?.id ?? null, action: 'auth.login_failed', details: { email: input.email.toLowerCase() }, ip });
      throw new UnauthorizedError('Wrong email or password');
    }
    // After the password check, so an SSO-only workspace's accounts are not revealed to guessers.
    await this.assertPasswordAllowed(user.tenantId);
    await this.identities.recordLogin(user.id, new Date());
    await this.audit.record({ tenantId: user.tenantId, userId: user.id, action: 'auth.login', targetType: 'user', targetId: user.id, details: { method: 'password' }, ip });
    return this.issue(user, await this.identities.tenantOf(user));
  }

  /** What a new member's password is stored as (users/ creates members from invitations). */
  hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, BCRYPT_ROUNDS);
  }

  /** A session (`{ token, user }`, as register answers) for an existing user. */
  async sessionFor(user: SessionUser): Promise<AuthResult> {
    return this.issue(user, await this.identities.tenantOf(user));
  }

  /**
   * Dev mode only (the controller answers 404 otherwise): the demo user when the demo data was seeded
   * (`make dev`), else one shared dev user, created on first use (CI, tests: nothing seeded).
   */
  async devLogin(ip?: string): Promise<AuthResult> {
    let user: Identity | null = (await this.identities.findByEmail(DEMO_USER_EMAIL)) ?? (await this.identities.findByEmail(DEV_USER_EMAIL));
    if (!user) {
      try {
        await this.register({ email: DEV_USER_EMAIL, password: `dev-${Date.now()}-${Math.random()}`, name: 'Dev User', organization: 'Dev workspace' }, ip);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      user = await this.identities.findByEmail(DEV_USER_EMAIL);
      if (!user) throw new Error(`${DEV_USER_EMAIL} not found after registering it`);
    }
    await this.audit.record({ tenantId: user.tenantId, userId: user.id, action: 'auth.dev_login', targetType: 'user', targetId: user.id, details: { method: 'dev' }, ip });
    return this.issue(user, await this.identities.tenantOf(user));
  }

  async me(userId: string): Promise<PublicUser> {
    const user = await this.identities.findById(userId);
    if (!user) throw new NotFoundError('User');
    return this.toPublic(user, await this.identities.tenantOf(user));
  }

  private issue(user: SessionUser, tenant: TenantRow): AuthResult {
    const payload: JwtPayload = { sub: user.id, tid: user.tenantId, role: user.role, email: user.email };
    return { token: this.jwt.sign(payload), user: this.toPublic(user, tenant) };
  }

  private toPublic(user: SessionUser, tenant: TenantRow): PublicUser {
    return { id: user.id, email: user.email, name: user.name, role: user.role, tenantId: tenant.id, tenantName: tenant.name };
  }
}
