import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth.types.js';
import type { Role } from '../auth/user.entity.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { PromiseCache } from '../common/promise-cache.js';
import { toPage, type Page } from '../common/pagination.js';
import { PlatformEvents } from '../executions/execution-events.js';
import { TeamRepository, type MemberRow } from './team.repository.js';
import type { TeamMember as MemberView } from '@tributary/contracts';

/** A member as answered: the contract's team member. */
export type { TeamMember as MemberView } from '@tributary/contracts';

/**
 * How long this process trusts what it read about a token's user. A role change or a removal made
 * through this process applies to the next request at once (the entry is dropped); other api
 * processes see it within this bound.
 */
export const IDENTITY_TTL_MS = 5_000;
const IDENTITY_CACHE_MAX = 10_000;

const LAST_ADMIN = 'A workspace needs at least one admin: make another member admin first';

export function toMemberView(u: MemberRow): MemberView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    lastLoginAt: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

/** The members of a tenant: listing, role changes, removal, and who a token's user is right now. */
@Injectable()
export class UsersService {
  /** userId → the user as read at `readAt` (null: no such user any more), trusted until `expires`. */
  private readonly identities = new PromiseCache<string, AuthUser | null>({ ttlMs: IDENTITY_TTL_MS, max: IDENTITY_CACHE_MAX });

  constructor(
    private readonly repo: TeamRepository,
    private readonly audit: AuditService,
    private readonly events: PlatformEvents,
  ) {}

  async list(tenantId: string, q: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const page = toPage(await this.repo.listMembers(tenantId, q.limit, q.cursor), q.limit);
    return { items: page.items.map(toMemberView), nextCursor: page.nextCursor };
  }

  async changeRole(tenantId: string, actorId: string, id: string, role: Role): Promise<MemberView> {
    if (!isUuid(id)) throw new NotFoundError('User');
    const { before, after } = await this.repo.transaction(tenantId, async (sql) => {
      const user = await this.repo.findMember(tenantId, id, sql);
      if (!user) throw new NotFoundError('User');
      if (user.role === role) return { before: user, after: user };
      if (user.role === 'admin' && (await this.repo.countAdmins(tenantId, sql)) <= 1) throw new ConflictError(LAST_ADMIN);
      return { before: user, after: (await this.repo.setRole(tenantId, id, role, sql))! };
    });
    if (before.role !== after.role) {
      this.forget(id);
      await this.audit.record({ tenantId, userId: actorId, action: 'user.role_change', targetType: 'user', targetId: id, details: { email: after.email, from: before.role, to: after.role } });
    }
    return toMemberView(after);
  }

  /** Removes the user from the tenant (and the platform: a user belongs to one tenant); their tokens stop working. */
  async remove(tenantId: string, actorId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('User');
    const removed = await this.repo.transaction(tenantId, async (sql) => {
      const user = await this.repo.findMember(tenantId, id, sql);
      if (!user) throw new NotFoundError('User');
      if (user.role === 'admin' && (await this.repo.countAdmins(tenantId, sql)) <= 1) throw new ConflictError(LAST_ADMIN);
      await this.repo.deleteMember(tenantId, id, sql);
      return user;
    });
    this.forget(id);
    // Their open WebSockets, on any api process, close now rather than when their token expires.
    this.events.publish(tenantId, 'user.removed', { userId: id });
    await this.audit.record({ tenantId, userId: actorId, action: 'user.remove', targetType: 'user', targetId: id, details: { email: removed.email, role: removed.role } });
  }

  /**
   * The user a valid token names, as the database has it now (role, tenant), or null when the user
   * was removed. Read at most once per IDENTITY_TTL_MS per user in this process, and again for a
   * token issued after the last read (a fresh login sees what it was issued with).
   */
  identity(userId: string, issuedAtMs = 0): Promise<AuthUser | null> {
    // A failed read is not remembered (PromiseCache): the next request asks again.
    return this.identities.get(
      userId,
      () => this.repo.findUserById(userId).then((u) => (u ? { userId: u.id, tenantId: u.tenantId, role: u.role, email: u.email } : null)),
      issuedAtMs,
    );
  }

  private forget(userId: string): void {
    this.identities.delete(userId);
  }
}
