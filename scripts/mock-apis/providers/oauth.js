// @ts-check
/**
 * OAuth2 authorization servers (RFC 6749, PKCE RFC 7636, revocation RFC 7009) for the connections
 * tests and the offline demo: a generic one under /oauth (the HTTP connector's "OAuth2 API"
 * credential), Slack's (oauth.v2.access with token rotation, its Web API answering an expired token
 * with a 200 `{ ok: false, error: 'token_expired' }`) and Salesforce's (services/oauth2, `instance_url`
 * in the token answer).
 *
 * What the servers do, as real ones do:
 * - authorization code with PKCE (S256 only), `state` echoed and `iss` added to the redirect; a
 *   consent page (Approve / Deny) at the authorize endpoint; codes single use and short lived;
 * - short-lived access tokens (default 3,600 s; per client `accessTokenTtlSeconds`) and rotating
 *   refresh tokens: each refresh answers a new refresh token and retires the old one; presenting a
 *   retired one again is treated as theft: `invalid_grant`, and the whole grant is revoked (RFC 9700
 *   §4.14.2);
 * - client credentials; client authentication by `client_secret_basic` or `client_secret_post`; a
 *   client's secret is `<client_id>-secret` (any client id works, so each test has its own counters);
 * - revocation of access and refresh tokens.
 *
 * Test controls (not part of any provider's API): `POST <prefix>/__clients/:id` with
 * `{ accessTokenTtlSeconds?, refreshFails?: 'invalid_grant' | 'server_error' | null, slowTokenMs? }`,
 * `GET <prefix>/__stats?client_id=` → `{ tokenRequests: { authorization_code, refresh_token,
 * client_credentials }, revoked, refreshReuse }`, and `POST <prefix>/__expire/:id` to expire every
 * access token the client holds now.
 */
import { createHash, randomBytes } from 'node:crypto';
import { basicAuth, bodyObject, html, json, route, schemeToken } from '../lib.js';

/** @typedef {{ clientId: string, scope: string, expiresAt: number, grant: string, extra: Record<string, unknown> }} AccessToken */
/** @typedef {{ accessTokenTtlSeconds?: number, refreshFails?: string | null, slowTokenMs?: number }} ClientConfig */

/** Every access token any of the servers issued (the resource endpoints of the mock check them here). */
const issued = new Map();

/**
 * The access token a request carries, when one of the servers issued it and it has not expired:
 * `{ token }`, else `{ error: 'invalid_token' | 'token_expired' }`.
 * @param {import('../lib.js').MockRequest} req @param {string} [prefix] only tokens of that server
 */
export function bearerFromOAuth(req, prefix) {
  const t = schemeToken(req, 'Bearer');
  const at = t ? issued.get(t) : undefined;
  if (!at || (prefix && at.prefix !== prefix)) return { error: 'invalid_token' };
  if (at.expiresAt <= Date.now()) return { error: 'token_expired' };
  return { token: at };
}

/** @returns {import('../lib.js').Provider[]} */
export function createOAuthProviders() {
  const generic = authorizationServer({ name: 'oauth', prefix: '/oauth', authorize: '/oauth/authorize', token: '/oauth/token', revoke: '/oauth/revoke' });
  generic.routes.push(
    route('GET', '/oauth/userinfo', (req) => {
      const r = bearerFromOAuth(req, '/oauth');
      if (!r.token) return json(401, { error: r.error }, { 'www-authenticate': `Bearer error="invalid_token", error_description="${r.error}"` });
      return json(200, { sub: `user-of-${r.token.clientId}`, name: 'Ada Lovelace', email: 'ada@example.com', client_id: r.token.clientId, scope: r.token.scope });
    }),
  );
  const slack = authorizationServer({
    name: 'slack-oauth',
    prefix: '/slack/oauth',
    authorize: '/slack/oauth/v2/authorize',
    token: '/slack/api/oauth.v2.access',
    revoke: '/slack/api/auth.revoke',
    tokenPrefix: 'xoxe.xoxb-',
    tokenType: 'bot',
    // Slack answers token errors with a 200 and `{ ok: false, error }`, and successes with `ok: true`.
    answer: (status, body) => (status === 200 ? json(200, { ok: true, ...body }) : json(200, { ok: false, error: String(body.error === 'invalid_grant' ? 'invalid_refresh_token' : body.error) })),
    extra: () => ({ team: { id: 'T00000000', name: 'Tributary Mock' }, bot_user_id: 'U0MOCKBOT', app_id: 'A0MOCKAPP' }),
  });
  // Slack's authorize page lives under /slack/oauth, its token endpoint and Web API under /slack/api:
  // two providers (the mock routes by prefix), sharing the server's state.
  const underOAuth = (/** @type {import('../lib.js').Route} */ r) => r.pattern.source.replace(/\\\//g, '/').startsWith('^/slack/oauth/');
  const slackApi = { name: 'slack-api', prefix: '/slack/api', routes: slack.routes.filter((r) => !underOAuth(r)) };
  slack.routes = slack.routes.filter(underOAuth);
  slackApi.routes.push(
    route('POST', '/slack/api/auth.test', (req) => slackCall(req, (t) => ({ url: 'https://tributary-mock.slack.com/', team: 'Tributary Mock', team_id: 'T00000000', user_id: 'U0MOCKBOT', bot_id: 'B0MOCKBOT', client_id: t.clientId }))),
    route('POST', '/slack/api/chat.postMessage', (req) =>
      slackCall(req, () => {
        const p = bodyObject(req);
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
        return { channel: String(p.channel), ts: `${Math.floor(Date.now() / 1000)}.${String(++slackSeq).padStart(6, '0')}`, message: { text: p.text ?? '', bot_id: 'B0MOCKBOT' } };
      }),
    ),
  );
  const salesforce = authorizationServer({
    name: 'salesforce-oauth',
    prefix: '/salesforce/services/oauth2',
    authorize: '/salesforce/services/oauth2/authorize',
    token: '/salesforce/services/oauth2/token',
    revoke: '/salesforce/services/oauth2/revoke',
    tokenPrefix: '00DMOCK000000000001!',
    extra: (req) => ({ instance_url: `${req.origin}/salesforce`, id: `${req.origin}/salesforce/id/00DMOCK/005MOCK`, signature: 'mock' }),
  });
  salesforce.routes.push(
    route('GET', '/salesforce/services/oauth2/userinfo', (req) => {
      const r = bearerFromOAuth(req, '/salesforce/services/oauth2');
      if (!r.token) return json(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      return json(200, { sub: '005MOCK', name: 'Mock Admin', organization_id: '00DMOCK000000000001', preferred_username: 'admin@mock.example' });
    }),
  );
  return [generic, slack, slackApi, salesforce];
}

let slackSeq = 0;

/**
 * A Slack Web API call with a bot token: `{ ok: true, … }`; an expired token answers 200
 * `{ ok: false, error: 'token_expired' }` (Slack's rule for rotating tokens), an unknown one
 * `invalid_auth`.
 * @param {import('../lib.js').MockRequest} req @param {(t: any) => Record<string, unknown>} fn
 */
function slackCall(req, fn) {
  const r = bearerFromOAuth(req, '/slack/oauth');
  if (!r.token) return json(200, { ok: false, error: r.error === 'token_expired' ? 'token_expired' : 'invalid_auth' });
  const out = fn(r.token);
  return json(200, out.ok === false ? out : { ok: true, ...out });
}

/**
 * @param {{
 *   name: string, prefix: string, authorize: string, token: string, revoke: string,
 *   tokenPrefix?: string, tokenType?: string,
 *   answer?: (status: number, body: Record<string, unknown>) => import('../lib.js').MockResponse,
 *   extra?: (req: import('../lib.js').MockRequest) => Record<string, unknown>,
 * }} o
 * @returns {import('../lib.js').Provider}
 */
function authorizationServer(o) {
  /** @type {Map<string, { clientId: string, redirectUri: string, challenge: string, scope: string, expiresAt: number, grantId: string }>} */
  const codes = new Map();
  /** @type {Map<string, { clientId: string, scope: string, grantId: string, retired: boolean }>} */
  const refreshTokens = new Map();
  /** @type {Map<string, ClientConfig>} */
  const clients = new Map();
  /** @type {Map<string, { tokenRequests: Record<string, number>, revoked: number, refreshReuse: number }>} */
  const stats = new Map();
  const revokedGrants = new Set();
  const answer = o.answer ?? ((status, body) => json(status, body, status === 200 ? { 'cache-control': 'no-store' } : {}));
  const fail = (/** @type {number} */ status, /** @type {string} */ error, /** @type {string} */ description) => answer(status, { error, error_description: description });
  const statsOf = (/** @type {string} */ id) => {
    let s = stats.get(id);
    if (!s) stats.set(id, (s = { tokenRequests: { authorization_code: 0, refresh_token: 0, client_credentials: 0 }, revoked: 0, refreshReuse: 0 }));
    return s;
  };
  const rand = (/** @type {number} */ n) => randomBytes(n).toString('base64url');

  /** @param {import('../lib.js').MockRequest} req @param {string} clientId @param {string} scope @param {string} grant @param {string} grantId @param {boolean} withRefresh */
  function issue(req, clientId, scope, grant, grantId, withRefresh) {
    const ttl = clients.get(clientId)?.accessTokenTtlSeconds ?? 3600;
    const access = `${o.tokenPrefix ?? 'mat_'}${rand(24)}`;
    const extra = o.extra?.(req) ?? {};
    issued.set(access, { clientId, scope, expiresAt: Date.now() + ttl * 1000, grant: grantId, extra, prefix: o.prefix });
    /** @type {Record<string, unknown>} */
    const body = { access_token: access, token_type: o.tokenType ?? 'Bearer', expires_in: ttl, scope, ...extra };
    if (withRefresh) {
      const refresh = `${o.tokenPrefix ?? ''}mrt_${rand(24)}`;
      refreshTokens.set(refresh, { clientId, scope, grantId, retired: false });
      body.refresh_token = refresh;
    }
    return answer(200, body);
  }

  /** The client a token request authenticates as, or null. @param {import('../lib.js').MockRequest} req @param {Record<string, unknown>} p */
  function clientOf(req, p) {
    const basic = basicAuth(req);
    const id = basic ? decodeURIComponent(basic.user) : String(p.client_id ?? '');
    const secret = basic ? decodeURIComponent(basic.pass) : String(p.client_secret ?? '');
    return id && secret === `${id}-secret` ? id : null;
  }

  return {
    name: o.name,
    prefix: o.prefix,
    reset() {
      codes.clear();
      refreshTokens.clear();
      clients.clear();
      stats.clear();
      revokedGrants.clear();
    },
    routes: [
      route('GET', o.authorize, (req) => {
        const q = req.query;
        if (!q.client_id || !q.redirect_uri) return html(400, '<h1>Invalid request</h1><p>client_id and redirect_uri are required.</p>');
        const back = new URL(q.redirect_uri);
        const deny = (/** @type {string} */ error, /** @type {string} */ desc) => {
          back.searchParams.set('error', error);
          back.searchParams.set('error_description', desc);
          if (q.state) back.searchParams.set('state', q.state);
          return { status: 302, headers: { location: back.toString() } };
        };
        if (q.response_type !== 'code') return deny('unsupported_response_type', 'Only response_type=code is supported');
        if (!q.code_challenge || q.code_challenge_method !== 'S256') return deny('invalid_request', 'PKCE with S256 is required');
        const fields = Object.entries(q)
          .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
          .join('');
        return html(
          200,
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize ${esc(q.client_id)}</title></head><body>` +
            `<main><h1>Mock ${esc(o.name)} authorization</h1><p><strong>${esc(q.client_id)}</strong> asks for: ${esc(q.scope || '(no scope)')}</p>` +
            `<form method="post" action="${esc(o.authorize)}">${fields}<button type="submit" name="decision" value="approve">Approve</button> ` +
            `<button type="submit" name="decision" value="deny">Deny</button></form></main></body></html>`,
        );
      }),
      route('POST', o.authorize, (req) => {
        const p = bodyObject(req);
        const back = new URL(String(p.redirect_uri));
        if (p.state) back.searchParams.set('state', String(p.state));
        back.searchParams.set('iss', `${req.origin}${o.prefix}`);
        if (p.decision !== 'approve') {
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('error_description', 'The user denied access');
        } else {
          const code = rand(24);
          codes.set(code, { clientId: String(p.client_id), redirectUri: String(p.redirect_uri), challenge: String(p.code_challenge), scope: String(p.scope ?? ''), expiresAt: Date.now() + 60_000, grantId: rand(8) });
          back.searchParams.set('code', code);
        }
        return { status: 302, headers: { location: back.toString() } };
      }),
      route('POST', o.token, async (req) => {
        const p = bodyObject(req);
        const clientId = clientOf(req, p);
        if (!clientId) return fail(401, 'invalid_client', 'Client authentication failed');
        const cfg = clients.get(clientId) ?? {};
        const grant = String(p.grant_type ?? '');
        if (grant in statsOf(clientId).tokenRequests) statsOf(clientId).tokenRequests[grant]++;
        if (cfg.slowTokenMs) await new Promise((r) => setTimeout(r, cfg.slowTokenMs));
        if (grant === 'authorization_code') {
          const c = codes.get(String(p.code));
          codes.delete(String(p.code));
          if (!c || c.expiresAt < Date.now() || c.clientId !== clientId) return fail(400, 'invalid_grant', 'The authorization code is invalid, expired or used');
          if (c.redirectUri !== p.redirect_uri) return fail(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
          const challenge = createHash('sha256').update(String(p.code_verifier ?? '')).digest('base64url');
          if (challenge !== c.challenge) return fail(400, 'invalid_grant', 'PKCE verification failed');
          return issue(req, clientId, c.scope, grant, c.grantId, true);
        }
        if (grant === 'refresh_token') {
          if (cfg.refreshFails === 'server_error') return fail(503, 'temporarily_unavailable', 'The token endpoint is down (mock)');
          const r = refreshTokens.get(String(p.refresh_token));
          if (!r || r.clientId !== clientId || revokedGrants.has(r.grantId) || cfg.refreshFails === 'invalid_grant') return fail(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
          if (r.retired) {
            // A rotated refresh token used again: someone kept a copy. Revoke the whole grant.
            statsOf(clientId).refreshReuse++;
            revokedGrants.add(r.grantId);
            return fail(400, 'invalid_grant', 'The refresh token was already used; the grant is revoked');
          }
          r.retired = true;
          return issue(req, clientId, r.scope, grant, r.grantId, true);
        }
        if (grant === 'client_credentials') return issue(req, clientId, String(p.scope ?? ''), grant, rand(8), false);
        return fail(400, 'unsupported_grant_type', `grant_type ${grant || '(missing)'} is not supported`);
      }),
      route('POST', o.revoke, (req) => {
        const p = bodyObject(req);
        const token = String(p.token ?? '');
        const r = refreshTokens.get(token);
        if (r) {
          revokedGrants.add(r.grantId);
          statsOf(r.clientId).revoked++;
        }
        const a = issued.get(token);
        if (a) {
          issued.delete(token);
          statsOf(a.clientId).revoked++;
          revokedGrants.add(a.grant);
        }
        return { status: 200, headers: {}, body: '' };
      }),
      route('POST', `${o.prefix}/__clients/:id`, (req) => {
        clients.set(req.params.id, { ...clients.get(req.params.id), .../** @type {ClientConfig} */ (bodyObject(req)) });
        return json(200, clients.get(req.params.id));
      }),
      route('POST', `${o.prefix}/__expire/:id`, (req) => {
        let n = 0;
        for (const t of issued.values()) if (t.clientId === req.params.id) (t.expiresAt = Date.now() - 1), n++;
        return json(200, { expired: n });
      }),
      route('GET', `${o.prefix}/__stats`, (req) => json(200, statsOf(String(req.query.client_id ?? '')))),
    ],
  };
}

/** @param {string} s */
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
