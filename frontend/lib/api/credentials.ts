import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Credential, Page } from './types';

export function useCredentials(connector?: string) {
  return useInfiniteQuery({
    queryKey: keys.credentials(connector),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Credential>>('/credentials', { query: { connector, cursor: pageParam, limit: 100 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCreateCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { connector: string; name: string; data: Record<string, unknown> }) =>
      api<Credential>('/credentials', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['credentials'] }),
  });
}

export function useDeleteCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/credentials/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['credentials'] }),
  });
}
