import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EnvironmentList, Variable, VariableDraft, VariableUpdate, WorkflowPromotion } from '@tributary/contracts';
import { api } from './client';
import { keys } from './keys';
import type { Workflow } from './types';

export type { EnvironmentList, Variable, VariableDraft, VariableUpdate, WorkflowPromotion };

const variablesKey = ['variables'] as const;
const environmentsKey = ['environments'] as const;

/** Every variable of the workspace (secret ones with hints only). */
export function useVariables() {
  return useQuery({
    queryKey: variablesKey,
    queryFn: ({ signal }) => api<{ items: Variable[] }>('/variables', { signal }),
  });
}

/** The environments in use (by a value or a workflow), production always. */
export function useEnvironments() {
  return useQuery({
    queryKey: environmentsKey,
    queryFn: ({ signal }) => api<EnvironmentList>('/environments', { signal }),
    staleTime: 30_000,
  });
}

function useInvalidateVariables() {
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: variablesKey }), qc.invalidateQueries({ queryKey: environmentsKey })]);
}

export function useCreateVariable() {
  const invalidate = useInvalidateVariables();
  return useMutation({
    mutationFn: (body: VariableDraft) => api<Variable>('/variables', { method: 'POST', body }),
    onSuccess: invalidate,
  });
}

/** `values`: a string sets an environment's value, null removes it; environments left out stay. */
export function useUpdateVariable() {
  const invalidate = useInvalidateVariables();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: VariableUpdate }) => api<Variable>(`/variables/${id}`, { method: 'PUT', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteVariable() {
  const invalidate = useInvalidateVariables();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/variables/${id}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}

/** Moves a workflow to another environment (a setting: its definition stays). */
export function useSetWorkflowEnvironment(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (environment: string) => api<Workflow>(`/workflows/${id}`, { method: 'PUT', body: { environment } }),
    onSuccess: (wf) => {
      qc.setQueryData(keys.workflow(wf.id), wf);
      void qc.invalidateQueries({ queryKey: keys.workflows, refetchType: 'none' });
      void qc.invalidateQueries({ queryKey: keys.versions(wf.id) });
      void qc.invalidateQueries({ queryKey: environmentsKey });
    },
  });
}

/** Copies the workflow to its counterpart in `environment`, as a new version there (created on first promotion). */
export function usePromoteWorkflow(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (environment: string) => api<WorkflowPromotion>(`/workflows/${id}/promote`, { method: 'POST', body: { environment } }),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: keys.workflows });
      void qc.invalidateQueries({ queryKey: keys.workflow(p.target.workflowId) });
      void qc.invalidateQueries({ queryKey: keys.versions(p.target.workflowId) });
      void qc.invalidateQueries({ queryKey: environmentsKey });
    },
  });
}
