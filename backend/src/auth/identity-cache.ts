import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../access/auth.types.js';
import { PromiseCache } from '../common/promise-cache.js';
import { IdentitiesRepository } from './identities.repository.js';

/**
 * How long this process trusts what it read about a token's user. A role change or a removal made
 * through this process applies to the next request at once (users/ calls `forget`); other api
 * processes see it within this bound.
 */
export const IDENTITY_TTL_MS = 5_000;
const IDENTITY_CACHE_MAX = 10_000;

/** Who a valid token's user is right now (role, tenant), read through IdentitiesRepository and kept briefly. */
@Injectable()
export class IdentityCache {
  /** userId → the user as read (null: no such user any more); a failed read is not remembered. */
  private readonly cache = new PromiseCache<string, AuthUser | null>({ ttlMs: IDENTITY_TTL_MS, max: IDENTITY_CACHE_MAX });

  constructor(private readonly repo: IdentitiesRepository) {}

  /**
   * The user a valid token names, as the database has it now, or null when the user was removed.
   * Read at most once per IDENTITY_TTL_MS per user in this process, and again for a token issued
   * after the last read (a fresh login sees what it was issued with).
   */
  identity(userId: string, issuedAtMs = 0): Promise<AuthUser | null> {
    return this.cache.get(
      userId,
      () => this.repo.findById(userId).then((u) => (u ? { userId: u.id, tenantId: u.tenantId, role: u.role, email: u.email, via: 'jwt' as const } : null)),
      issuedAtMs,
    );
  }

  /** The user changed (role, removal): the next request reads it again. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }
}
