'use client';
import * as React from 'react';
import { Pin, PinOff } from 'lucide-react';
import { useWorkflow } from '@/lib/api/workflows';
import { isPinned, useUnpinStep } from '@/lib/api/pins';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { JsonView } from '@/components/common/json-view';

/**
 * The output pinned on a step (dry runs use it instead of running the step), with Unpin. Renders
 * nothing while the step has no pin, so a side panel can always place it.
 */
export function PinnedOutput({ workflowId, stepId, className }: { workflowId: string; stepId: string; className?: string }) {
  const workflow = useWorkflow(workflowId);
  const unpin = useUnpinStep(workflowId);
  const user = useCurrentUser();
  const toast = useToast();
  const headingId = React.useId();
  const canEdit = user?.role === 'admin' || user?.role === 'editor';
  const wf = workflow.data;
  if (!wf || !isPinned(wf, stepId)) return null;

  return (
    <section aria-labelledby={headingId} className={cn('flex flex-col gap-2 rounded-lg border border-primary/30 bg-primary/5 p-3', className)} data-testid="pinned-output" data-step-id={stepId}>
      <div className="flex items-center gap-2">
        <h4 id={headingId} className="flex min-w-0 flex-1 items-center gap-1.5 text-xs font-medium text-primary">
          <Pin className="size-3.5 shrink-0" aria-hidden /> Pinned output <span className="sr-only">of {stepId}</span>
        </h4>
        {canEdit && (
          <Button
            size="sm"
            variant="outline"
            disabled={unpin.isPending}
            aria-describedby={headingId}
            onClick={() =>
              unpin.mutate(stepId, {
                onSuccess: () => toast({ title: 'Unpinned', description: `Dry runs run ${stepId} again.`, variant: 'success' }),
                onError: (err) => toast({ title: 'Could not unpin', description: err.message, variant: 'error' }),
              })
            }
            data-testid="unpin-step"
          >
            <PinOff /> Unpin
          </Button>
        )}
      </div>
      <p className="text-xs text-muted-foreground">Dry runs use this output instead of running the step; real runs are not affected.</p>
      <JsonView value={wf.pinData[stepId]} className="max-h-60 bg-card" testId="pinned-output-json" />
    </section>
  );
}
