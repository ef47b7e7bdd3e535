import { Injectable, Logger } from '@nestjs/common';
import { API_KEY_PATTERN } from '@tributary/contracts';
import { AuditService } from '../audit/audit.service.js';
import { UnauthorizedError } from '../common/errors.js';
import { PromiseCache } from '../common/promise-cache.js';
import { hashSecretToken } from '../common/secret-token.js';
import type { ApiKeyRow } from './api-key.row.js';
import { ApiKeysRepository } from './api-keys.repository.js';

/**
 * How long this process trusts what it read about a key. A revocation made through this process
 * applies to the next request at once (`forget`); other api processes see it within this bound, as
 * they see a member's role change (auth/identity-cache.ts).
 */
export const API_KEY_TTL_MS = 5_000;
const API_KEY_CACHE_MAX = 10_000;
/** `last_used_at` is written at most this often per key (a request does not cost a write). */
export const LAST_USED_EVERY_MS = 60_000;

/**
 * Whether a `trb_…` bearer names a key that may be used now: looked up by the SHA-256 of the key
 * (indexed), kept a few seconds per hash in a PromiseCache so a busy key costs no query per request;
 * revoked and expired keys answer 401 with the reason. Its use is recorded in the background:
 * `last_used_at` at most once a minute, an `auth.api_key` audit entry at most once an hour.
 */
@Injectable()
export class ApiKeyVerifier {
  private readonly logger = new Logger('ApiKeys');
  /** hex SHA-256 of the key → the key as read (null: no such key); a failed read is not remembered. */
  private readonly cache = new PromiseCache<string, ApiKeyRow | null>({ ttlMs: API_KEY_TTL_MS, max: API_KEY_CACHE_MAX });
  /** key id → when this process last recorded its use (ms). */
  private readonly usedAt = new Map<string, number>();

  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  /** The key a bearer names, usable now; 401 otherwise (unknown, revoked, expired). */
  async verify(token: string): Promise<ApiKeyRow> {
    // The shape first: garbage never reaches the cache or PostgreSQL.
    if (!API_KEY_PATTERN.test(token)) throw new UnauthorizedError('Invalid API key');
    const hash = hashSecretToken(token);
    const key = await this.cache.get(hash.toString('hex'), () => this.repo.findByHash(hash));
    if (!key) throw new UnauthorizedError('Invalid API key');
    if (key.revokedAt) throw new UnauthorizedError('API key revoked');
    if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now()) {
      throw new UnauthorizedError(`API key expired on ${new Date(key.expiresAt).toISOString()}`);
    }
    return key;
  }

  /**
   * Records an accepted request of the key, without making it wait: at most one `last_used_at` write a
   * minute per key and process (and the statement itself skips a row another process touched within
   * the minute), and the hourly audit entry when the statement says it is due.
   */
  recordUse(key: ApiKeyRow, ip?: string): void {
    const now = Date.now();
    const last = this.usedAt.get(key.id);
    if (last !== undefined && now - last < LAST_USED_EVERY_MS) return;
    if (this.usedAt.size >= API_KEY_CACHE_MAX) this.usedAt.clear();
    this.usedAt.set(key.id, now);
    void this.repo
      .touch(key.id)
      .then(({ audit }) =>
        audit
          ? this.audit.record({
              tenantId: key.tenantId,
              userId: key.userId,
              action: 'auth.api_key',
              targetType: 'api_key',
              targetId: key.id,
              details: { name: key.name, prefix: key.prefix, kind: key.kind, scope: key.scope },
              ip,
            })
          : undefined,
      )
      .catch((err: unknown) => {
        // Try again on the next request rather than in a minute.
        this.usedAt.delete(key.id);
        this.logger.warn({ msg: 'could not record the use of an API key', keyId: key.id, err: (err as Error).message });
      });
  }

  /** The key changed (revoked): the next request with it reads it again. */
  forget(keyHash: Buffer): void {
    this.cache.delete(keyHash.toString('hex'));
  }
}
