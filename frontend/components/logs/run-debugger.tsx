'use client';
import * as React from 'react';
import { MousePointerClick } from 'lucide-react';
import type { StepDefinition } from '@tributary/contracts';
import { childLists } from '@tributary/contracts/workflow';
import { pinnedSteps } from '@/lib/api/pins';
import type { Execution, Workflow, WorkflowVersion } from '@/lib/api/types';
import { Card, CardContent } from '@/components/ui/card';
import { JsonView } from '@/components/common/json-view';
import { StatusBadge } from '@/components/common/status-badge';
import { executionTriggerLabel } from '@/components/workflows/trigger-label';
import { TRIGGER_NODE_ID, WorkflowCanvas } from '@/components/workflows/canvas/workflow-canvas';
import { runView, type NodeDecoration } from './run-decorations';
import { RunNodePanel } from './run-node-panel';

const TRIGGER = TRIGGER_NODE_ID;

function indexSteps(steps: StepDefinition[], into = new Map<string, StepDefinition>()): Map<string, StepDefinition> {
  for (const s of steps) {
    into.set(s.id, s);
    for (const list of childLists(s)) indexSteps(list, into);
  }
  return into;
}

/**
 * The run debugger: the execution drawn on its workflow version's canvas (each node with its status,
 * attempts and duration, a loop's steps at the iteration picked), and the side panel of the node
 * selected. It follows the run live: the execution query is refreshed by its socket events.
 */
export function RunDebugger({ execution, version, workflow }: { execution: Execution; version: WorkflowVersion; workflow: Workflow | undefined }) {
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const [iterations, setIterations] = React.useState<Record<string, number>>({});
  const steps = React.useMemo(() => indexSteps(version.steps), [version.steps]);
  const view = React.useMemo(() => runView(execution, version.steps, iterations), [execution, version.steps, iterations]);
  const decorations = React.useMemo<Record<string, NodeDecoration>>(
    () => ({ ...view.decorations, [TRIGGER]: { status: execution.status === 'queued' ? 'queued' : 'succeeded', badge: executionTriggerLabel(execution.triggerType) } }),
    [view.decorations, execution.status, execution.triggerType],
  );
  const pinned = React.useMemo(() => pinnedSteps(workflow), [workflow]);
  const selectIteration = React.useCallback((path: string, index: number) => setIterations((m) => ({ ...m, [path]: index })), []);
  const selected = selectedId && (selectedId === TRIGGER || steps.has(selectedId)) ? selectedId : null;

  return (
    <div className="grid gap-4 xl:grid-cols-[minmax(0,1fr)_26rem]" data-testid="run-debugger" data-execution-status={execution.status}>
      <div className="h-[34rem] min-w-0 overflow-hidden rounded-lg border bg-card xl:h-[40rem]" data-testid="run-canvas">
        <WorkflowCanvas trigger={version.trigger} steps={version.steps} mode="view" selectedId={selected ?? undefined} onSelect={setSelectedId} decorations={decorations} pinned={pinned} />
      </div>
      <Card className="h-fit min-w-0" aria-label="Selected step">
        <CardContent className="pt-5">
          {selected === TRIGGER ? (
            <section className="flex flex-col gap-3" data-testid="run-node-panel" data-step-id={TRIGGER} aria-label="Trigger">
              <div className="flex items-center gap-2">
                <h3 className="min-w-0 flex-1 font-semibold">Trigger · {executionTriggerLabel(execution.triggerType)}</h3>
                <StatusBadge status={decorations[TRIGGER].status ?? 'pending'} />
              </div>
              <h4 className="text-xs font-medium text-muted-foreground">Payload</h4>
              <JsonView value={execution.payload} testId="run-node-trigger-payload" />
            </section>
          ) : selected ? (
            <RunNodePanel
              key={selected}
              execution={execution}
              stepId={selected}
              run={view.runs.get(selected)}
              definition={steps.get(selected)}
              workflow={workflow}
              onSelectIteration={selectIteration}
              onClose={() => setSelectedId(null)}
            />
          ) : (
            <p className="flex items-start gap-2 text-sm text-muted-foreground" data-testid="run-node-hint">
              <MousePointerClick className="mt-0.5 size-4 shrink-0" aria-hidden />
              Select a step on the canvas (click it, or Tab to it and press Enter) to see its input, output and error, browse a loop&apos;s iterations, approve a wait, retry from a failed step or pin an output.
            </p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
