/**
 * The OpenID Connect relying party, on openid-client (certified; discovery, PKCE, state, nonce, ID
 * token validation): discovery of a workspace's provider, the authorisation URL, the code exchange.
 * Every request goes through the platform's HTTP client (its SSRF guard, timeouts and size cap apply
 * to an issuer URL an admin typed, as to any outbound call); plain http issuers only where private
 * targets are allowed (development, tests, on-premise).
 */
import * as oidc from 'openid-client';
import type { HttpClient } from '../common/http/http-client.js';

export const SSO_SCOPES = 'openid email profile';
const DISCOVERY_TIMEOUT_S = 10;

/** What one sign-in needs of the provider, per workspace. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The provider could not be discovered or does not support what sign-in needs: a message an admin can act on. */
export class OidcDiscoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcDiscoveryError';
  }
}

/** The provider refused the sign-in or answered something that does not check out. */
export class OidcSignInError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcSignInError';
  }
}

/** What the provider says about the user, from the ID token (and UserInfo when the token has no email). */
export interface OidcIdentity {
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/** The Fetch API over the platform's HTTP client, as openid-client's `customFetch`. */
function fetchThrough(http: HttpClient): oidc.CustomFetch {
  return async (url, options) => {
    const headers: Record<string, string> = { ...options.headers };
    const body = options.body === undefined || options.body === null ? undefined : String(options.body as string | URLSearchParams);
    const res = await http.request({ method: options.method, url, headers, body, acceptStatus: () => true, retries: 0, signal: options.signal });
    const out = new Headers();
    for (const [key, value] of Object.entries(res.headers)) {
      if (value === undefined || key === 'content-length' || key === 'content-encoding' || key === 'transfer-encoding') continue;
      for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
    }
    const empty = res.status === 204 || res.status === 304 || res.status === 205;
    return new Response(empty ? null : res.text, { status: res.status, headers: out });
  };
}

/** `email_verified`: a boolean by the specification, a string at a few providers. */
function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = (err as { code?: unknown }).code;
  // openid-client's OAUTH_RESPONSE_BODY_ERROR and friends: the provider's own error first.
  const oauth = (err as { error?: unknown; error_description?: unknown });
  if (typeof oauth.error === 'string') return `${oauth.error}${typeof oauth.error_description === 'string' ? `: ${oauth.error_description}` : ''}`;
  const inner = cause instanceof Error && cause.message && !err.message.includes(cause.message) ? ` (${cause.message})` : '';
  return `${err.message}${inner}${typeof code === 'string' && !err.message.includes(code) ? ` [${code}]` : ''}`;
}

export class OidcClient {
  private readonly fetch: oidc.CustomFetch;

  constructor(
    http: HttpClient,
    /** http:// issuers (and endpoints) allowed: ALLOW_PRIVATE_TARGETS or dev mode. */
    private readonly allowInsecure: boolean,
  ) {
    this.fetch = fetchThrough(http);
  }

  /** The issuer's URL as sign-in may use it; throws OidcDiscoveryError naming the problem. */
  checkIssuer(issuer: string): URL {
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new OidcDiscoveryError('The issuer is not a URL');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.allowInsecure)) {
      throw new OidcDiscoveryError('The issuer must use https (http only where ALLOW_PRIVATE_TARGETS=true)');
    }
    if (url.search || url.hash) throw new OidcDiscoveryError('The issuer has no query string or fragment');
    return url;
  }

  /**
   * OIDC discovery (`<issuer>/.well-known/openid-configuration`; the answered `issuer` must be the
   * same): the provider's endpoints and keys. Client authentication is client_secret_basic (the
   * specification's default) unless the provider supports only client_secret_post.
   */
  async discover(s: OidcSettings): Promise<oidc.Configuration> {
    const issuer = this.checkIssuer(s.issuer);
    const execute = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(issuer, s.clientId, { client_secret: s.clientSecret }, oidc.ClientSecretBasic(s.clientSecret), {
        [oidc.customFetch]: this.fetch,
        execute,
        timeout: DISCOVERY_TIMEOUT_S,
      });
    } catch (err) {
      throw new OidcDiscoveryError(`OpenID Connect discovery at ${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration failed: ${describe(err)}`);
    }
    const meta = config.serverMetadata();
    if (!meta.authorization_endpoint || !meta.token_endpoint) throw new OidcDiscoveryError('The provider announces no authorization or token endpoint');
    if (meta.response_types_supported && !meta.response_types_supported.includes('code')) {
      throw new OidcDiscoveryError('The provider does not support the authorization code flow (response_type=code)');
    }
    if (!meta.jwks_uri) throw new OidcDiscoveryError('The provider announces no jwks_uri (its ID token signing keys)');
    const methods = meta.token_endpoint_auth_methods_supported;
    if (methods && !methods.includes('client_secret_basic')) {
      if (!methods.includes('client_secret_post')) throw new OidcDiscoveryError(`The provider supports neither client_secret_basic nor client_secret_post (only ${methods.join(', ')})`);
      const post = new oidc.Configuration(meta, s.clientId, { client_secret: s.clientSecret }, oidc.ClientSecretPost(s.clientSecret));
      post[oidc.customFetch] = this.fetch;
      post.timeout = DISCOVERY_TIMEOUT_S;
      if (issuer.protocol === 'http:') oidc.allowInsecureRequests(post);
      return post;
    }
    return config;
  }

  /** The provider's authorisation URL: code flow with PKCE (S256), state and nonce. */
  async authorizationUrl(config: oidc.Configuration, p: { redirectUri: string; state: string; nonce: string; codeVerifier: string; loginHint?: string }): Promise<string> {
    const params: Record<string, string> = {
      redirect_uri: p.redirectUri,
      scope: SSO_SCOPES,
      state: p.state,
      nonce: p.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(p.codeVerifier),
      code_challenge_method: 'S256',
    };
    if (p.loginHint) params.login_hint = p.loginHint;
    return oidc.buildAuthorizationUrl(config, params).href;
  }

  /**
   * Checks the callback (state, the provider's error, `iss`), exchanges the code with the PKCE
   * verifier, validates the ID token (signature, issuer, audience, expiry, nonce) and answers who
   * signed in. UserInfo fills in the email when the ID token does not carry it.
   */
  async signIn(config: oidc.Configuration, p: { callback: URLSearchParams; redirectUri: string; state: string; nonce: string; codeVerifier: string }): Promise<OidcIdentity> {
    const current = new URL(p.redirectUri);
    for (const [k, v] of p.callback) current.searchParams.append(k, v);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        { pkceCodeVerifier: p.codeVerifier, expectedState: p.state, expectedNonce: p.nonce, idTokenExpected: true },
        { redirect_uri: p.redirectUri },
      );
    } catch (err) {
      throw new OidcSignInError(`The identity provider's answer was refused: ${describe(err)}`);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcSignInError('The identity provider answered no ID token');
    let email = typeof claims.email === 'string' ? claims.email : undefined;
    let verified = isTrue(claims.email_verified);
    let name = typeof claims.name === 'string' ? claims.name : undefined;
    if (!email) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : undefined;
        verified = isTrue(info.email_verified);
        name ??= typeof info.name === 'string' ? info.name : undefined;
      } catch (err) {
        throw new OidcSignInError(`The identity provider's UserInfo could not be read: ${describe(err)}`);
      }
    }
    return { subject: claims.sub, email: email?.toLowerCase(), emailVerified: verified, name };
  }
}
