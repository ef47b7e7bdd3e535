/**
 * The subset of Kong 3 declarative configuration (DB-less, `_format_version: "3.0"`) that Tributary
 * writes. Field names are Kong's, so these objects serialise straight to kong.yml or POST /config.
 */

export interface KongPlugin {
  name: string;
  instance_name?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
  protocols?: string[];
  tags?: string[];
  /** Only on top-level plugins: the name or id of the entity the plugin is scoped to. */
  service?: string;
  route?: string;
  consumer?: string;
}

export interface KongRoute {
  name: string;
  paths?: string[];
  methods?: string[];
  hosts?: string[];
  headers?: Record<string, string[]>;
  protocols?: string[];
  strip_path?: boolean;
  preserve_host?: boolean;
  path_handling?: 'v0' | 'v1';
  regex_priority?: number;
  request_buffering?: boolean;
  response_buffering?: boolean;
  https_redirect_status_code?: number;
  /** Only on top-level routes; nested routes belong to their service. */
  service?: { name?: string; id?: string };
  plugins?: KongPlugin[];
  tags?: string[];
}

export interface KongService {
  name: string;
  url?: string;
  protocol?: string;
  host?: string;
  port?: number;
  path?: string;
  retries?: number;
  connect_timeout?: number;
  read_timeout?: number;
  write_timeout?: number;
  enabled?: boolean;
  routes?: KongRoute[];
  plugins?: KongPlugin[];
  tags?: string[];
}

export interface KongKeyAuthCredential {
  /** Kong sends it as X-Credential-Identifier; random when left out. */
  id?: string;
  key: string;
  ttl?: number;
  tags?: string[];
}

export interface KongJwtSecret {
  /** Matched against the token's `key_claim_name` claim (`iss` by default). */
  key: string;
  algorithm: 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'PS384' | 'PS512' | 'EdDSA';
  /** Used by HS*; Kong's declarative schema requires it even when an RSA key does the work. */
  secret: string;
  rsa_public_key?: string;
  tags?: string[];
}

export interface KongAclGroup {
  group: string;
  tags?: string[];
}

export interface KongConsumer {
  /** Kong sends it as X-Consumer-ID; random when left out. */
  id?: string;
  username?: string;
  custom_id?: string;
  tags?: string[];
  keyauth_credentials?: KongKeyAuthCredential[];
  jwt_secrets?: KongJwtSecret[];
  acls?: KongAclGroup[];
  plugins?: KongPlugin[];
}

export interface KongDeclarativeConfig {
  _format_version: '3.0';
  _transform?: boolean;
  _info?: { select_tags?: string[]; defaults?: Record<string, unknown> };
  services?: KongService[];
  routes?: KongRoute[];
  consumers?: KongConsumer[];
  plugins?: KongPlugin[];
}

/** The headers Kong sets after authentication; forged copies must never reach the api. */
export const KONG_CONSUMER_HEADERS = [
  'X-Consumer-ID',
  'X-Consumer-Custom-ID',
  'X-Consumer-Username',
  'X-Credential-Identifier',
  'X-Anonymous-Consumer',
  'X-Consumer-Groups',
] as const;
