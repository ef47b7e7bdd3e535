import type { Role } from '@/lib/api/types';

export const ROLES: Role[] = ['admin', 'editor', 'viewer'];

/** What each role may do, as the api enforces it (viewers read, editors write, admins manage). */
export const roleSummary: Record<Role, string> = {
  admin: 'Everything, plus the team, API consumers and the whole gateway config.',
  editor: 'Builds and runs workflows, connections and gateway templates.',
  viewer: 'Sees workflows, runs and logs; changes nothing.',
};
