/**
 * The OAuth2 client side of a connection, on oauth4webapi (RFC 6749 grants, PKCE, revocation): the
 * authorisation URL, the code exchange, refresh and client credentials. Token requests go through the
 * platform's HTTP client (its SSRF guard, timeouts, size cap and secret redaction apply to a token
 * URL a user typed, as to any outbound call).
 *
 * Failures are sorted for the caller: `reconnect` (the provider refused the grant: `invalid_grant`,
 * a revoked or rotated-away refresh token; only the user can fix it), `rejected` (any other refusal:
 * a wrong client secret, an unsupported grant) and `unavailable` (network, 5xx, 429: try later).
 */
import * as oauth from 'oauth4webapi';
import type { HttpClient } from '../../common/http/http-client.js';
import type { OAuth2Endpoints, OAuth2Grant } from '../../connectors/sdk.js';

/** What one connection's OAuth2 needs, from its stored configuration and its connector's declaration. */
export interface OAuth2Settings {
  grant: OAuth2Grant;
  endpoints: OAuth2Endpoints;
  clientId: string;
  clientSecret: string;
  /** `basic` (client_secret_basic, RFC 6749's default) or `post` (client_secret_post). */
  clientAuth: 'basic' | 'post';
  scopes: string[];
  /** Token types answered besides `bearer` (Slack's `bot`). */
  tokenTypes?: string[];
  tokenAnswer?(status: number, body: unknown): { status: number; body: unknown };
}

/** A token answer, as the platform keeps it (sealed). */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  /** Epoch ms; null when the provider gave no `expires_in`. */
  expiresAt: number | null;
  scope?: string;
  /** The answer's other fields (Salesforce's `instance_url`, Slack's `team`). */
  extra: Record<string, unknown>;
}

export type OAuth2FailureKind = 'reconnect' | 'rejected' | 'unavailable';

export class OAuth2Failure extends Error {
  constructor(
    readonly kind: OAuth2FailureKind,
    message: string,
    readonly oauthError?: string,
  ) {
    super(message);
    this.name = 'OAuth2Failure';
  }
}

const TOKEN_TIMEOUT_MS = 15_000;
const KNOWN_FIELDS = new Set(['access_token', 'token_type', 'refresh_token', 'expires_in', 'scope', 'id_token', 'ok']);

export class OAuth2Client {
  constructor(private readonly http: HttpClient) {}

  /** The provider's authorisation URL for a user to open (authorization code with PKCE S256 and `state`). */
  async authorizationUrl(s: OAuth2Settings, p: { redirectUri: string; state: string; codeVerifier: string }): Promise<string> {
    if (!s.endpoints.authorizationUrl) throw new OAuth2Failure('rejected', 'This connection has no authorization URL');
    const url = new URL(s.endpoints.authorizationUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', s.clientId);
    url.searchParams.set('redirect_uri', p.redirectUri);
    if (s.scopes.length) url.searchParams.set('scope', s.scopes.join(' '));
    url.searchParams.set('state', p.state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(p.codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /** Exchanges the callback's code (after checking its `state` and error parameters). */
  async exchangeCode(s: OAuth2Settings, p: { callback: URLSearchParams; expectedState: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet> {
    const { as, client, auth, options } = this.parts(s);
    // No discovery here, so the issuer is not known: an `iss` the provider adds is dropped rather than
    // compared. Mix-up is prevented by the state, which binds one pending authorisation to one
    // connection and its token endpoint.
    const params = new URLSearchParams(p.callback);
    params.delete('iss');
    let validated: URLSearchParams;
    try {
      validated = oauth.validateAuthResponse(as, client, params, p.expectedState);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError) {
        throw new OAuth2Failure('rejected', `The provider did not authorise the connection: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`, err.error);
      }
      throw new OAuth2Failure('rejected', `The authorization answer is invalid: ${(err as Error).message}`);
    }
    return this.grant(() => oauth.authorizationCodeGrantRequest(as, client, auth, validated, p.redirectUri, p.codeVerifier, options), (res) =>
      oauth.processAuthorizationCodeResponse(as, client, res, { recognizedTokenTypes: options.recognizedTokenTypes }),
    );
  }

  refresh(s: OAuth2Settings, refreshToken: string): Promise<TokenSet> {
    const { as, client, auth, options } = this.parts(s);
    return this.grant(() => oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options), (res) =>
      oauth.processRefreshTokenResponse(as, client, res, { recognizedTokenTypes: options.recognizedTokenTypes }),
    );
  }

  clientCredentials(s: OAuth2Settings): Promise<TokenSet> {
    const { as, client, auth, options } = this.parts(s);
    const params = new URLSearchParams();
    if (s.scopes.length) params.set('scope', s.scopes.join(' '));
    return this.grant(() => oauth.clientCredentialsGrantRequest(as, client, auth, params, options), (res) =>
      oauth.processClientCredentialsResponse(as, client, res, { recognizedTokenTypes: options.recognizedTokenTypes }),
    );
  }

  /** Best effort (RFC 7009 answers 200 for unknown tokens too): false when the provider has no revocation endpoint or failed. */
  async revoke(s: OAuth2Settings, token: string): Promise<boolean> {
    if (!s.endpoints.revocationUrl) return false;
    const { as, client, auth, options } = this.parts(s);
    try {
      const res = await oauth.revocationRequest(as, client, auth, token, options);
      await oauth.processRevocationResponse(res);
      return true;
    } catch {
      return false;
    }
  }

  private parts(s: OAuth2Settings) {
    const as: oauth.AuthorizationServer = {
      issuer: new URL(s.endpoints.tokenUrl).origin,
      authorization_endpoint: s.endpoints.authorizationUrl,
      token_endpoint: s.endpoints.tokenUrl,
      revocation_endpoint: s.endpoints.revocationUrl,
    };
    const client: oauth.Client = { client_id: s.clientId };
    const auth = s.clientAuth === 'post' ? oauth.ClientSecretPost(s.clientSecret) : oauth.ClientSecretBasic(s.clientSecret);
    const recognizedTokenTypes = Object.fromEntries((s.tokenTypes ?? []).map((t) => [t.toLowerCase(), () => undefined]));
    const options = {
      [oauth.allowInsecureRequests]: true,
      [oauth.customFetch]: this.fetchVia(s),
      recognizedTokenTypes,
    } as const;
    return { as, client, auth, options };
  }

  /** fetch() over the platform's HTTP client, with the provider's non-RFC answers rewritten as RFC ones. */
  private fetchVia(s: OAuth2Settings): (url: string, init: oauth.CustomFetchOptions<string, unknown>) => Promise<Response> {
    return async (url, init) => {
      const headers = Object.fromEntries(new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).entries());
      const res = await this.http.request({
        method: init.method,
        url,
        headers,
        body: init.body === undefined || init.body === null ? undefined : String(init.body),
        acceptStatus: () => true,
        retries: 0,
        timeoutMs: TOKEN_TIMEOUT_MS,
        secrets: [s.clientSecret],
        signal: init.signal ?? undefined,
      });
      let status = res.status;
      let text = res.text;
      if (s.tokenAnswer) {
        const out = s.tokenAnswer(status, res.body);
        status = out.status;
        text = typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      }
      const outHeaders = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) outHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
      if (s.tokenAnswer) outHeaders.set('content-type', 'application/json');
      return new Response(status === 204 || status === 304 ? null : text, { status, headers: outHeaders });
    };
  }

  private async grant(request: () => Promise<Response>, process: (res: Response) => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    let res: Response;
    try {
      res = await request();
    } catch (err) {
      throw new OAuth2Failure('unavailable', `The token endpoint could not be reached: ${(err as Error).message}`);
    }
    if (res.status === 429 || res.status >= 500) throw new OAuth2Failure('unavailable', `The token endpoint answered ${res.status}; try again later`);
    try {
      const t = await process(res);
      const extra = Object.fromEntries(Object.entries(t).filter(([k]) => !KNOWN_FIELDS.has(k)));
      return {
        accessToken: t.access_token,
        tokenType: t.token_type,
        refreshToken: t.refresh_token,
        expiresAt: typeof t.expires_in === 'number' ? Date.now() + t.expires_in * 1000 : null,
        scope: t.scope,
        extra,
      };
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError) {
        const description = err.error_description ? `: ${err.error_description}` : '';
        // invalid_grant: the refresh token (or code) is expired, revoked or was already used; only a new
        // authorisation helps. Same for a client the provider no longer knows.
        const kind: OAuth2FailureKind = err.error === 'invalid_grant' ? 'reconnect' : 'rejected';
        throw new OAuth2Failure(kind, `The provider refused the token request (${err.error}${description})`, err.error);
      }
      if (err instanceof oauth.WWWAuthenticateChallengeError) throw new OAuth2Failure('rejected', 'The provider refused the client credentials (401)', 'invalid_client');
      throw new OAuth2Failure('rejected', `The token answer is invalid: ${(err as Error).message}`);
    }
  }
}
