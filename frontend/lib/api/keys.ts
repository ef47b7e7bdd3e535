import type { ExecutionFilters } from './types';

/** Query keys in one place, so mutations invalidate exactly what they change. */
export const keys = {
  authOptions: ['auth', 'options'] as const,
  me: ['auth', 'me'] as const,
  connectors: ['connectors'] as const,
  credentials: (connector?: string) => ['credentials', connector ?? 'all'] as const,
  workflows: ['workflows'] as const,
  workflow: (id: string) => ['workflows', id] as const,
  versions: (id: string) => ['workflows', id, 'versions'] as const,
  executions: (filters: ExecutionFilters = {}) => ['executions', 'list', filters] as const,
  execution: (id: string) => ['executions', id] as const,
  live: ['executions', 'live'] as const,
  stats: ['stats'] as const,
  kongTemplates: ['kong', 'templates'] as const,
  kongConfig: ['kong', 'config'] as const,
  consumers: ['consumers'] as const,
  consumerUsage: (id: string, range: { from?: string; to?: string } = {}) => ['consumers', id, 'usage', range] as const,
  members: ['team', 'members'] as const,
  invitations: ['team', 'invitations'] as const,
};
