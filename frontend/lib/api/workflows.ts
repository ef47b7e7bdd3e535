import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { DryRunResult, Page, Step, Trigger, Workflow, WorkflowInput, WorkflowVersion } from './types';

export function useWorkflows() {
  return useInfiniteQuery({
    queryKey: keys.workflows,
    queryFn: ({ pageParam, signal }) => api<Page<Workflow>>('/workflows', { query: { limit: 50, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Every workflow's name, trigger, tool setting and input schema, for filters and pickers (follows the cursor up to a few pages). */
export function useWorkflowOptions() {
  return useQuery({
    queryKey: [...keys.workflows, 'options'],
    queryFn: async ({ signal }) => {
      const all: Workflow[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await api<Page<Workflow>>('/workflows', { query: { limit: 100, cursor }, signal });
        all.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return all.map((w) => ({ id: w.id, name: w.name, trigger: w.trigger, tool: w.tool ?? null, inputSchema: w.inputSchema ?? null }));
    },
    staleTime: 60_000,
  });
}

export function useWorkflow(id: string | undefined) {
  return useQuery({
    queryKey: keys.workflow(id ?? ''),
    queryFn: ({ signal }) => api<Workflow>(`/workflows/${id}`, { signal }),
    enabled: !!id,
  });
}

export function useSaveWorkflow(id: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WorkflowInput) =>
      id ? api<Workflow>(`/workflows/${id}`, { method: 'PUT', body }) : api<Workflow>('/workflows', { method: 'POST', body }),
    onSuccess: (wf) => {
      qc.setQueryData(keys.workflow(wf.id), wf);
      void qc.invalidateQueries({ queryKey: keys.workflows, exact: false, refetchType: 'none' });
      void qc.invalidateQueries({ queryKey: keys.versions(wf.id) });
    },
  });
}

export function useToggleWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      api<Workflow>(`/workflows/${id}/toggle`, { method: 'PUT', body: { enabled } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows }),
  });
}

export function useDeleteWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/workflows/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workflows }),
  });
}

export function useVersions(id: string | undefined) {
  return useQuery({
    queryKey: keys.versions(id ?? ''),
    queryFn: ({ signal }) => api<{ items: WorkflowVersion[] }>(`/workflows/${id}/versions`, { signal }),
    enabled: !!id,
  });
}

/** One saved version (immutable once written: cached for the page's life). */
export function useVersion(id: string | undefined, version: number | undefined) {
  return useQuery({
    queryKey: [...keys.versions(id ?? ''), version],
    queryFn: ({ signal }) => api<WorkflowVersion>(`/workflows/${id}/versions/${version}`, { signal }),
    enabled: !!id && version !== undefined,
    staleTime: Infinity,
  });
}

export function useRollback(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => api<Workflow>(`/workflows/${id}/rollback/${version}`, { method: 'POST', body: {} }),
    onSuccess: (wf) => {
      qc.setQueryData(keys.workflow(id), wf);
      void qc.invalidateQueries({ queryKey: keys.versions(id) });
      void qc.invalidateQueries({ queryKey: keys.workflows, refetchType: 'none' });
    },
  });
}

export type DryRunRequest =
  | { id: string; payload: unknown }
  | { draft: { trigger: Trigger; steps: Step[]; environment?: string; pinData?: Record<string, unknown> }; payload: unknown };

export function useDryRun() {
  return useMutation({
    mutationFn: (req: DryRunRequest) =>
      'id' in req
        ? api<DryRunResult>(`/workflows/${req.id}/dry-run`, { method: 'POST', body: { payload: req.payload } })
        : api<DryRunResult>('/workflows/dry-run', { method: 'POST', body: { workflow: req.draft, payload: req.payload } }),
  });
}

export function useRunWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, payload }: { id: string; payload: unknown }) =>
      api<{ executionId: string }>(`/workflows/${id}/run`, { method: 'POST', body: { payload } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['executions'] }),
  });
}
