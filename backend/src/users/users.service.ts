import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Role } from '../access/roles.js';
import { ConflictError, NotFoundError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { toPage, type Page } from '../common/pagination.js';
import { PlatformEvents } from '../live/platform-events.js';
import { IdentityCache } from '../auth/identity-cache.js';
import { TeamRepository, type MemberRow } from './team.repository.js';
import type { TeamMember as MemberView } from '@tributary/contracts';

/** A member as answered: the contract's team member. */
export type { TeamMember as MemberView } from '@tributary/contracts';

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

/** The members of a tenant: listing, role changes, removal (auth's IdentityCache forgets a changed user at once). */
@Injectable()
export class UsersService {
  constructor(
    private readonly repo: TeamRepository,
    private readonly audit: AuditService,
    private readonly events: PlatformEvents,
    private readonly identities: IdentityCache,
  ) {}

  async list(tenantId: string, q: { limit: number; cursor?: string }): Promise<Page<MemberView>> {
    const page = toPage(await this.repo.listMembers(tenantId, q.limit, q.cursor), q.limit);
    return { items: page.items.map(toMemberView), nextCursor: page.nextCursor };
  }

  async changeRole(tenantId: string, actorId: string | null, id: string, role: Role): Promise<MemberView> {
    if (!isUuid(id)) throw new NotFoundError('User');
    const { before, after } = await this.repo.transaction(tenantId, async (sql) => {
      const user = await this.repo.findMember(tenantId, id, sql);
      if (!user) throw new NotFoundError('User');
      if (user.role === role) return { before: user, after: user };
      if (user.role === 'admin' && (await this.repo.countAdmins(tenantId, sql)) <= 1) throw new ConflictError(LAST_ADMIN);
      return { before: user, after: (await this.repo.setRole(tenantId, id, role, sql))! };
    });
    if (before.role !== after.role) {
      this.identities.forget(id);
      await this.audit.record({ tenantId, userId: actorId, action: 'user.role_change', targetType: 'user', targetId: id, details: { email: after.email, from: before.role, to: after.role } });
    }
    return toMemberView(after);
  }

  /** Removes the user from the tenant (and the platform: a user belongs to one tenant); their tokens stop working. */
  async remove(tenantId: string, actorId: string | null, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFoundError('User');
    const removed = await this.repo.transaction(tenantId, async (sql) => {
      const user = await this.repo.findMember(tenantId, id, sql);
      if (!user) throw new NotFoundError('User');
      if (user.role === 'admin' && (await this.repo.countAdmins(tenantId, sql)) <= 1) throw new ConflictError(LAST_ADMIN);
      await this.repo.deleteMember(tenantId, id, sql);
      return user;
    });
    this.identities.forget(id);
    // Their open WebSockets, on any api process, close now rather than when their token expires.
    this.events.publish(tenantId, 'user.removed', { userId: id });
    await this.audit.record({ tenantId, userId: actorId, action: 'user.remove', targetType: 'user', targetId: id, details: { email: removed.email, role: removed.role } });
  }
}
