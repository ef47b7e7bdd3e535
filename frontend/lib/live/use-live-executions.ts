import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api } from '../api/client';
import { keys } from '../api/keys';
import type { ExecutionSummary, Page } from '../api/types';
import { useRealtime } from '../realtime/use-realtime';

export type LiveSource = 'polling' | 'websocket';

/**
 * Every execution event (`execution.*`): queued, started, step, waiting (parked on a durable wait),
 * resumed (an approval, a resume webhook, a timer or a sub-workflow moved it on), succeeded, failed,
 * cancelled. Each changes a run's status or steps, so each refreshes what shows runs.
 */
const EXECUTION_EVENTS = 'execution.*';

/**
 * Refreshes the given queries when execution events arrive over the WebSocket, at most once per
 * `everyMs` (a burst of a thousand runs is one refetch, not a thousand). Returns whether the socket
 * is open, so callers poll only while it is not.
 */
export function useExecutionEvents(queryKeys: readonly (readonly unknown[])[], opts: { executionId?: string; everyMs?: number } = {}) {
  const qc = useQueryClient();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const everyMs = opts.everyMs ?? 1000;
  const { status } = useRealtime([EXECUTION_EVENTS], (m) => {
    const data = m.data as { executionId?: string } | undefined;
    if (opts.executionId && data?.executionId !== opts.executionId) return;
    const refresh = () => {
      last.current = Date.now();
      timer.current = null;
      for (const key of queryKeys) void qc.invalidateQueries({ queryKey: key });
    };
    if (timer.current) return;
    const wait = Math.max(0, last.current + everyMs - Date.now());
    timer.current = setTimeout(refresh, wait);
  });
  return status === 'open';
}

/** The live feed's one data source: WebSocket events while connected, polling as the fallback. */
export function useLiveExecutions(limit = 12) {
  const live = useExecutionEvents([keys.live, keys.stats]);
  const query = useQuery({
    queryKey: [...keys.live, limit],
    queryFn: ({ signal }) => api<Page<ExecutionSummary>>('/executions', { query: { limit }, signal }),
    refetchInterval: live ? false : 4000,
    refetchIntervalInBackground: false,
  });
  return {
    items: query.data?.items ?? [],
    isLoading: query.isLoading,
    error: query.error,
    refetch: query.refetch,
    source: (live ? 'websocket' : 'polling') as LiveSource,
    updatedAt: query.dataUpdatedAt,
  };
}
