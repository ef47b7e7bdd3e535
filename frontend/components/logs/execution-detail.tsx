'use client';
import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { ArrowLeft, CircleStop, GitMerge, RotateCcw } from 'lucide-react';
import { useCancelExecution, useExecution, useRetryExecution } from '@/lib/api/executions';
import { cn, formatDateTime, formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { useToast } from '@/components/ui/toast';
import { CopyButton } from '@/components/common/copy-button';
import { ErrorState } from '@/components/common/states';
import { StatusBadge } from '@/components/common/status-badge';
import { executionTriggerLabel } from '@/components/workflows/trigger-label';
import { UsageLine } from './agent-run';
import { PendingWaits } from './pending-waits';
import { CANCELLABLE, StepsAndPayload } from './execution-steps';


export function ExecutionDetail({ id }: { id: string }) {
  const execution = useExecution(id);
  const retry = useRetryExecution();
  const cancel = useCancelExecution();
  const toast = useToast();
  const router = useRouter();
  const e = execution.data;

  return (
    <>
      <Button variant="ghost" size="sm" asChild className="mb-3 -ml-2">
        <Link href="/logs">
          <ArrowLeft /> All logs
        </Link>
      </Button>
      {execution.isLoading ? (
        <div className="flex flex-col gap-4" aria-busy="true" aria-label="Loading">
          <Skeleton className="h-8 w-72" />
          <Skeleton className="h-28" />
          <Skeleton className="h-48" />
        </div>
      ) : execution.error ? (
        <ErrorState error={execution.error} onRetry={() => void execution.refetch()} />
      ) : e ? (
        <div className="flex flex-col gap-4" data-testid="execution-detail" data-status={e.status}>
          <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
            <div className="min-w-0">
              <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight">
                <Link href={`/workflows/${e.workflowId}`} className="hover:underline">
                  {e.workflowName ?? 'Workflow'}
                </Link>
                <StatusBadge status={e.status} />
                {e.environment && (
                  <span className="rounded-md border px-2 py-0.5 font-mono text-xs font-normal text-muted-foreground" title="The environment it ran in ({{vars.NAME}} read its values)" data-testid="execution-environment">
                    {e.environment}
                  </span>
                )}
              </h1>
              <p className="mt-1 font-mono text-xs text-muted-foreground">{e.id}</p>
              {e.traceId && (
                <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-muted-foreground" data-testid="execution-trace">
                  Trace <code className="font-mono" data-testid="execution-trace-id">{e.traceId}</code>
                  <CopyButton value={e.traceId} label="Copy trace id" testId="copy-trace-id" />
                </p>
              )}
              {e.parentExecutionId && (
                <p className="mt-1 flex items-center gap-1.5 text-sm text-muted-foreground">
                  <GitMerge className="size-3.5 shrink-0" aria-hidden /> Sub-workflow run, started by{' '}
                  <Link href={`/logs/${e.parentExecutionId}`} className="font-medium text-primary underline-offset-2 hover:underline" data-testid="parent-execution-link">
                    its parent execution
                  </Link>
                </p>
              )}
            </div>
            {CANCELLABLE.has(e.status) && (
              <Button
                variant="outline"
                data-testid="cancel-execution"
                disabled={cancel.isPending}
                onClick={() =>
                  cancel.mutate(e.id, {
                    onSuccess: () =>
                      toast({
                        title: 'Execution cancelled',
                        description: e.status === 'waiting' ? 'It stops waiting and ends here.' : 'A step in flight is stopped within seconds.',
                        variant: 'success',
                      }),
                    onError: (err) => toast({ title: 'Could not cancel', description: err.message, variant: 'error' }),
                  })
                }
              >
                <CircleStop /> Cancel
              </Button>
            )}
            {(e.status === 'failed' || e.status === 'cancelled') && (
              <Button
                data-testid="retry-execution"
                disabled={retry.isPending}
                onClick={() =>
                  retry.mutate(e.id, {
                    onSuccess: ({ executionId }) => {
                      toast({ title: 'Retry queued', description: 'Continuing from the failed step.', variant: 'success' });
                      router.push(`/logs/${executionId}`);
                    },
                    onError: (err) => toast({ title: 'Could not retry', description: err.message, variant: 'error' }),
                  })
                }
              >
                <RotateCcw /> Retry from failed step
              </Button>
            )}
          </div>
          <Card>
            <CardContent className={cn('grid grid-cols-2 gap-4 pt-5 text-sm', e.usage ? 'sm:grid-cols-5' : 'sm:grid-cols-4')}>
              <div>
                <p className="text-xs text-muted-foreground">Trigger</p>
                <p className="font-medium" data-testid="execution-trigger" data-trigger={e.triggerType}>
                  {executionTriggerLabel(e.triggerType)}
                </p>
              </div>
              <div>
                <p className="text-xs text-muted-foreground">Started</p>
                <p className="font-medium">{formatDateTime(e.startedAt ?? e.createdAt)}</p>
              </div>
              <div>
                <p className="text-xs text-muted-foreground">Finished</p>
                <p className="font-medium">{formatDateTime(e.finishedAt)}</p>
              </div>
              <div>
                <p className="text-xs text-muted-foreground">Duration</p>
                <p className="font-medium tabular-nums">{formatDuration(e.durationMs)}</p>
              </div>
              {e.usage && (
                <div>
                  <p className="text-xs text-muted-foreground">Model tokens</p>
                  <p className="font-medium">
                    <UsageLine usage={e.usage} testId="execution-usage" className="[&>span]:block [&>span]:text-xs [&>span]:font-normal" />
                  </p>
                </div>
              )}
              {e.error && (
                <p role="alert" className="col-span-full rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2 text-destructive" data-testid="execution-error">
                  {e.error}
                </p>
              )}
            </CardContent>
          </Card>
          {CANCELLABLE.has(e.status) && <PendingWaits executionId={e.id} waits={e.waits ?? []} />}
          <StepsAndPayload execution={e} />
        </div>
      ) : null}
    </>
  );
}
