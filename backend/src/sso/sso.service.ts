/**
 * Single sign-on with OpenID Connect, one provider per workspace: its configuration (admins), the
 * sign-in (start: PKCE, state and nonce kept server-side; callback: the code exchange and the ID
 * token checked by openid-client, then the email's domain, just-in-time users, the platform's usual
 * JWT) and what password sign-in must know (SSO only). Registered with AuthService as its
 * SignInPolicy: auth/ never imports sso/.
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Configuration } from 'openid-client';
import * as oidc from 'openid-client';
import type { ssoConfigInputSchema, ssoConfigSchema, ssoSettingsSchema } from '@tributary/contracts';
import type { z } from 'zod';
import type { AuthUser } from '../access/auth.types.js';
import { AuditService } from '../audit/audit.service.js';
import { AuthService, type SignInPolicy } from '../auth/auth.service.js';
import type { SecretBox } from '../common/crypto.js';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.js';
import { SECRET_BOX } from '../common/secret-box.provider.js';
import { CONFIG, type Config } from '../config/config.js';
import { OidcClient, OidcDiscoveryError, OidcSignInError } from './oidc-client.js';
import { SsoRepository, ssoSecretAad, type SsoConfigRow, type SsoUser } from './sso.repository.js';

export const SSO_ONLY_MESSAGE = 'This workspace signs in with SSO';
/** How long a sign-in may take between the login page and the provider's callback. */
export const STATE_TTL_SECONDS = 600;
const DISCOVERY_CACHE_MS = 10 * 60_000;

type SsoInput = z.output<typeof ssoConfigInputSchema>;
/** What the admin routes answer (Dates as the contract accepts them on the server). */
type SettingsOut = z.input<typeof ssoSettingsSchema>;

/** Where the browser goes next: the provider, or the dashboard (signed in, or with an error). */
export interface SsoRedirect {
  location: string;
  ok: boolean;
  message?: string;
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

@Injectable()
export class SsoService implements OnModuleInit, SignInPolicy {
  private readonly logger = new Logger('Sso');
  private readonly discovered = new Map<string, { key: string; at: number; config: Promise<Configuration> }>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly repo: SsoRepository,
    private readonly client: OidcClient,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.auth.usePolicy(this);
  }

  /** The redirect URI to register at the provider. */
  callbackUrl(): string {
    return `${this.config.publicUrl}/api/auth/sso/callback`;
  }

  async settings(tenantId: string): Promise<SettingsOut> {
    const row = await this.repo.find(tenantId);
    return { config: row ? this.toPublic(row) : null, callbackUrl: this.callbackUrl() };
  }

  /**
   * Sets the workspace's provider after discovering it (a misconfigured issuer answers 400 naming
   * the field, and nothing is stored). Refuses domains another workspace's provider claims, and SSO
   * only when it would lock the admin making the change out.
   */
  async save(actor: AuthUser, input: SsoInput, ip?: string): Promise<SettingsOut> {
    const tenantId = actor.tenantId;
    const existing = await this.repo.find(tenantId);
    const issuer = input.issuer.replace(/\/+$/, '');
    const domains = [...new Set(input.allowedDomains)];
    const secret = input.clientSecret ?? (existing ? this.box.open(existing, ssoSecretAad(tenantId)) : undefined);
    if (!secret) throw new ValidationError('The client secret is required', [{ path: 'clientSecret', message: 'Required when SSO is set up for the first time' }]);
    // (A service API key has no email and no sign-in to lose.)
    if (input.ssoOnly && input.enabled && actor.email && !domains.includes(domainOf(actor.email))) {
      throw new ValidationError('SSO only would lock you out', [
        { path: 'ssoOnly', message: `Your own email's domain (${domainOf(actor.email)}) is not in the allowed domains: you could not sign in any more` },
      ]);
    }
    if (input.enabled) {
      const taken = await this.repo.domainsClaimedElsewhere(tenantId, domains);
      if (taken.length) throw new ConflictError(`${taken.join(', ')} ${taken.length > 1 ? 'sign' : 'signs'} in with another workspace's SSO already`);
    }
    try {
      await this.client.discover({ issuer, clientId: input.clientId, clientSecret: secret });
    } catch (err) {
      if (err instanceof OidcDiscoveryError) throw new ValidationError(`The issuer could not be used: ${err.message}`, [{ path: 'issuer', message: err.message }]);
      throw err;
    }
    const values = { issuer, clientId: input.clientId, allowedDomains: domains, defaultRole: input.defaultRole, ssoOnly: input.ssoOnly, enabled: input.enabled };
    const row = await this.repo.save(tenantId, values, input.clientSecret ? this.box.seal(input.clientSecret, ssoSecretAad(tenantId)) : null);
    if (!row) throw new Error('SSO configuration vanished while saving it');
    this.discovered.delete(tenantId);
    await this.audit.record({
      tenantId,
      userId: actor.userId,
      action: 'sso.update',
      targetType: 'sso',
      targetId: tenantId,
      details: { ...values, clientSecretChanged: Boolean(input.clientSecret), created: !existing },
      ip,
    });
    return { config: this.toPublic(row), callbackUrl: this.callbackUrl() };
  }

  async remove(actor: AuthUser, ip?: string): Promise<void> {
    if (!(await this.repo.remove(actor.tenantId))) throw new NotFoundError('SSO configuration');
    this.discovered.delete(actor.tenantId);
    await this.audit.record({ tenantId: actor.tenantId, userId: actor.userId, action: 'sso.delete', targetType: 'sso', targetId: actor.tenantId, ip });
  }

  // SignInPolicy

  async passwordRefusal(tenantId: string): Promise<string | null> {
    return (await this.repo.ssoOnly(tenantId)) ? SSO_ONLY_MESSAGE : null;
  }

  async ssoMode(email: string): Promise<'none' | 'available' | 'required'> {
    const row = await this.providerFor(email);
    return !row ? 'none' : row.ssoOnly ? 'required' : 'available';
  }

  /**
   * The provider an email signs in with: its account's workspace's (whatever other workspaces
   * claim), else the enabled provider that claims its domain.
   */
  private async providerFor(email: string): Promise<SsoConfigRow | undefined> {
    const user = await this.repo.findUserByEmail(email.toLowerCase());
    if (user) {
      const own = await this.repo.find(user.tenantId);
      return own?.enabled ? own : undefined;
    }
    return this.repo.findByDomain(domainOf(email));
  }

  // Sign-in

  /** `GET /auth/sso/start`: to the provider's authorisation URL, or back to the login page with why not. */
  async start(q: { email?: string; workspace?: string; returnTo?: string }): Promise<SsoRedirect> {
    const origin = this.dashboardOrigin(q.returnTo);
    let row: SsoConfigRow | undefined;
    if (q.workspace) {
      const found = await this.repo.find(q.workspace);
      row = found?.enabled ? found : undefined;
      if (!row) return this.refuse(origin, 'This workspace has no single sign-on set up');
    } else if (q.email) {
      row = await this.providerFor(q.email);
      if (!row) return this.refuse(origin, `No single sign-on is set up for ${domainOf(q.email)}; sign in with your password`);
    } else {
      return this.refuse(origin, 'Enter your email to sign in with SSO');
    }
    let discovered: Configuration;
    try {
      discovered = await this.discover(row);
    } catch (err) {
      this.logger.warn(`SSO discovery for tenant ${row.tenantId} failed: ${(err as Error).message}`);
      return this.refuse(origin, `Your workspace's identity provider cannot be reached: ${(err as Error).message}`);
    }
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), tenantId: row.tenantId, returnTo: origin };
    await this.repo.addState(pending, STATE_TTL_SECONDS);
    const location = await this.client.authorizationUrl(discovered, { redirectUri: this.callbackUrl(), ...pending, loginHint: q.email?.toLowerCase() });
    return { location, ok: true };
  }

  /**
   * `GET /auth/sso/callback`: the provider's redirect. The state is taken once (a replayed or
   * expired one is refused before anything else), the code exchanged with the PKCE verifier, the ID
   * token's nonce checked; then the verified email must be in an allowed domain, and belongs to a
   * user of this workspace or becomes one. Answers the dashboard's page that stores the session.
   */
  async callback(query: Record<string, string>, ip?: string): Promise<SsoRedirect> {
    const fallback = this.dashboardOrigin(undefined);
    if (!query.state) return this.refuse(fallback, 'The sign-in answer has no state; start again from the login page');
    const pending = await this.repo.takeState(query.state);
    if (pending === 'unknown') return this.refuse(fallback, 'This sign-in link was already used or is not known; start again from the login page');
    if (pending === 'expired') return this.refuse(fallback, `This sign-in took longer than ${STATE_TTL_SECONDS / 60} minutes; start again from the login page`);
    const origin = pending.returnTo;
    const tenantId = pending.tenantId;
    const fail = async (message: string, details: Record<string, unknown> = {}) => {
      await this.audit.record({ tenantId, userId: null, action: 'auth.sso_failed', details: { reason: message, ...details }, ip });
      return this.refuse(origin, message);
    };
    if (query.error) return fail(`Your identity provider refused the sign-in: ${query.error_description || query.error}`);
    const row = await this.repo.find(tenantId);
    if (!row?.enabled) return fail('Single sign-on is no longer set up for this workspace');
    let identity;
    try {
      const discovered = await this.discover(row);
      identity = await this.client.signIn(discovered, { callback: new URLSearchParams(query), redirectUri: this.callbackUrl(), ...pending });
    } catch (err) {
      if (err instanceof OidcSignInError || err instanceof OidcDiscoveryError) return fail(err.message);
      throw err;
    }
    const email = identity.email;
    if (!email) return fail('Your identity provider did not tell your email address (is the "email" scope allowed for this client?)', { subject: identity.subject });
    if (!identity.emailVerified) return fail(`Your identity provider has not verified ${email}; verify it there first`, { email, subject: identity.subject });
    if (!row.allowedDomains.includes(domainOf(email))) {
      return fail(`Email addresses at ${domainOf(email)} may not sign in to this workspace`, { email, subject: identity.subject });
    }
    // The account linked to this subject at this issuer by an earlier sign-in; else the account of the
    // verified email (or a new one), linked now. An email the provider has since given to another
    // subject does not sign in as an account linked to the first one.
    const subject = identity.subject;
    let user: SsoUser | undefined = await this.repo.findUserBySubject(row.issuer, subject);
    let created: { invitationId: string | null } | null = null;
    if (user && user.tenantId !== tenantId) return fail(`Your identity is linked to an account of another workspace`, { email, subject });
    const linked = Boolean(user);
    if (!user) user = await this.repo.findUserByEmail(email);
    if (user && user.tenantId !== tenantId) return fail(`The account ${email} belongs to another workspace`, { email, subject });
    if (user && !linked) {
      const other = await this.repo.subjectOf(user.id, row.issuer);
      if (other !== undefined) return fail(`The account ${email} is linked to another identity at your provider; ask an admin`, { email, subject, linkedSubject: other });
    }
    if (!user) {
      // No password: an unguessable one, so the account is the same kind as every other (SSO only or not).
      const passwordHash = await this.auth.hashPassword(randomBytes(32).toString('base64url'));
      const made = await this.repo.createUser(tenantId, { email, name: identity.name?.trim().slice(0, 200) ?? '', passwordHash, defaultRole: row.defaultRole });
      if (made) {
        user = made.user;
        created = { invitationId: made.invitationId };
      } else {
        user = await this.repo.findUserByEmail(email);
        if (!user || user.tenantId !== tenantId) return fail(`The account ${email} belongs to another workspace`, { email });
      }
    } else {
      await this.repo.recordLogin(user.id);
    }
    if (!linked && !(await this.repo.link(row.issuer, subject, tenantId, user.id))) {
      // A first sign-in of the same account or subject at the same moment linked it first.
      if ((await this.repo.findUserBySubject(row.issuer, subject))?.id !== user.id) return fail(`The account ${email} is linked to another identity at your provider; ask an admin`, { email, subject });
    }
    if (created) {
      await this.audit.record({
        tenantId,
        userId: user.id,
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        details: { via: 'sso', email, role: user.role, ...(created.invitationId ? { invitationId: created.invitationId } : {}) },
        ip,
      });
    }
    await this.audit.record({
      tenantId,
      userId: user.id,
      action: 'auth.sso',
      targetType: 'user',
      targetId: user.id,
      details: { issuer: row.issuer, subject, email, created: Boolean(created), firstLink: !linked },
      ip,
    });
    const session = await this.auth.sessionFor(user);
    // In the fragment: never sent to a server, kept out of logs and Referer headers.
    return { location: `${origin}/login/sso#token=${encodeURIComponent(session.token)}`, ok: true };
  }

  /** Discovery, kept a few minutes per workspace (the row's update time is part of the key). */
  private discover(row: SsoConfigRow): Promise<Configuration> {
    const key = `${row.issuer}|${row.clientId}|${new Date(row.updatedAt).getTime()}|${row.keyId}`;
    const hit = this.discovered.get(row.tenantId);
    if (hit && hit.key === key && Date.now() - hit.at < DISCOVERY_CACHE_MS) return hit.config;
    const config = this.client.discover({ issuer: row.issuer, clientId: row.clientId, clientSecret: this.box.open(row, ssoSecretAad(row.tenantId)) });
    this.discovered.set(row.tenantId, { key, at: Date.now(), config });
    config.catch(() => {
      if (this.discovered.get(row.tenantId)?.config === config) this.discovered.delete(row.tenantId);
    });
    return config;
  }

  /** Only the dashboard's own origins (CORS_ORIGINS): never an open redirect. */
  private dashboardOrigin(returnTo: string | undefined): string {
    const fallback = this.config.corsOrigins[0] ?? this.config.publicUrl;
    if (!returnTo) return fallback;
    try {
      const origin = new URL(returnTo).origin;
      return this.config.corsOrigins.includes(origin) ? origin : fallback;
    } catch {
      return fallback;
    }
  }

  private refuse(origin: string, message: string): SsoRedirect {
    return { location: `${origin}/login?sso_error=${encodeURIComponent(message)}`, ok: false, message };
  }

  private toPublic(row: SsoConfigRow): z.input<typeof ssoConfigSchema> {
    return {
      issuer: row.issuer,
      clientId: row.clientId,
      clientSecretSet: true,
      allowedDomains: row.allowedDomains,
      defaultRole: row.defaultRole,
      ssoOnly: row.ssoOnly,
      enabled: row.enabled,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
