import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { useExecutionEvents } from '../live/use-live-executions';
import { keys } from './keys';
import type { Execution, ExecutionFilters, ExecutionSummary, Page, Stats } from './types';

const ACTIVE = new Set(['queued', 'running']);

export function useExecutions(filters: ExecutionFilters) {
  const live = useExecutionEvents([['executions', 'list']], { everyMs: 2000 });
  return useInfiniteQuery({
    queryKey: keys.executions(filters),
    queryFn: ({ pageParam, signal }) =>
      api<Page<ExecutionSummary>>('/executions', {
        query: {
          status: filters.status,
          workflowId: filters.workflowId,
          from: filters.from,
          to: filters.to,
          limit: 25,
          cursor: pageParam,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: live ? false : 10_000,
  });
}

export function useExecution(id: string) {
  const live = useExecutionEvents([keys.execution(id)], { executionId: id, everyMs: 300 });
  return useQuery({
    queryKey: keys.execution(id),
    queryFn: ({ signal }) => api<Execution>(`/executions/${id}`, { signal }),
    // Follow a run until it settles: its step events over the socket, or polling without one.
    refetchInterval: (q) => (!live && q.state.data && ACTIVE.has(q.state.data.status) ? 1500 : false),
  });
}

export function useRetryExecution() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ executionId: string }>(`/executions/${id}/retry`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['executions'] }),
  });
}

/** Cancels a queued or running execution; answers it as it is now (`cancelled`). */
export function useCancelExecution() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Execution>(`/executions/${id}/cancel`, { method: 'POST', body: {} }),
    onSuccess: (e) => {
      qc.setQueryData(keys.execution(e.id), e);
      void qc.invalidateQueries({ queryKey: ['executions'] });
    },
  });
}

export function useStats() {
  return useQuery({
    queryKey: keys.stats,
    queryFn: ({ signal }) => api<Stats>('/stats', { signal }),
    refetchInterval: 15_000,
  });
}
