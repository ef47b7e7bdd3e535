import type { ApiKeyScope } from '@/lib/api/api-keys';
import type { Role } from '@/lib/api/types';

/** What each scope lets a key do, in the words of the create dialog. */
export const scopeSummary: Record<ApiKeyScope, string> = {
  read: 'Read only: every GET route (workflows, logs, connections…).',
  write: 'What an editor may do: build, run and change workflows and connections.',
  admin: 'What an admin may do, team and audit log included.',
};

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
const SCOPE_ROLE: Record<ApiKeyScope, Role> = { read: 'viewer', write: 'editor', admin: 'admin' };

/** The scopes a member of that role may give a key (up to their role). */
export function scopesFor(role: Role | undefined): ApiKeyScope[] {
  return (['read', 'write', 'admin'] as const).filter((s) => RANK[SCOPE_ROLE[s]] <= RANK[role ?? 'viewer']);
}
