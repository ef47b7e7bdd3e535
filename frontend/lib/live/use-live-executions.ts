import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { keys } from '../api/keys';
import type { ExecutionSummary, Page } from '../api/types';

export type LiveSource = 'polling' | 'websocket';

/**
 * The live feed's one data source. It polls today; when the real-time api (`/ws`, events
 * `execution.*`) lands, this hook switches to a WebSocket and its callers stay as they are.
 */
export function useLiveExecutions(limit = 12) {
  const query = useQuery({
    queryKey: [...keys.live, limit],
    queryFn: ({ signal }) => api<Page<ExecutionSummary>>('/executions', { query: { limit }, signal }),
    refetchInterval: 4000,
    refetchIntervalInBackground: false,
  });
  return {
    items: query.data?.items ?? [],
    isLoading: query.isLoading,
    error: query.error,
    refetch: query.refetch,
    source: 'polling' as LiveSource,
    updatedAt: query.dataUpdatedAt,
  };
}
