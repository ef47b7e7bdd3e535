import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PlatformEventMap } from '../realtime/types';
import { useRealtime } from '../realtime/use-realtime';
import { api, apiUrl } from './client';
import { keys } from './keys';
import type { Connector, Credential, CredentialTest, CredentialUsage, McpToolList, Page } from './types';

export type OAuth2Grant = NonNullable<Connector['oauth2']>['grants'][number];

/** What `POST /credentials` takes for an OAuth2 connection (the URLs only for connectors with `userEndpoints`). */
export interface OAuth2Input {
  grant: OAuth2Grant;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  clientAuth?: 'basic' | 'post';
  authorizationUrl?: string;
  tokenUrl?: string;
  revocationUrl?: string;
}

export type CreateCredentialInput = { connector: string; name: string } & ({ data: Record<string, unknown> } | { oauth2: OAuth2Input });

export type CredentialStatusEvent = PlatformEventMap['credential.status'];

/** Where the provider sends the user after consent; to be registered at the provider (the api's public callback). */
export const OAUTH2_REDIRECT_URI = apiUrl('/oauth2/callback');

export function useCredentials(connector?: string, opts: { refetchInterval?: number | false } = {}) {
  return useInfiniteQuery({
    queryKey: keys.credentials(connector),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Credential>>('/credentials', { query: { connector, cursor: pageParam, limit: 100 }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: opts.refetchInterval,
    refetchIntervalInBackground: false,
  });
}

export function useCreateCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateCredentialInput) => api<Credential>('/credentials', { method: 'POST', body }),
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

/** "Test connection": one cheap authenticated call; the list refreshes with the new health either way. */
export function useTestCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<CredentialTest>(`/credentials/${id}/test`, { method: 'POST' }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['credentials'] }),
  });
}

/** This page's URL without its query: where the api sends the browser back after the provider's consent. */
export function currentPageUrl(): string {
  return `${window.location.origin}${window.location.pathname}`;
}

/**
 * Starts (or restarts, to reconnect) an OAuth2 authorisation. The answer's `authorizationUrl` is the
 * provider's consent page; the browser comes back to `returnTo` with `?connected=<id>` or
 * `?oauth_error=<message>&credential=<id>`.
 */
export function useAuthorizeCredential() {
  return useMutation({
    mutationFn: ({ id, returnTo }: { id: string; returnTo?: string }) =>
      api<{ authorizationUrl: string }>(`/credentials/${id}/oauth2/authorize`, { method: 'POST', body: { returnTo: returnTo ?? currentPageUrl() } }),
  });
}

/** The workflows whose steps use the credential (fetched only while `enabled`, e.g. a row is expanded). */
export function useCredentialUsage(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['credentials', 'usage', id] as const,
    queryFn: ({ signal }) => api<CredentialUsage>(`/credentials/${id}/usage`, { signal }),
    enabled,
  });
}

/**
 * Live connection health (`credential.status` over the WebSocket): refreshes every credential list
 * and hands the event to `onEvent`. Returns whether the socket is open, so callers poll only while
 * it is not.
 */
export function useCredentialStatusEvents(onEvent?: (event: CredentialStatusEvent) => void): boolean {
  const qc = useQueryClient();
  const { status } = useRealtime(['credential.status'], (m) => {
    if (m.event !== 'credential.status') return;
    void qc.invalidateQueries({ queryKey: ['credentials'] });
    onEvent?.(m.data);
  });
  return status === 'open';
}

/** One tool an MCP server offers (`GET /credentials/:id/mcp/tools`): its input is a JSON Schema. */
export type McpTool = McpToolList['items'][number];

/**
 * The tools of the MCP server an `mcp` connection points at, asked of the server through the api
 * (fetched while `credentialId` is set; a failure is the server's or the connection's: not retried).
 */
export function useMcpTools(credentialId: string | undefined) {
  return useQuery({
    queryKey: ['credentials', 'mcp-tools', credentialId ?? ''] as const,
    queryFn: ({ signal }) => api<McpToolList>(`/credentials/${credentialId}/mcp/tools`, { signal }).then((r) => r.items ?? []),
    enabled: !!credentialId,
    staleTime: 60_000,
    retry: false,
  });
}
