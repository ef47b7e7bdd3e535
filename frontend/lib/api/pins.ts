import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { z } from 'zod';
import type { pinDataSchema } from '@tributary/contracts';
import type { Workflow } from './types';

/** What the pin routes answer: the workflow's pins after the change. */
export type PinData = z.output<typeof pinDataSchema>;

/** The ids of the steps with pinned output (dry runs use that output instead of running them). */
export function pinnedSteps(workflow: Pick<Workflow, 'pinData'> | null | undefined): ReadonlySet<string> {
  return new Set(Object.keys(workflow?.pinData ?? {}));
}

/** Whether `stepId` has pinned output (a pinned `null` counts: it is the output then). */
export function isPinned(workflow: Pick<Workflow, 'pinData'> | null | undefined, stepId: string): boolean {
  return !!workflow?.pinData && Object.prototype.hasOwnProperty.call(workflow.pinData, stepId);
}

/** Puts the answered pins on the cached workflow at once, then refreshes it (and its list). */
function usePinsChanged(workflowId: string) {
  const qc = useQueryClient();
  return ({ pinData }: PinData) => {
    qc.setQueryData<Workflow>(keys.workflow(workflowId), (wf) => (wf ? { ...wf, pinData } : wf));
    void qc.invalidateQueries({ queryKey: keys.workflow(workflowId), exact: true });
    void qc.invalidateQueries({ queryKey: keys.workflows, exact: true, refetchType: 'none' });
  };
}

/** `PUT /workflows/:id/pins/:stepId` `{ output }`: dry runs of the workflow use `output` for that step. */
export function usePinStep(workflowId: string) {
  const onSuccess = usePinsChanged(workflowId);
  return useMutation({
    mutationFn: ({ stepId, output }: { stepId: string; output: unknown }) =>
      api<PinData>(`/workflows/${workflowId}/pins/${encodeURIComponent(stepId)}`, { method: 'PUT', body: { output: output === undefined ? null : output } }),
    onSuccess,
  });
}

/** `DELETE /workflows/:id/pins/:stepId`: the step runs again in dry runs. */
export function useUnpinStep(workflowId: string) {
  const onSuccess = usePinsChanged(workflowId);
  return useMutation({
    mutationFn: (stepId: string) => api<PinData>(`/workflows/${workflowId}/pins/${encodeURIComponent(stepId)}`, { method: 'DELETE' }),
    onSuccess,
  });
}
