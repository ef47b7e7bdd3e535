import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntry, AuditFilter } from '@tributary/contracts';
import { sessionStore } from '../auth/session-store';
import { api, apiUrl, ApiError } from './client';
import type { Page } from './types';

export type { AuditEntry, AuditFilter } from '@tributary/contracts';

const PAGE_SIZE = 50;

/** Only the filters that are set, as the api's query parameters. */
function query(filters: AuditFilter): Record<string, string | undefined> {
  return { action: filters.action || undefined, actor: filters.actor || undefined, targetType: filters.targetType || undefined, targetId: filters.targetId || undefined, from: filters.from || undefined, to: filters.to || undefined };
}

/** `GET /audit`, newest first, page by page (admins). */
export function useAuditLog(filters: AuditFilter) {
  return useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam, signal }) => api<Page<AuditEntry>>('/audit', { query: { ...query(filters), limit: PAGE_SIZE, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** `GET /audit/export` with the same filters: downloads the JSON lines as a file. */
export async function downloadAuditExport(filters: AuditFilter): Promise<void> {
  const token = sessionStore.token();
  const res = await fetch(apiUrl('/audit/export', query(filters)), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    throw new ApiError(res.status, body.error ?? res.statusText, body.message ?? `HTTP ${res.status}`);
  }
  // The api's Content-Disposition is not readable cross-origin (CORS exposes no such header): the same name, made here.
  const name = `audit-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
