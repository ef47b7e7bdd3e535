/**
 * A real OpenID Connect provider on loopback for tests (oidc-provider, the certified Node
 * implementation, with its development login form): the API tests and the browser suite sign in
 * through it. Any login name of `accounts` signs in, with any password; consent is implied for the
 * configured clients (first party), so the only page is the login form.
 *
 *   const idp = await startOidcIdp({ clients: [{ clientId, clientSecret, redirectUris }], accounts: { alice: { email, email_verified: true } } });
 *   const callbackUrl = await idp.signIn(authorizationUrl, 'alice'); // drives the login form with fetch
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { Provider } from 'oidc-provider';

export async function startOidcIdp({ clients, accounts = {}, port = 0, host = '127.0.0.1', conformIdTokenClaims = true }) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const issuer = `http://${host}:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const config = {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims,
    cookies: { keys: ['tributary-test-idp-cookie-key'] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // First-party clients: the grant is implied, no consent page.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  // Its warning about the development login form is expected here.
  const warn = console.warn;
  console.warn = () => {};
  let provider;
  try {
    provider = new Provider(issuer, config);
  } finally {
    console.warn = warn;
  }
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));
  server.on('request', provider.callback());

  /** Follows the provider's redirects from `authorizationUrl`, submits its login form as `login`, and answers the client's redirect (the callback URL with code and state). */
  async function signIn(authorizationUrl, login) {
    const jar = new Map();
    const send = async (url, init = {}) => {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const value = pair.slice(i + 1).trim();
        if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      return res;
    };
    let res = await send(authorizationUrl);
    for (let hop = 0; hop < 12; hop++) {
      const location = res.headers.get('location');
      if (!location) throw new Error(`The identity provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 500)}`);
      const next = new URL(location, issuer);
      if (next.origin !== new URL(issuer).origin) return next.href;
      if (next.pathname.startsWith('/interaction/')) {
        const page = await send(next.href);
        const html = await page.text();
        const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1] ?? 'login';
        const form = prompt === 'login' ? { prompt, login, password: 'any-password' } : { prompt };
        res = await send(next.href, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      } else {
        res = await send(next.href);
      }
    }
    throw new Error('The identity provider redirected too many times');
  }

  return {
    issuer,
    port: server.address().port,
    accounts,
    signIn,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
