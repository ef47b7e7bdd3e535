/**
 * Current access tokens of OAuth2 connections, refreshed safely:
 * - ahead of expiry (one minute, or half the lifetime of a shorter token), and when a provider
 *   answered 401 (or its own "expired" signal) to the token in use;
 * - at most one refresh per connection at a time across every api and worker process: the refresh
 *   holds the lock of the connection's `credential_tokens` row (SELECT … FOR UPDATE) and whoever
 *   waited on it finds the fresh token when it gets the row; within a process, one caller per
 *   connection waits on the lock and the others share its answer;
 * - a rotated refresh token is written and committed before the new access token is handed to
 *   anyone, so no process ever refreshes with a retired one;
 * - a refused refresh (`invalid_grant`…) marks the connection `needs_reconnect`, announces it
 *   (`credential.status`), drops the dead tokens, and every later run fails at once with the same
 *   clear message, without calling the provider again, until someone reconnects.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { CredentialStatus } from '@tributary/contracts';
import type { SecretBox } from '../../common/crypto.js';
import { SECRET_BOX } from '../../common/secret-box.provider.js';
import { ConnectorError } from '../../connectors/sdk.js';
import { PlatformEvents } from '../../live/platform-events.js';
import type { Sql } from '../../database/sql.js';
import { OAuth2Client, OAuth2Failure, type OAuth2Settings, type TokenSet } from './oauth2-client.js';
import { TokensRepository, tokensAad, type TokenRow } from './tokens.repository.js';

/** The connection a token is for. */
export interface ConnectionRef {
  id: string;
  tenantId: string;
  name: string;
}

const AHEAD_MS = 60_000;

type Changed = { tenantId: string; name: string } | undefined;
type Outcome =
  | { kind: 'dead'; status: 'needs_connect' | 'needs_reconnect'; connector: string }
  | { kind: 'token'; token: TokenSet; refreshedAt: number; changed?: Changed; connector: string }
  | { kind: 'failure'; failure: OAuth2Failure; changed?: Changed; connector: string };

/** True while the token is good for longer than the refresh margin. */
export function isFresh(token: Pick<TokenSet, 'expiresAt'>, refreshedAt: number, now = Date.now()): boolean {
  if (token.expiresAt === null) return true;
  const ahead = Math.min(AHEAD_MS, Math.max(0, token.expiresAt - refreshedAt) / 2);
  return token.expiresAt - now > ahead;
}

@Injectable()
export class AccessTokens {
  private readonly cache = new Map<string, { token: TokenSet; refreshedAt: number }>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();

  constructor(
    private readonly repo: TokensRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    private readonly client: OAuth2Client,
    private readonly events: PlatformEvents,
  ) {}

  /**
   * A token good for a while; `rejected`: the provider just refused this one (refresh even if it has
   * not expired, unless someone already did).
   */
  async current(conn: ConnectionRef, settings: OAuth2Settings, opts: { rejected?: string } = {}): Promise<TokenSet> {
    const cached = this.cache.get(conn.id);
    if (cached && isFresh(cached.token, cached.refreshedAt) && cached.token.accessToken !== opts.rejected) return cached.token;
    const key = `${conn.id}:${opts.rejected ?? ''}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.obtain(conn, settings, opts.rejected).finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Stores the first token set of a connection (after the code exchange, or a client-credentials grant); marks it `ok`. */
  async store(conn: ConnectionRef, connector: string, token: TokenSet): Promise<void> {
    const changed = await this.repo.transaction(async (sql) => {
      await this.repo.write(sql, conn.tenantId, conn.id, this.box.seal(JSON.stringify(token), tokensAad(conn.tenantId, conn.id)), toDate(token.expiresAt));
      return this.repo.setStatus(sql, conn.id, 'ok', null);
    });
    this.cache.set(conn.id, { token, refreshedAt: Date.now() });
    if (changed) this.announce(conn.id, connector, changed, 'ok', null);
  }

  /** Forgets what this process holds (the connection was reconnected or deleted). */
  forget(credentialId: string): void {
    this.cache.delete(credentialId);
  }

  /** The stored token set, if any (for revocation and the credential view). */
  async stored(conn: ConnectionRef): Promise<(TokenSet & { refreshedAt: Date }) | undefined> {
    const row = await this.repo.read(conn.id);
    return row ? { ...this.open(row), refreshedAt: row.refreshedAt } : undefined;
  }

  private async obtain(conn: ConnectionRef, settings: OAuth2Settings, rejected: string | undefined): Promise<TokenSet> {
    const outcome = await this.repo.transaction(async (sql): Promise<Outcome> => {
      const row = await this.repo.lock(sql, conn.id);
      const [{ status, connector }] = await sql<{ status: CredentialStatus; connector: string }>(`SELECT status, connector FROM credentials WHERE id = $1`, [conn.id]);
      if (status === 'needs_reconnect' || status === 'needs_connect') return { kind: 'dead', status, connector };
      const current = row ? this.open(row) : undefined;
      if (current && isFresh(current, row!.refreshedAt.getTime()) && current.accessToken !== rejected) return { kind: 'token', token: current, refreshedAt: row!.refreshedAt.getTime(), connector };
      return this.renew(sql, conn, settings, current, connector);
    });
    switch (outcome.kind) {
      case 'dead':
        throw deadConnection(conn, outcome.status, await this.lastError(conn.id));
      case 'failure':
        if (outcome.changed) this.announce(conn.id, outcome.connector, outcome.changed, 'needs_reconnect', outcome.failure.message);
        throw deadConnection(conn, 'needs_reconnect', outcome.failure.message);
      case 'token':
        if (outcome.changed) this.announce(conn.id, outcome.connector, outcome.changed, 'ok', null);
        this.cache.set(conn.id, { token: outcome.token, refreshedAt: outcome.refreshedAt });
        return outcome.token;
    }
  }

  /** Under the row lock: a new token from the provider, stored before it is used. */
  private async renew(sql: Sql, conn: ConnectionRef, settings: OAuth2Settings, current: TokenSet | undefined, connector: string): Promise<Outcome> {
    try {
      let next: TokenSet;
      if (settings.grant === 'client_credentials') next = await this.client.clientCredentials(settings);
      else if (current?.refreshToken) next = await this.client.refresh(settings, current.refreshToken);
      else throw new OAuth2Failure('reconnect', current ? 'The provider gave no refresh token and the access token expired' : 'The connection was never authorised');
      // A provider that does not rotate refresh tokens answers none: the one we have stays good.
      next.refreshToken ??= current?.refreshToken;
      await this.repo.write(sql, conn.tenantId, conn.id, this.box.seal(JSON.stringify(next), tokensAad(conn.tenantId, conn.id)), toDate(next.expiresAt));
      const changed = await this.repo.setStatus(sql, conn.id, 'ok', null);
      return { kind: 'token', token: next, refreshedAt: Date.now(), changed, connector };
    } catch (err) {
      if (!(err instanceof OAuth2Failure) || err.kind === 'unavailable') {
        throw new ConnectorError(`Connection "${conn.name}": ${(err as Error).message}`, { retryable: true });
      }
      // Refused: only the user can fix it. Drop the dead tokens (nobody tries them again) and say so.
      await sql(`DELETE FROM credential_tokens WHERE credential_id = $1`, [conn.id]);
      const changed = await this.repo.setStatus(sql, conn.id, 'needs_reconnect', err.message);
      return { kind: 'failure', failure: err, changed, connector };
    }
  }

  private async lastError(id: string): Promise<string | null> {
    return this.repo.lastError(id);
  }

  private open(row: TokenRow): TokenSet {
    return JSON.parse(this.box.open(row, tokensAad(row.tenantId, row.credentialId))) as TokenSet;
  }

  private announce(credentialId: string, connector: string, row: { tenantId: string; name: string }, status: CredentialStatus, error: string | null): void {
    this.events.publish(row.tenantId, 'credential.status', { credentialId, connector, name: row.name, status, error });
  }
}

function toDate(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** What a run hears from a connection nobody can use until the user acts. */
export function deadConnection(conn: ConnectionRef, status: CredentialStatus, reason: string | null): ConnectorError {
  const what = status === 'needs_connect' ? 'is not connected yet: connect it on the Connections page' : 'needs to be reconnected on the Connections page';
  return new ConnectorError(`Connection "${conn.name}" ${what}${reason ? ` (${reason})` : ''}`, { retryable: false });
}
