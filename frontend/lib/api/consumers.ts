import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { ApiConsumer, ApiConsumerWithKey, ConsumerUsage, GatewaySyncReport, Page } from './types';

/** API consumers are an admin's business: the queries wait for `enabled`. */
export function useConsumers(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: keys.consumers,
    queryFn: ({ pageParam, signal }) => api<Page<ApiConsumer>>('/consumers', { query: { limit: 50, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled,
  });
}

// Consumers are part of the gateway config: a change invalidates it as well.
function useInvalidateConsumers() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: keys.consumers }), qc.invalidateQueries({ queryKey: keys.kongConfig })]);
}

export function useCreateConsumer() {
  const invalidate = useInvalidateConsumers();
  return useMutation({
    mutationFn: (body: { username: string; plan?: string; groups?: string[] }) => api<ApiConsumerWithKey>('/consumers', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

export function useRotateConsumerKey() {
  const invalidate = useInvalidateConsumers();
  return useMutation({
    mutationFn: (id: string) => api<ApiConsumerWithKey>(`/consumers/${id}/rotate-key`, { method: 'POST', body: {} }),
    onSuccess: invalidate,
  });
}

export function useDeleteConsumer() {
  const invalidate = useInvalidateConsumers();
  return useMutation({
    mutationFn: (id: string) => api<{ pushed: GatewaySyncReport | null }>(`/consumers/${id}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Requests per day and route; `from`/`to` are UTC dates (the api defaults to the last 30 days). */
export function useConsumerUsage(id: string | undefined, range: { from?: string; to?: string } = {}) {
  return useQuery({
    queryKey: keys.consumerUsage(id ?? '', range),
    queryFn: ({ signal }) => api<ConsumerUsage>(`/consumers/${id}/usage`, { query: range, signal }),
    enabled: !!id,
    refetchInterval: 30_000,
  });
}
