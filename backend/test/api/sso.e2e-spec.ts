/**
 * Single sign-on with OpenID Connect against a real provider (oidc-provider on loopback, its login
 * form driven with fetch and a cookie jar): configuration and discovery, PKCE/state/nonce sign-in,
 * just-in-time users, domains, verified emails, replayed and expired callbacks, SSO only, tenant
 * isolation, the sealed client secret.
 */
import pg from 'pg';
import { ssoSettingsSchema } from '@tributary/contracts';
import { startOidcIdp, type OidcIdp } from '../../../scripts/oidc-idp/server.js';
import { SecretBox } from '../../src/common/crypto.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const CLIENT_ID = 'tributary';
const CLIENT_SECRET = 'idp-client-secret-0123456789';
const DASHBOARD = 'http://localhost:3000';

describe('SSO with OpenID Connect', () => {
  let t: TestApp;
  let idp: OidcIdp;
  let db: pg.Client;
  let admin: { token: string; user: { id: string; tenantId: string; email: string } };
  let other: { token: string; user: { id: string; tenantId: string; email: string } };

  const ssoBody = (over: Record<string, unknown> = {}) => ({
    issuer: idp.issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowedDomains: ['acme.test'],
    defaultRole: 'viewer',
    ...over,
  });

  /** `GET /auth/sso/start` → the provider's authorisation URL (or wherever the api sent the browser). */
  async function start(query: string): Promise<URL> {
    const res = await fetch(`${t.baseUrl}/api/auth/sso/start?${query}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  /** The provider's redirect, sent to the test app (which listens on its own port, not PUBLIC_URL's). */
  async function callback(callbackUrl: string): Promise<URL> {
    const u = new URL(callbackUrl);
    const res = await fetch(`${t.baseUrl}${u.pathname}${u.search}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  /** A whole sign-in as `login` at the provider: answers where the browser lands and the callback URL used. */
  async function signIn(login: string, query = `email=${encodeURIComponent(idp.accounts[login]?.email ?? `${login}@acme.test`)}`) {
    const authorization = await start(query);
    expect(authorization.origin).toBe(idp.issuer);
    const callbackUrl = await idp.signIn(authorization.href, login);
    return { landing: await callback(callbackUrl), callbackUrl, authorization };
  }

  const tokenOf = (landing: URL) => new URLSearchParams(landing.hash.slice(1)).get('token');
  const errorOf = (landing: URL) => landing.searchParams.get('sso_error');
  const userCount = async (email: string) => Number((await db.query(`SELECT count(*) FROM users WHERE email = $1`, [email])).rows[0].count);

  beforeAll(async () => {
    t = await createTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000', CORS_ORIGINS: `${DASHBOARD},http://127.0.0.1:3000` });
    idp = await startOidcIdp({
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${t.config.publicUrl}/api/auth/sso/callback`] }],
      accounts: {
        admin: { email: 'admin@acme.test', email_verified: true, name: 'Ada Admin' },
        alice: { email: 'alice@acme.test', email_verified: true, name: 'Alice Example' },
        eve: { email: 'eve@evil.test', email_verified: true },
        carol: { email: 'carol@acme.test', email_verified: false },
        mallory: { email: 'mallory@acme.test', email_verified: true },
        invited: { email: 'invited@acme.test', email_verified: true },
      },
    });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
    admin = await t.register('admin@acme.test');
    other = await t.register('owner@other.test');
  });
  afterAll(async () => {
    await db?.end();
    await idp?.close();
    await t?.close();
  });

  it('answers no configuration and the callback URL to register before SSO is set up', async () => {
    const res = await t.request('GET', '/api/sso', { token: admin.token });
    expect(res.status).toBe(200);
    expect(ssoSettingsSchema.parse(res.body)).toEqual({ config: null, callbackUrl: `${t.config.publicUrl}/api/auth/sso/callback` });
  });

  it('refuses an issuer whose discovery fails (400 naming the field) and stores nothing', async () => {
    // Nothing listens there.
    const closed = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ issuer: 'http://127.0.0.1:9/realms/none' }) });
    expect(closed.status).toBe(400);
    expect(closed.body.message).toMatch(/^The issuer could not be used: OpenID Connect discovery at http:\/\/127\.0\.0\.1:9\/realms\/none\/\.well-known\/openid-configuration failed/);
    expect(closed.body.details).toEqual([{ path: 'issuer', message: expect.stringContaining('discovery') }]);
    // A server that is not an OpenID provider (the api itself).
    const notOidc = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ issuer: t.baseUrl }) });
    expect(notOidc.status).toBe(400);
    expect(notOidc.body.details[0].path).toBe('issuer');
    // An issuer that answers another issuer's document (discovery's issuer check).
    const wrongIssuer = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ issuer: idp.issuer.replace('127.0.0.1', 'localhost') }) });
    expect(wrongIssuer.status).toBe(400);
    expect(wrongIssuer.body.details[0].path).toBe('issuer');
    const bad = await t.request('PUT', '/api/sso', { token: admin.token, body: { issuer: 'not a url', clientId: '', allowedDomains: ['not a domain'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['allowedDomains.0', 'clientId', 'issuer']);
    expect((await db.query(`SELECT count(*) FROM sso_configs`)).rows[0].count).toBe('0');
    expect((await t.request('GET', '/api/sso', { token: admin.token })).body.config).toBeNull();
  });

  it('sets the provider after discovery: the client secret sealed, never answered, the change audited', async () => {
    const res = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody() });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(CLIENT_SECRET);
    expect(ssoSettingsSchema.parse(res.body).config).toMatchObject({
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecretSet: true,
      allowedDomains: ['acme.test'],
      defaultRole: 'viewer',
      ssoOnly: false,
      enabled: true,
    });
    const got = await t.request('GET', '/api/sso', { token: admin.token });
    expect(got.text).not.toContain(CLIENT_SECRET);
    expect(got.body.config.issuer).toBe(idp.issuer);

    const { rows } = await db.query(`SELECT * FROM sso_configs WHERE tenant_id = $1`, [admin.user.tenantId]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(JSON.stringify(row)).not.toContain(CLIENT_SECRET);
    expect(Buffer.from(row.ciphertext).includes(Buffer.from(CLIENT_SECRET))).toBe(false);
    const box = new SecretBox(t.config.encryption.keys, t.config.encryption.currentKeyId);
    const sealed = { keyId: row.key_id, iv: row.iv, authTag: row.auth_tag, ciphertext: row.ciphertext };
    expect(box.open(sealed, `${admin.user.tenantId}:sso:client_secret`)).toBe(CLIENT_SECRET);
    // Bound to its tenant: the same row under another tenant does not open.
    expect(() => box.open(sealed, `${other.user.tenantId}:sso:client_secret`)).toThrow();

    const audit = await t.request('GET', '/api/audit?action=sso.update', { token: admin.token });
    expect(audit.body.items[0]).toMatchObject({ action: 'sso.update', details: expect.objectContaining({ issuer: idp.issuer, clientSecretChanged: true, created: true }) });
    expect(JSON.stringify(audit.body)).not.toContain(CLIENT_SECRET);

    // An update without the secret keeps it.
    const again = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ clientSecret: undefined, defaultRole: 'viewer' }) });
    expect(again.status).toBe(200);
    const after = (await db.query(`SELECT * FROM sso_configs WHERE tenant_id = $1`, [admin.user.tenantId])).rows[0];
    expect(box.open({ keyId: after.key_id, iv: after.iv, authTag: after.auth_tag, ciphertext: after.ciphertext }, `${admin.user.tenantId}:sso:client_secret`)).toBe(CLIENT_SECRET);
  });

  it('the login page learns which emails sign in with SSO', async () => {
    expect((await t.request('GET', '/api/auth/options?email=someone%40acme.test')).body).toEqual({ devMode: true, sso: 'available' });
    expect((await t.request('GET', '/api/auth/options?email=someone%40elsewhere.test')).body).toEqual({ devMode: true, sso: 'none' });
    expect((await t.request('GET', '/api/auth/options')).body).toEqual({ devMode: true });
  });

  it('signs in with PKCE, state and nonce, creates the user just in time with the default role, and the JWT works', async () => {
    const { landing, authorization } = await signIn('alice');
    const q = authorization.searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('login_hint')).toBe('alice@acme.test');
    expect(q.get('redirect_uri')).toBe(`${t.config.publicUrl}/api/auth/sso/callback`);

    expect(`${landing.origin}${landing.pathname}`).toBe(`${DASHBOARD}/login/sso`);
    const token = tokenOf(landing);
    expect(token).toMatch(/^ey/);
    const me = await t.request('GET', '/api/auth/me', { token: token! });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email: 'alice@acme.test', name: 'Alice Example', role: 'viewer', tenantId: admin.user.tenantId });

    const audit = await t.request('GET', '/api/audit?limit=20', { token: admin.token });
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.sso', 'user.create']));
    const created = audit.body.items.find((e: { action: string }) => e.action === 'user.create');
    expect(created.details).toMatchObject({ via: 'sso', email: 'alice@acme.test', role: 'viewer' });
    const signedIn = audit.body.items.find((e: { action: string }) => e.action === 'auth.sso');
    expect(signedIn.details).toMatchObject({ issuer: idp.issuer, subject: 'alice', created: true });

    // A viewer does not manage SSO.
    expect((await t.request('GET', '/api/sso', { token: token! })).status).toBe(403);
  });

  it('a second sign-in reuses the user', async () => {
    const before = (await db.query(`SELECT id FROM users WHERE email = 'alice@acme.test'`)).rows[0].id;
    const { landing } = await signIn('alice');
    const me = await t.request('GET', '/api/auth/me', { token: tokenOf(landing)! });
    expect(me.body.user.id).toBe(before);
    expect(await userCount('alice@acme.test')).toBe(1);
  });

  it("signs in by the provider's subject: a changed email keeps the account, and the old address given to another subject does not sign in as it", async () => {
    const alice = (await db.query(`SELECT id FROM users WHERE email = 'alice@acme.test'`)).rows[0].id;
    expect((await db.query(`SELECT subject FROM sso_identities WHERE user_id = $1`, [alice])).rows).toEqual([{ subject: 'alice' }]);
    // The provider re-registers alice's address to a new subject (a recycled mailbox): refused, nothing created.
    idp.accounts.recycled = { email: 'alice@acme.test', email_verified: true, name: 'Not Alice' };
    const { landing } = await signIn('recycled');
    expect(tokenOf(landing)).toBeNull();
    expect(errorOf(landing)).toBe('The account alice@acme.test is linked to another identity at your provider; ask an admin');
    expect(await userCount('alice@acme.test')).toBe(1);
    // Alice's own email changes at the provider: her subject still signs her in as her account.
    idp.accounts.alice.email = 'alice.new@acme.test';
    try {
      const moved = await signIn('alice', 'email=alice%40acme.test');
      const me = await t.request('GET', '/api/auth/me', { token: tokenOf(moved.landing)! });
      expect(me.body.user.id).toBe(alice);
      expect(await userCount('alice.new@acme.test')).toBe(0);
    } finally {
      idp.accounts.alice.email = 'alice@acme.test';
      delete idp.accounts.recycled;
    }
    const audit = await t.request('GET', '/api/audit?action=auth.sso_failed&limit=5', { token: admin.token });
    expect(audit.body.items[0].details).toMatchObject({ subject: 'recycled', linkedSubject: 'alice' });
  });

  it('refuses a replayed callback (same state): already used, nothing issued', async () => {
    const { landing, callbackUrl } = await signIn('alice');
    expect(tokenOf(landing)).toBeTruthy();
    const replay = await callback(callbackUrl);
    expect(`${replay.origin}${replay.pathname}`).toBe(`${DASHBOARD}/login`);
    expect(replay.hash).toBe('');
    expect(errorOf(replay)).toBe('This sign-in link was already used or is not known; start again from the login page');
  });

  it('refuses an expired sign-in', async () => {
    const authorization = await start('email=alice%40acme.test');
    await db.query(`UPDATE sso_states SET expires_at = now() - interval '1 second' WHERE state = $1`, [authorization.searchParams.get('state')]);
    const landing = await callback(await idp.signIn(authorization.href, 'alice'));
    expect(errorOf(landing)).toBe('This sign-in took longer than 10 minutes; start again from the login page');
    expect(tokenOf(landing)).toBeNull();
  });

  it('refuses a callback without a known state, or with a state the provider did not send back', async () => {
    expect(errorOf(await callback(`${t.config.publicUrl}/api/auth/sso/callback?code=x`))).toMatch(/has no state/);
    expect(errorOf(await callback(`${t.config.publicUrl}/api/auth/sso/callback?code=x&state=forged`))).toMatch(/already used or is not known/);
  });

  it('refuses an email outside the allowed domains: no user created', async () => {
    const { landing } = await signIn('eve', `workspace=${admin.user.tenantId}`);
    expect(errorOf(landing)).toBe('Email addresses at evil.test may not sign in to this workspace');
    expect(await userCount('eve@evil.test')).toBe(0);
    const audit = await t.request('GET', '/api/audit?action=auth.sso_failed', { token: admin.token });
    expect(audit.body.items[0].details).toMatchObject({ email: 'eve@evil.test', reason: expect.stringContaining('evil.test') });
  });

  it('refuses an email the provider has not verified: no user created', async () => {
    const { landing } = await signIn('carol');
    expect(errorOf(landing)).toBe('Your identity provider has not verified carol@acme.test; verify it there first');
    expect(await userCount('carol@acme.test')).toBe(0);
  });

  it('never signs in an account of another workspace through this one', async () => {
    const elsewhere = await t.register('mallory@acme.test');
    expect(elsewhere.user.tenantId).not.toBe(admin.user.tenantId);
    const { landing } = await signIn('mallory', `workspace=${admin.user.tenantId}`);
    expect(errorOf(landing)).toBe('The account mallory@acme.test belongs to another workspace');
    // Its own workspace has no SSO: the login page offers a password.
    expect((await t.request('GET', '/api/auth/options?email=mallory%40acme.test')).body.sso).toBe('none');
  });

  it('a pending invitation gives its role to the user created by SSO', async () => {
    const inv = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: 'invited@acme.test', role: 'editor' } });
    expect(inv.status).toBe(201);
    const { landing } = await signIn('invited');
    const me = await t.request('GET', '/api/auth/me', { token: tokenOf(landing)! });
    expect(me.body.user.role).toBe('editor');
    expect((await t.request('GET', '/api/invitations', { token: admin.token })).body.items).toEqual([]);
  });

  it("another workspace sees no configuration of this one, and cannot claim its domains", async () => {
    expect((await t.request('GET', '/api/sso', { token: other.token })).body.config).toBeNull();
    const claim = await t.request('PUT', '/api/sso', { token: other.token, body: ssoBody({ allowedDomains: ['other.test', 'acme.test'] }) });
    expect(claim.status).toBe(409);
    expect(claim.body.message).toBe("acme.test signs in with another workspace's SSO already");
    expect((await t.request('DELETE', '/api/sso', { token: other.token })).status).toBe(404);
    expect((await db.query(`SELECT count(*) FROM sso_configs`)).rows[0].count).toBe('1');
  });

  describe('SSO only', () => {
    it('refuses to lock out the admin making the change', async () => {
      const res = await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ allowedDomains: ['elsewhere.test'], ssoOnly: true }) });
      expect(res.status).toBe(400);
      expect(res.body.details[0].path).toBe('ssoOnly');
    });

    it("refuses password sign-in and invitations with a password for that workspace's users, not for another workspace", async () => {
      const invitation = await t.request('POST', '/api/invitations', { token: admin.token, body: { email: 'late@acme.test', role: 'viewer' } });
      expect((await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ ssoOnly: true }) })).status).toBe(200);

      const login = await t.request('POST', '/api/auth/login', { body: { email: 'admin@acme.test', password: 'password123' } });
      expect(login.status).toBe(403);
      expect(login.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This workspace signs in with SSO' });
      // A wrong password still answers 401: the refusal tells nothing to someone without it.
      expect((await t.request('POST', '/api/auth/login', { body: { email: 'admin@acme.test', password: 'wrong-password' } })).status).toBe(401);
      const accept = await t.request('POST', '/api/auth/accept-invitation', { body: { token: invitation.body.token, password: 'password123' } });
      expect(accept.status).toBe(403);
      expect(await userCount('late@acme.test')).toBe(0);

      expect((await t.request('POST', '/api/auth/login', { body: { email: 'owner@other.test', password: 'password123' } })).status).toBe(200);
      expect((await t.request('GET', '/api/auth/options?email=admin%40acme.test')).body.sso).toBe('required');
    });

    it('admins still sign in with SSO and can turn it off', async () => {
      const { landing } = await signIn('admin');
      const token = tokenOf(landing)!;
      const me = await t.request('GET', '/api/auth/me', { token });
      expect(me.body.user).toMatchObject({ id: admin.user.id, role: 'admin' });
      expect((await t.request('PUT', '/api/sso', { token, body: ssoBody({ clientSecret: undefined, ssoOnly: false }) })).status).toBe(200);
      expect((await t.request('POST', '/api/auth/login', { body: { email: 'admin@acme.test', password: 'password123' } })).status).toBe(200);
    });
  });

  it('a disabled or removed configuration signs nobody in', async () => {
    expect((await t.request('PUT', '/api/sso', { token: admin.token, body: ssoBody({ clientSecret: undefined, enabled: false }) })).status).toBe(200);
    expect((await t.request('GET', '/api/auth/options?email=alice%40acme.test')).body.sso).toBe('none');
    expect(errorOf(await start('email=alice%40acme.test'))).toMatch(/^No single sign-on is set up for acme\.test/);
    expect((await t.request('DELETE', '/api/sso', { token: admin.token })).status).toBe(204);
    expect((await t.request('GET', '/api/sso', { token: admin.token })).body.config).toBeNull();
  });
});
