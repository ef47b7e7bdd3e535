/** Types for server.js, so the backend's TypeScript tests can start the identity provider. */
export interface OidcIdpAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface OidcIdp {
  /** e.g. http://127.0.0.1:41234 */
  issuer: string;
  port: number;
  /** Login name → claims (live: add accounts while it runs). */
  accounts: Record<string, OidcIdpAccount>;
  /** Follows the authorisation URL, signs in as `login` on the provider's form, answers the client's redirect URL (code, state, iss). */
  signIn(authorizationUrl: string, login: string): Promise<string>;
  close(): Promise<void>;
}

export function startOidcIdp(opts: {
  clients: { clientId: string; clientSecret: string; redirectUris: string[] }[];
  accounts?: Record<string, OidcIdpAccount>;
  port?: number;
  host?: string;
  /** false: email and name in the ID token too (default: only from UserInfo, as the specification's code flow has it). */
  conformIdTokenClaims?: boolean;
}): Promise<OidcIdp>;
