import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { ApiKey, CreateApiKeyInput, CreatedApiKey, Page } from '@tributary/contracts';
import { api } from './client';

export type { ApiKey, ApiKeyKind, ApiKeyScope, ApiKeyStatus, CreateApiKeyInput, CreatedApiKey } from '@tributary/contracts';
export { API_KEY_SCOPES } from '@tributary/contracts/api-keys';

/** The query key of the key list (kept here: nothing else reads or changes API keys). */
export const apiKeysQueryKey = ['api-keys'] as const;

/** Admins: every key of the workspace; others: their own. Revoked and expired keys are listed too. */
export function useApiKeys() {
  return useInfiniteQuery({
    queryKey: apiKeysQueryKey,
    queryFn: ({ pageParam, signal }) => api<Page<ApiKey>>('/api-keys', { query: { limit: 100, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Answers the key with its secret (`key`), the only time the api shows it. */
export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKeyInput) => api<CreatedApiKey>('/api-keys', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: apiKeysQueryKey }),
  });
}

export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api-keys/${id}`, { method: 'DELETE' }),
    onSettled: () => qc.invalidateQueries({ queryKey: apiKeysQueryKey }),
  });
}

/** The `expiresAt` an expiry choice of the create dialog stands for (a date: the end of that day, local time). */
export function expiryFrom(choice: 'never' | '30' | '90' | 'date', date?: string, now = Date.now()): string | null {
  if (choice === 'never') return null;
  if (choice === 'date') return date ? new Date(`${date}T23:59:59`).toISOString() : null;
  return new Date(now + Number(choice) * 86_400_000).toISOString();
}
