'use client';
import * as React from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Activity, Play, RotateCcw, X } from 'lucide-react';
import { useExecutions, useRetryExecution } from '@/lib/api/executions';
import { useWorkflowOptions } from '@/lib/api/workflows';
import { EXECUTION_STATUSES, type ExecutionFilters, type ExecutionStatus, type ExecutionSummary } from '@/lib/api/types';
import { formatDateTime, formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { useToast } from '@/components/ui/toast';
import { PageHeader } from '@/components/common/page-header';
import { EmptyState, ErrorState, ListSkeleton } from '@/components/common/states';
import { LoadMore } from '@/components/common/load-more';
import { StatusBadge } from '@/components/common/status-badge';
import { executionTriggerLabel } from '@/components/workflows/trigger-label';

/** datetime-local ("2025-01-02T03:04") in the browser's zone ⇄ ISO for the api. */
function localToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function RetryButton({ execution }: { execution: ExecutionSummary }) {
  const retry = useRetryExecution();
  const toast = useToast();
  const router = useRouter();
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={retry.isPending}
      data-testid="retry-execution"
      onClick={() =>
        retry.mutate(execution.id, {
          onSuccess: ({ executionId }) => {
            toast({ title: 'Retry queued', variant: 'success' });
            router.push(`/logs/${executionId}`);
          },
          onError: (e) => toast({ title: 'Could not retry', description: e.message, variant: 'error' }),
        })
      }
    >
      <RotateCcw /> Retry
    </Button>
  );
}

export function LogsPage() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters: ExecutionFilters = {
    status: (params.get('status') as ExecutionStatus | null) ?? '',
    workflowId: params.get('workflowId') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const apiFilters: ExecutionFilters = { ...filters, from: localToIso(filters.from ?? ''), to: localToIso(filters.to ?? '') };
  const executions = useExecutions(apiFilters);
  const workflows = useWorkflowOptions();
  const items = executions.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(filters.status || filters.workflowId || filters.from || filters.to);

  function setFilter(key: keyof ExecutionFilters, value: string) {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}${next.size ? `?${next}` : ''}`, { scroll: false });
  }

  return (
    <>
      <PageHeader title="Logs" description="Every execution, step by step. Updates every few seconds." />
      <Card className="mb-4 p-4">
        <form className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1.5fr_1fr_1fr_auto] lg:items-end" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
          <Field id="filter-status" label="Status">
            {(aria) => (
              <NativeSelect {...aria} value={filters.status} onChange={(e) => setFilter('status', e.target.value)} data-testid="filter-status">
                <option value="">Any status</option>
                {EXECUTION_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <Field id="filter-workflow" label="Workflow">
            {(aria) => (
              <NativeSelect {...aria} value={filters.workflowId} onChange={(e) => setFilter('workflowId', e.target.value)} data-testid="filter-workflow">
                <option value="">All workflows</option>
                {workflows.data?.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
                {filters.workflowId && !workflows.data?.some((w) => w.id === filters.workflowId) && <option value={filters.workflowId}>{filters.workflowId}</option>}
              </NativeSelect>
            )}
          </Field>
          <Field id="filter-from" label="From">
            {(aria) => <Input type="datetime-local" {...aria} value={filters.from} onChange={(e) => setFilter('from', e.target.value)} />}
          </Field>
          <Field id="filter-to" label="To">
            {(aria) => <Input type="datetime-local" {...aria} value={filters.to} onChange={(e) => setFilter('to', e.target.value)} />}
          </Field>
          <Button variant="ghost" disabled={!filtered} onClick={() => router.replace(pathname, { scroll: false })}>
            <X /> Clear
          </Button>
        </form>
      </Card>
      {executions.isLoading ? (
        <ListSkeleton rows={6} />
      ) : executions.error ? (
        <ErrorState error={executions.error} onRetry={() => void executions.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          icon={Activity}
          title={filtered ? 'No executions match these filters' : 'No executions yet'}
          description={filtered ? 'Widen the time range or clear the filters.' : 'Trigger a workflow (webhook, schedule, event or a manual run) and it shows up here.'}
          action={
            !filtered && (
              <Button asChild variant="outline">
                <Link href="/workflows">
                  <Play /> Open a workflow to run it
                </Link>
              </Button>
            )
          }
        />
      ) : (
        <Card className="overflow-hidden">
          <div className="relative overflow-x-auto">
            <table className="w-full text-sm" data-testid="executions-table">
              <thead className="bg-muted/50 text-left text-xs text-muted-foreground">
                <tr>
                  <th scope="col" className="px-4 py-2.5 font-medium">Status</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Workflow</th>
                  <th scope="col" className="hidden px-4 py-2.5 font-medium sm:table-cell">Trigger</th>
                  <th scope="col" className="px-4 py-2.5 font-medium">Started</th>
                  <th scope="col" className="hidden px-4 py-2.5 text-right font-medium md:table-cell">Duration</th>
                  <th scope="col" className="px-4 py-2.5"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y">
                {items.map((e) => (
                  <tr key={e.id} className="hover:bg-muted/40" data-testid="execution-row" data-execution-id={e.id} data-status={e.status}>
                    <td className="px-4 py-2.5"><StatusBadge status={e.status} /></td>
                    <td className="max-w-[14rem] px-4 py-2.5">
                      <Link href={`/logs/${e.id}`} className="block truncate font-medium outline-none hover:underline focus-visible:underline" data-testid="execution-link">
                        {e.workflowName ?? e.workflowId}
                      </Link>
                      {e.error && <span className="block truncate text-xs text-destructive" title={e.error}>{e.error}</span>}
                    </td>
                    <td className="hidden px-4 py-2.5 text-muted-foreground sm:table-cell" data-testid="execution-trigger" data-trigger={e.triggerType}>{executionTriggerLabel(e.triggerType)}</td>
                    <td className="px-4 py-2.5 whitespace-nowrap text-muted-foreground">{formatDateTime(e.startedAt ?? e.createdAt)}</td>
                    <td className="hidden px-4 py-2.5 text-right tabular-nums md:table-cell">{formatDuration(e.durationMs)}</td>
                    <td className="px-4 py-2.5 text-right">{e.status === 'failed' && <RetryButton execution={e} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore query={executions} testId="load-more" />
        </Card>
      )}
    </>
  );
}
