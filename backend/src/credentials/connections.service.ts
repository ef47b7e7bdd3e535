/**
 * Connections beyond stored fields: OAuth2 connections (create, authorise with PKCE and state, the
 * callback, refresh through AccessTokens), "Test connection", the workflows using a credential, and
 * the credential a run gets (an OAuth2 connection's current token turned into its connector's
 * fields, with a way to refresh it when the provider refuses it).
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { CredentialTest, CredentialUsage, McpToolList } from '@tributary/contracts';
import { listMcpTools, type McpCredentials } from '../connectors/mcp/index.js';
import { AuditService } from '../audit/audit.service.js';
import type { SecretBox } from '../common/crypto.js';
import { maskSecret } from '../common/crypto.js';
import { ValidationError } from '../common/errors.js';
import type { HttpClient } from '../common/http/http-client.js';
import { SECRET_BOX } from '../common/secret-box.provider.js';
import { zodIssuesToFieldErrors } from '../common/zod.js';
import { CONFIG, type Config } from '../config/config.js';
import { ConnectorError, type ConnectorDefinition } from '../connectors/sdk.js';
import { sqlOf } from '../database/sql.js';
import { findConnector } from '../engine/connectors.js';
import type { ResolvedCredential } from '../engine/types.js';
import { credentialAad, type Credential } from './credential.entity.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CredentialsService, toView, type CredentialView } from './credentials.service.js';
import { AccessTokens, deadConnection, type ConnectionRef } from './oauth2/access-tokens.js';
import { OAuth2Client, OAuth2Failure, type OAuth2Settings, type TokenSet } from './oauth2/oauth2-client.js';
import { oauth2ConfigSchema, settingsOf, type OAuth2Config } from './oauth2/oauth2-config.js';
import { TokensRepository } from './oauth2/tokens.repository.js';

export const CONNECTIONS_HTTP = Symbol('CONNECTIONS_HTTP');
const STATE_TTL_SECONDS = 600;
const TEST_TIMEOUT_MS = 15_000;

/** Where the provider sends the user back: the api's public callback. */
export function callbackUrl(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/api/oauth2/callback`;
}

@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger('Connections');

  constructor(
    private readonly repo: CredentialsRepository,
    private readonly credentials: CredentialsService,
    private readonly tokens: TokensRepository,
    private readonly access: AccessTokens,
    private readonly client: OAuth2Client,
    private readonly audit: AuditService,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CONNECTIONS_HTTP) private readonly http: HttpClient,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * A new OAuth2 connection. Authorization code: stored as `needs_connect` until the user approves
   * at the provider (`authorize`). Client credentials: the first token is requested now, and a
   * refusal stores nothing (the error names the field to fix).
   */
  async createOAuth2(tenantId: string, userId: string | null, input: { connector: string; name: string; oauth2: unknown }): Promise<CredentialView> {
    const connector = this.connectorOf(input.connector);
    const parsed = oauth2ConfigSchema.safeParse(input.oauth2);
    if (!parsed.success) throw new ValidationError('OAuth2 settings are invalid', zodIssuesToFieldErrors(parsed.error.issues, ['oauth2']));
    const config = parsed.data;
    const settings = settingsOf(connector, config, this.baseUrl(connector.key));
    let first: TokenSet | undefined;
    if (config.grant === 'client_credentials') {
      try {
        first = await this.client.clientCredentials(settings);
      } catch (err) {
        const message = err instanceof OAuth2Failure ? err.message : String(err);
        throw new ValidationError('The provider refused the client credentials', [{ path: 'oauth2.clientSecret', message }]);
      }
    }
    const id = crypto.randomUUID();
    const hints: Record<string, string> = { grant: config.grant, clientId: maskSecret(config.clientId), scopes: settings.scopes.join(' ') };
    const sealed = this.box.seal(JSON.stringify(config), credentialAad({ id, tenantId }));
    const row = await this.repo.insert({ id, tenantId, connector: connector.key, name: input.name, hints, createdBy: userId, kind: 'oauth2', status: 'needs_connect', ...sealed });
    await this.audit.record({ tenantId, userId, action: 'credential.create', targetType: 'credential', targetId: id, details: { connector: connector.key, name: input.name, kind: 'oauth2', grant: config.grant } });
    if (first) {
      await this.access.store(this.ref(row), connector.key, first);
      return this.view(await this.credentials.row(tenantId, id));
    }
    return this.view(row);
  }

  /** The provider's authorisation URL for this connection (also how a broken one is reconnected). */
  async authorize(tenantId: string, userId: string | null, id: string, returnTo: string | undefined): Promise<{ authorizationUrl: string }> {
    const row = await this.credentials.row(tenantId, id);
    if (row.kind !== 'oauth2') throw new ValidationError('Only OAuth2 connections are authorised', [{ path: 'id', message: 'This credential holds fields, not an OAuth2 connection' }]);
    const { settings } = this.settingsOf(row);
    if (settings.grant !== 'authorization_code') throw new ValidationError('Client credentials need no authorisation', [{ path: 'id', message: 'Use "Test connection" to request a new token' }]);
    const back = this.safeReturnTo(returnTo);
    const state = randomBytes(24).toString('base64url');
    const codeVerifier = randomBytes(48).toString('base64url');
    const redirectUri = callbackUrl(this.config);
    await this.tokens.addState({ state, tenantId, credentialId: id, userId, codeVerifier, redirectUri, returnTo: back }, STATE_TTL_SECONDS);
    return { authorizationUrl: await this.client.authorizationUrl(settings, { redirectUri, state, codeVerifier }) };
  }

  /**
   * The provider's redirect: checks the state (known, unused, unexpired), exchanges the code, stores
   * the tokens. Answers where to send the browser: the dashboard page the user came from, with
   * `connected=<id>` or `oauth_error=<message>`.
   */
  async callback(query: Record<string, string | undefined>): Promise<{ redirect: string; ok: boolean; message: string }> {
    const fallback = this.safeReturnTo(undefined);
    const pending = query.state ? await this.tokens.takeState(query.state) : undefined;
    if (!pending) {
      const message = 'This authorisation link is unknown, expired or was already used; start again from the Connections page';
      return { redirect: withParams(fallback, { oauth_error: message }), ok: false, message };
    }
    const back = pending.returnTo ?? fallback;
    const row = await this.repo.findInTenant(pending.tenantId, pending.credentialId);
    if (!row) return { redirect: withParams(back, { oauth_error: 'The connection was deleted meanwhile' }), ok: false, message: 'The connection was deleted meanwhile' };
    const { connector, settings } = this.settingsOf(row);
    try {
      const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const token = await this.client.exchangeCode(settings, { callback: params, expectedState: pending.state, redirectUri: pending.redirectUri, codeVerifier: pending.codeVerifier });
      await this.access.store(this.ref(row), connector.key, token);
      await this.audit.record({ tenantId: row.tenantId, userId: pending.userId, action: 'credential.connect', targetType: 'credential', targetId: row.id, details: { connector: row.connector, name: row.name } });
      return { redirect: withParams(back, { connected: row.id }), ok: true, message: `Connected "${row.name}"` };
    } catch (err) {
      const message = err instanceof OAuth2Failure ? err.message : `The connection failed: ${(err as Error).message}`;
      await this.tokens.transaction((sql) => this.tokens.setStatus(sql, row.id, row.status === 'needs_connect' ? 'needs_connect' : 'needs_reconnect', message));
      return { redirect: withParams(back, { oauth_error: message, credential: row.id }), ok: false, message };
    }
  }

  /** "Test connection": the connector's cheap authenticated call (or, for OAuth2 without one, getting a token). */
  async test(tenantId: string, userId: string | null, id: string): Promise<CredentialTest> {
    const row = await this.credentials.row(tenantId, id);
    const connector = this.connectorOf(row.connector);
    let ok: boolean;
    let message: string;
    try {
      const credentials = await this.credentialsFor(row, connector, { force: true });
      if (connector.test) {
        const signal = AbortSignal.timeout(TEST_TIMEOUT_MS);
        message = await connector.test({ credentials, http: this.http, baseUrl: this.baseUrl(connector.key), logger: this.connectorLogger(row), signal });
      } else {
        message = row.kind === 'oauth2' ? 'The provider issued an access token' : `${connector.name} has no test call; the fields match what it needs`;
      }
      ok = true;
    } catch (err) {
      ok = false;
      message = err instanceof Error ? err.message : String(err);
    }
    const status = ok ? 'ok' : row.kind === 'oauth2' && (await this.statusOf(row.id)) === 'needs_reconnect' ? 'needs_reconnect' : 'error';
    await this.tokens.transaction((sql) => this.tokens.setStatus(sql, row.id, status, ok ? null : message));
    await this.audit.record({ tenantId, userId, action: 'credential.test', targetType: 'credential', targetId: id, details: { ok } });
    return { ok, message, status };
  }

  /** An MCP connection's tools, listed from its server now (a failure answers 400 with what the server or the network said). */
  async mcpTools(tenantId: string, id: string): Promise<McpToolList> {
    const row = await this.credentials.row(tenantId, id);
    if (row.connector !== 'mcp') throw new ValidationError('Not an MCP connection', [{ path: 'id', message: `This credential is for "${row.connector}", not "mcp"` }]);
    const connector = this.connectorOf(row.connector);
    const credentials = (await this.credentialsFor(row, connector, {})) as McpCredentials;
    try {
      return { items: await listMcpTools({ credentials, http: this.http, baseUrl: this.baseUrl(connector.key), signal: AbortSignal.timeout(TEST_TIMEOUT_MS) }) };
    } catch (err) {
      throw new ValidationError('Could not list the MCP server\'s tools', [{ path: 'id', message: err instanceof Error ? err.message : String(err) }]);
    }
  }

  /** The workflows (any block depth) whose steps use the credential. */
  async usage(tenantId: string, id: string): Promise<CredentialUsage> {
    await this.credentials.row(tenantId, id);
    const workflows = await sqlOf(this.db)<{ id: string; name: string; enabled: boolean }>(
      `SELECT id, name, enabled FROM workflows WHERE tenant_id = $1 AND jsonb_path_exists(steps, '$.** ? (@.credentialId == $id)', jsonb_build_object('id', $2::text)) ORDER BY name, id`,
      [tenantId, id],
    );
    return { workflows };
  }

  /** Before deleting an OAuth2 connection: revoke its tokens at the provider (best effort). */
  async revoke(row: Credential): Promise<void> {
    if (row.kind !== 'oauth2') return;
    this.access.forget(row.id);
    const stored = await this.access.stored(this.ref(row)).catch(() => undefined);
    if (!stored) return;
    const { settings } = this.settingsOf(row);
    const token = stored.refreshToken ?? stored.accessToken;
    if (!(await this.client.revoke(settings, token))) this.logger.warn({ msg: 'token revocation failed or unsupported', credentialId: row.id });
  }

  /**
   * The credential a run's step gets: stored fields, or an OAuth2 connection's current token as its
   * connector's fields, with `refresh` for when the provider refuses the token.
   */
  async resolve(tenantId: string, id: string): Promise<ResolvedCredential> {
    const row = await this.credentials.row(tenantId, id);
    if (row.kind !== 'oauth2') return { connector: row.connector, data: this.credentials.open(row), credentialId: row.id };
    const { connector, settings } = this.settingsOf(row);
    const conn = this.ref(row);
    // One fields object per token: the step redactor is built once per object, not per step.
    let last: { token: string; data: Record<string, unknown> } | undefined;
    const fields = (t: TokenSet) => {
      if (last?.token !== t.accessToken) last = { token: t.accessToken, data: this.fieldsFrom(connector, t) };
      return last;
    };
    return {
      connector: row.connector,
      credentialId: row.id,
      data: {},
      current: async () => fields(await this.access.current(conn, settings)),
      refresh: async (rejected: string) => fields(await this.access.current(conn, settings, { rejected })),
    };
  }

  /** The view of a credential with its OAuth2 summary (for the list and detail). */
  async view(row: Credential): Promise<CredentialView> {
    return (await this.views([row]))[0];
  }

  async views(rows: Credential[]): Promise<CredentialView[]> {
    const oauthIds = rows.filter((r) => r.kind === 'oauth2').map((r) => r.id);
    const expiry = new Map<string, Date | null>();
    if (oauthIds.length) {
      const found = await sqlOf(this.db)<{ id: string; expiresAt: Date | null }>(`SELECT credential_id AS id, expires_at AS "expiresAt" FROM credential_tokens WHERE credential_id = ANY($1::uuid[])`, [oauthIds]);
      for (const f of found) expiry.set(f.id, f.expiresAt);
    }
    return rows.map((r) => {
      const v = toView(r);
      if (r.kind !== 'oauth2') return v;
      const grant = r.hints.grant === 'client_credentials' ? 'client_credentials' : 'authorization_code';
      return { ...v, oauth2: { grant, scopes: (r.hints.scopes ?? '').split(' ').filter(Boolean), expiresAt: expiry.get(r.id) ?? null, connected: expiry.has(r.id) } };
    });
  }

  private async credentialsFor(row: Credential, connector: ConnectorDefinition<unknown>, opts: { force?: boolean } = {}): Promise<unknown> {
    if (row.kind !== 'oauth2') {
      const data = this.credentials.open(row);
      const parsed = connector.credentials?.safeParse(data);
      if (parsed && !parsed.success) throw new ConnectorError(`The stored fields do not match ${connector.name}'s: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      return parsed?.data ?? data;
    }
    const { settings } = this.settingsOf(row);
    const conn = this.ref(row);
    if (opts.force && settings.grant === 'client_credentials') {
      // Testing a client-credentials connection asks the provider again, even after a refusal.
      try {
        await this.access.store(conn, connector.key, await this.client.clientCredentials(settings));
      } catch (err) {
        throw new ConnectorError(err instanceof OAuth2Failure ? err.message : String(err));
      }
    }
    const status = await this.statusOf(row.id);
    if (status === 'needs_connect' || status === 'needs_reconnect') throw deadConnection(conn, status, row.lastError);
    return this.fieldsFrom(connector, await this.access.current(conn, settings));
  }

  /** The connector's fields from an OAuth2 connection's token (what its actions and test get). */
  private fieldsFrom(connector: ConnectorDefinition<unknown>, t: TokenSet): Record<string, unknown> {
    return connector.oauth2!.toCredentials({ accessToken: t.accessToken, tokenType: t.tokenType, extra: t.extra }, this.baseUrl(connector.key)) as Record<string, unknown>;
  }

  private async statusOf(id: string): Promise<string | undefined> {
    const [r] = await sqlOf(this.db)<{ status: string }>(`SELECT status FROM credentials WHERE id = $1`, [id]);
    return r?.status;
  }

  private settingsOf(row: Credential): { connector: ConnectorDefinition<unknown>; settings: OAuth2Settings } {
    const connector = this.connectorOf(row.connector);
    const config = this.credentials.open(row) as OAuth2Config;
    return { connector, settings: settingsOf(connector, config, this.baseUrl(connector.key)) };
  }

  private connectorOf(key: string): ConnectorDefinition<unknown> {
    const connector = findConnector(key);
    if (!connector) throw new ValidationError('Request body is invalid', [{ path: 'connector', message: `Unknown connector "${key}"` }]);
    return connector;
  }

  private baseUrl(key: string): (d: string) => string {
    return (d) => this.config.connectorBaseUrls[key] ?? d;
  }

  private ref(row: Credential): ConnectionRef {
    return { id: row.id, tenantId: row.tenantId, name: row.name };
  }

  private connectorLogger(row: Credential) {
    const data = (d?: Record<string, unknown>) => ({ credentialId: row.id, tenantId: row.tenantId, ...d });
    return {
      info: (msg: string, d?: Record<string, unknown>) => this.logger.log({ msg, ...data(d) }),
      warn: (msg: string, d?: Record<string, unknown>) => this.logger.warn({ msg, ...data(d) }),
      error: (msg: string, d?: Record<string, unknown>) => this.logger.error({ msg, ...data(d) }),
    };
  }

  /** Only back to the dashboard's own origins (CORS_ORIGINS): never an open redirect. */
  private safeReturnTo(returnTo: string | undefined): string {
    const fallback = `${this.config.corsOrigins[0] ?? this.config.publicUrl}/connections`;
    if (!returnTo) return fallback;
    try {
      const u = new URL(returnTo);
      return this.config.corsOrigins.includes(u.origin) ? u.toString() : fallback;
    } catch {
      return fallback;
    }
  }

}

function withParams(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}
