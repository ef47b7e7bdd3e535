import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { useExecutionEvents } from '../live/use-live-executions';
import { keys } from './keys';
import type { ApprovalDecision, Execution, ExecutionFilters, ExecutionSummary, Page, Stats } from './types';

const ACTIVE = new Set(['queued', 'running']);
/** Parked on a durable wait: someone else (an approver, a resume webhook, a timer) moves it on. */
const PARKED = new Set(['waiting']);

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
    // Follow a run until it settles: its events over the socket (steps, waiting, resumed), or polling
    // without one (slower while it waits: a person or a timer resumes it).
    refetchInterval: (q) => {
      const status = q.state.data?.status;
      if (live || !status) return false;
      return ACTIVE.has(status) ? 1500 : PARKED.has(status) ? 5000 : false;
    },
  });
}

export function useRetryExecution() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ executionId: string }>(`/executions/${id}/retry`, { method: 'POST', body: {} }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['executions'] }),
  });
}

/** Cancels a queued, running or waiting execution; answers it as it is now (`cancelled`). */
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

/** `POST /executions/:id/approve` and `/reject`: decides a pending approval (`stepId`: which one, by id or path). */
export function useDecideApproval(executionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ approve, stepId, comment }: { approve: boolean; stepId?: string; comment?: string }) =>
      api<ApprovalDecision>(`/executions/${executionId}/${approve ? 'approve' : 'reject'}`, {
        method: 'POST',
        body: { ...(stepId ? { stepId } : {}), ...(comment ? { data: { comment } } : {}) },
      }),
    onSettled: () => {
      // Also after a 409 (someone else decided first): show the execution as it is now.
      void qc.invalidateQueries({ queryKey: ['executions'] });
      void qc.invalidateQueries({ queryKey: keys.stats });
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
