'use client';
import * as React from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { ChevronRight, ListTree, Workflow as WorkflowIcon } from 'lucide-react';
import { useVersion, useWorkflow } from '@/lib/api/workflows';
import type { Execution, ExecutionStep } from '@/lib/api/types';
import { cn, formatDuration } from '@/lib/utils';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { ViewToggle } from '@/components/ui/view-toggle';
import { JsonView } from '@/components/common/json-view';
import { EmptyState } from '@/components/common/states';
import { StatusBadge } from '@/components/common/status-badge';
import { formatTokens } from './agent-run';
import { ExecutionTree } from './execution-tree';
import { RunDebugger } from './run-debugger';
import { StepResultBody } from './step-result-body';

/** Statuses of a run not ended yet (cancel works in each). */
export const CANCELLABLE = new Set(['queued', 'running', 'waiting']);

type View = 'canvas' | 'tree';

/** One recorded step of the flat list (the fallback when the workflow's version, hence the tree, is gone). */
function StepDetail({ step, index }: { step: ExecutionStep; index: number }) {
  const [open, setOpen] = React.useState(step.status === 'failed');
  const panelId = `step-panel-${index}`;
  return (
    <li className="rounded-lg border bg-card" data-testid="execution-step" data-step-id={step.stepId} data-path={step.path ?? step.stepId} data-status={step.status}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-3 rounded-lg px-4 py-3 text-left outline-none hover:bg-muted/40 focus-visible:ring-2 focus-visible:ring-ring"
        data-testid="execution-step-toggle"
      >
        <ChevronRight className={cn('size-4 shrink-0 transition-transform', open && 'rotate-90')} aria-hidden />
        <span className="min-w-0 flex-1">
          <span className="block truncate font-medium">
            {index + 1}. {step.path ?? step.stepId}
          </span>
          <span className="block truncate text-xs text-muted-foreground">
            {step.type && step.type !== 'action' ? `${step.type} block` : `${step.connector} · ${step.action}`}
            {step.attempts && step.attempts > 1 ? ` · ${step.attempts} attempts` : ''}
            {step.usage ? ` · ${formatTokens(step.usage.totalTokens)}` : ''}
            {step.throttledMs ? ` · waited ${formatDuration(step.throttledMs)} for the connection's rate limit` : ''}
          </span>
        </span>
        <span className="hidden text-xs text-muted-foreground tabular-nums sm:block">{formatDuration(step.durationMs)}</span>
        <StatusBadge status={step.status} />
      </button>
      {open && <StepResultBody step={step} id={panelId} />}
    </li>
  );
}

/** The steps as a tree (or, when the workflow's version is gone, the flat list of results). */
function StepsTree({ execution: e }: { execution: Execution }) {
  if (e.tree) return e.tree.length === 0 ? <EmptyState title="This workflow has no steps" className="py-8" /> : <ExecutionTree tree={e.tree} waits={e.waits ?? []} active={CANCELLABLE.has(e.status)} />;
  if (e.steps.length === 0) return <EmptyState title={e.status === 'queued' ? 'Waiting for a worker' : 'No steps ran'} className="py-8" />;
  return (
    <ol className="flex flex-col gap-2">
      {e.steps.map((s, i) => (
        <StepDetail key={`${s.path ?? s.stepId}-${i}`} step={s} index={i} />
      ))}
    </ol>
  );
}

function Payload({ value }: { value: unknown }) {
  return (
    <Card className="h-fit min-w-0">
      <CardHeader>
        <CardTitle>Trigger payload</CardTitle>
      </CardHeader>
      <CardContent>
        <JsonView value={value} testId="execution-payload" />
      </CardContent>
    </Card>
  );
}

/**
 * The execution's steps, on the workflow version's canvas (the run debugger, the default when that
 * version is known) or as a tree; `?view=tree` keeps the choice in the address.
 */
export function StepsAndPayload({ execution: e }: { execution: Execution }) {
  const versions = useVersion(e.workflowId, e.workflowVersion);
  const workflow = useWorkflow(e.workflowId);
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const version = versions.data;
  const canvasAvailable = !!version && !!e.tree;
  const asked = params.get('view');
  const view: View = asked === 'tree' || !canvasAvailable ? 'tree' : 'canvas';
  const setView = (v: string) => {
    const next = new URLSearchParams(params.toString());
    if (v === 'tree') next.set('view', 'tree');
    else next.delete('view');
    const q = next.toString();
    router.replace(q ? `${pathname}?${q}` : pathname, { scroll: false });
  };

  const heading = (
    <div className="flex flex-wrap items-center justify-between gap-2">
      <h2 id="steps-heading" className="font-semibold">
        Steps
      </h2>
      {canvasAvailable && (
        <ViewToggle
          label="Show the steps as"
          value={view}
          onChange={setView}
          options={[
            ['canvas', 'Canvas', WorkflowIcon],
            ['tree', 'Tree', ListTree],
          ]}
          testIdPrefix="execution-view-"
        />
      )}
    </div>
  );

  // The version's definition decides the view: wait for it rather than flash the tree first.
  if (versions.isLoading && asked !== 'tree')
    return (
      <section className="flex flex-col gap-2" aria-labelledby="steps-heading" aria-busy="true">
        {heading}
        <Skeleton className="h-[34rem]" />
      </section>
    );

  if (view === 'canvas' && version)
    return (
      <div className="flex flex-col gap-4">
        <section className="flex min-w-0 flex-col gap-2" aria-labelledby="steps-heading" data-testid="execution-steps" data-view="canvas">
          {heading}
          <RunDebugger execution={e} version={version} workflow={workflow.data} />
        </section>
        <Payload value={e.payload} />
      </div>
    );

  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <section className="flex min-w-0 flex-col gap-2 lg:col-span-2" aria-labelledby="steps-heading" data-testid="execution-steps" data-view="tree">
        {heading}
        <StepsTree execution={e} />
      </section>
      <Payload value={e.payload} />
    </div>
  );
}
