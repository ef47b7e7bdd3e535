import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TemplateList, WorkflowExport } from '@tributary/contracts/templates';
import { api } from '@/lib/api/client';
import { keys } from '@/lib/api/keys';
import type { Workflow } from '@/lib/api/types';

/** Reference → this workspace's credential or workflow id (docs/templates.md). */
export interface RefMapping {
  credentials: Record<string, string>;
  workflows: Record<string, string>;
}

export function useTemplates() {
  return useQuery({
    queryKey: ['templates'],
    queryFn: ({ signal }) => api<TemplateList>('/templates', { signal }),
    staleTime: 5 * 60_000,
  });
}

export function useUseTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ key, mapping }: { key: string; mapping: RefMapping }) =>
      api<Workflow>(`/templates/${encodeURIComponent(key)}/use`, { method: 'POST', body: { credentials: mapping.credentials, workflows: mapping.workflows } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows }),
  });
}

export function useImportWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ document, mapping }: { document: unknown; mapping: RefMapping }) =>
      api<Workflow>('/workflows/import', { method: 'POST', body: { document, credentials: mapping.credentials, workflows: mapping.workflows } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows }),
  });
}

/** A file name for a workflow's export: `<name>.tributary.json`, without characters file systems refuse. */
export function exportFileName(name: string): string {
  const safe = [...name].map((ch) => (ch < ' ' || '\\/:*?"<>|'.includes(ch) ? '-' : ch)).join('').trim() || 'workflow';
  return `${safe}.tributary.json`;
}

/** Downloads the workflow's export document (`GET /workflows/:id/export`) as a JSON file. */
export async function downloadExport(id: string, name: string): Promise<void> {
  const doc = await api<WorkflowExport>(`/workflows/${id}/export`);
  const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = exportFileName(name);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
