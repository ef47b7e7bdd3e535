import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { GatewaySyncReport, GeneratedKongTemplate, KongTemplate, KongTemplateOptions, KongTenantConfig, KongUseCase, Page } from './types';

export function useKongTemplates() {
  return useInfiniteQuery({
    queryKey: keys.kongTemplates,
    queryFn: ({ pageParam, signal }) => api<Page<KongTemplate>>('/kong/templates', { query: { limit: 50, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useGenerateKongTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { workflow_id: string; use_case: KongUseCase; options?: KongTemplateOptions }) =>
      api<GeneratedKongTemplate>('/kong/templates', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['kong'] }),
  });
}

export function useDeleteKongTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<{ id: string; pushed: GatewaySyncReport | null }>(`/kong/templates/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['kong'] }),
  });
}

/** The tenant's whole gateway config (admins only). */
export function useKongConfig(enabled: boolean) {
  return useQuery({
    queryKey: keys.kongConfig,
    queryFn: ({ signal }) => api<KongTenantConfig>('/kong/config', { signal }),
    enabled,
  });
}
