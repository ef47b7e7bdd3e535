'use client';
import * as React from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { ExternalLink, Pin, RotateCcw, X } from 'lucide-react';
import type { StepDefinition } from '@tributary/contracts';
import { useRetryExecution } from '@/lib/api/executions';
import { isPinned, usePinStep } from '@/lib/api/pins';
import type { Execution, ExecutionStepNode, Workflow } from '@/lib/api/types';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/toast';
import { StatusBadge } from '@/components/common/status-badge';
import { BLOCK_LABELS } from '@/components/workflows/block-meta';
import { PinnedOutput } from '@/components/workflows/pins/pinned-output';
import { agentPart, childExecutionOf, titleOf } from './execution-tree';
import { IterationPicker } from './iteration-picker';
import { WaitItem } from './pending-waits';
import { groupStatus, waitsOf, type NodeRun } from './run-decorations';
import { StepResultBody } from './step-result-body';

const ACTIVE = new Set(['queued', 'running']);

function what(def: StepDefinition | undefined, node: ExecutionStepNode | undefined): string {
  const type = def?.type ?? node?.type ?? 'action';
  if (type !== 'action') return `${BLOCK_LABELS[type]} block`;
  const r = node?.result;
  const connector = r?.connector ?? (def && 'connector' in def ? def.connector : undefined);
  const action = r?.action ?? (def && 'action' in def ? def.action : undefined);
  return connector ? `${connector} · ${action}` : 'Action';
}

/** Why there is no result to show for a node. */
function noResultText(run: NodeRun | undefined, executionStatus: string): string {
  if (run?.notTaken) return 'Its condition took the other branch: this step did not run.';
  if (run?.node?.type === 'agent' && run.node.iterations?.length) return 'The agent has not answered yet: its turns so far are below.';
  if (run?.status === 'running') return 'Running now.';
  if (run?.status === 'waiting') return 'Waiting: see below what moves it on.';
  if (run?.loops.length) return 'Not run in this iteration.';
  if (ACTIVE.has(executionStatus) || executionStatus === 'waiting') return 'Not run yet.';
  return 'This step did not run.';
}

/** An agent's turn: its model call, tool calls and approvals, each with its recorded result. */
function AgentTurn({ steps }: { steps: ExecutionStepNode[] }) {
  if (steps.length === 0) return <p className="text-xs text-muted-foreground">Nothing recorded in this turn.</p>;
  return (
    <ol className="flex flex-col gap-2" aria-label="Calls of this turn">
      {steps.map((s) => {
        const part = agentPart(s.path);
        return (
          <li key={s.path} className="rounded-md border" data-testid="run-node-agent-call" data-path={s.path} data-status={s.status}>
            <details open={s.status === 'failed' || s.status === 'waiting' || part?.part === 'model'}>
              <summary className="flex cursor-pointer items-center gap-2 px-3 py-2 text-sm outline-none focus-visible:ring-2 focus-visible:ring-ring">
                <span className="min-w-0 flex-1 truncate">{titleOf(s, true)}</span>
                <StatusBadge status={s.status} />
              </summary>
              {s.result ? <StepResultBody step={s.result} narrow /> : <p className="border-t px-3 py-2 text-xs text-muted-foreground">Nothing recorded yet.</p>}
            </details>
          </li>
        );
      })}
    </ol>
  );
}

function RetryFromHere({ execution }: { execution: Execution }) {
  const retry = useRetryExecution();
  const toast = useToast();
  const router = useRouter();
  return (
    <Button
      data-testid="run-node-retry"
      disabled={retry.isPending}
      onClick={() =>
        retry.mutate(execution.id, {
          onSuccess: ({ executionId }) => {
            toast({ title: 'Retry started', description: 'Finished steps are carried over; this step runs again.', variant: 'success' });
            router.push(`/logs/${executionId}`);
          },
          onError: (err) => toast({ title: 'Could not retry', description: err.message, variant: 'error' }),
        })
      }
    >
      <RotateCcw /> Retry from here
    </Button>
  );
}

function PinThisOutput({ workflowId, stepId, output }: { workflowId: string; stepId: string; output: unknown }) {
  const pin = usePinStep(workflowId);
  const toast = useToast();
  return (
    <Button
      variant="outline"
      data-testid="run-node-pin"
      disabled={pin.isPending}
      onClick={() =>
        pin.mutate(
          { stepId, output },
          {
            onSuccess: () => toast({ title: 'Output pinned', description: `Dry runs use it instead of running ${stepId}.`, variant: 'success' }),
            onError: (err) => toast({ title: 'Could not pin', description: err.message, variant: 'error' }),
          },
        )
      }
    >
      <Pin /> Pin this output
    </Button>
  );
}

/**
 * The side panel of a node of the run: status, attempts and duration; for a loop (or an agent) which
 * iteration is shown; what is waited for (approve, reject, the resume URL); the result (input,
 * output, error); Retry from here on the failed step, Pin this output on a succeeded one.
 */
export function RunNodePanel({
  execution,
  stepId,
  run,
  definition,
  workflow,
  onSelectIteration,
  onClose,
}: {
  execution: Execution;
  stepId: string;
  run: NodeRun | undefined;
  definition: StepDefinition | undefined;
  /** The workflow as it is now (its pins); undefined once deleted. */
  workflow: Workflow | undefined;
  onSelectIteration(path: string, index: number): void;
  onClose(): void;
}) {
  const user = useCurrentUser();
  const canEdit = user?.role === 'admin' || user?.role === 'editor';
  const headingId = React.useId();
  const node = run?.node;
  const r = node?.result;
  const status = run?.status ?? 'pending';
  const active = ACTIVE.has(execution.status);
  const waits = waitsOf(execution.waits ?? [], node);
  const title = definition?.name ?? node?.name ?? stepId;
  const iterations = node?.iterations ?? [];
  const child = node && (node.type === 'call' ? childExecutionOf(node, waits[0]) : undefined);
  const retryable = status === 'failed' && (execution.status === 'failed' || execution.status === 'cancelled') && !!r && !run?.notTaken;
  const pinnable = !!workflow && canEdit && status === 'succeeded' && !!r && r.output !== undefined && !r.reused && (node?.type === 'action' || node?.type === 'call' || node?.type === 'agent');

  return (
    <section aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3" data-testid="run-node-panel" data-step-id={stepId} data-status={status} data-reused={r?.reused ? 'true' : undefined} data-pinned={r?.pinned ? 'true' : undefined}>
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <h3 id={headingId} className="truncate font-semibold">
            {title}
            {title !== stepId && <span className="ml-2 font-mono text-xs font-normal text-muted-foreground">{stepId}</span>}
          </h3>
          <p className="truncate text-xs text-muted-foreground">{what(definition, node)}</p>
        </div>
        <StatusBadge status={status} />
        <Button type="button" size="icon-sm" variant="ghost" onClick={onClose} aria-label="Close the step's panel" data-testid="run-node-close">
          <X />
        </Button>
      </div>
      <dl className="grid grid-cols-3 gap-2 text-xs">
        <div>
          <dt className="text-muted-foreground">Attempts</dt>
          <dd className="font-medium tabular-nums" data-testid="run-node-attempts">
            {r ? r.attempts : '—'}
          </dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Duration</dt>
          <dd className="font-medium tabular-nums" data-testid="run-node-duration">
            {r ? formatDuration(r.durationMs) : '—'}
          </dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Result</dt>
          <dd className="font-medium" data-testid="run-node-origin">
            {r?.reused ? 'carried over' : r?.pinned ? 'pinned' : r ? 'ran' : '—'}
          </dd>
        </div>
      </dl>

      {(run?.loops ?? []).map((loop) => (
        <div key={loop.path} className="flex flex-col gap-1">
          <p className="text-xs text-muted-foreground">
            Iteration of loop <span className="font-mono text-foreground">{loop.stepId}</span>
          </p>
          <IterationPicker
            label={`Iteration of ${loop.stepId}`}
            count={loop.count}
            selected={loop.selected}
            statuses={[]}
            onSelect={(i) => onSelectIteration(loop.path, i)}
            testId="run-node-loop-iteration"
          />
        </div>
      ))}

      {node && (node.type === 'loop' || node.type === 'agent') && (
        <div className="flex flex-col gap-1.5" data-testid="run-node-iterations">
          <p className="text-xs text-muted-foreground">
            {iterations.length === 0
              ? node.status === 'pending'
                ? 'Not started yet.'
                : node.type === 'agent'
                  ? 'No turns recorded.'
                  : 'No iterations (no items).'
              : node.type === 'agent'
                ? `${iterations.length} turn${iterations.length === 1 ? '' : 's'}: pick one to see its calls.`
                : `${iterations.length} iteration${iterations.length === 1 ? '' : 's'}: the canvas shows the steps of the one picked.`}
          </p>
          <IterationPicker
            label={node.type === 'agent' ? `Turn of ${stepId}` : `Iteration of ${stepId}`}
            count={iterations.length}
            selected={run?.selectedIteration ?? 0}
            statuses={iterations.map((it) => groupStatus(it.steps, active))}
            onSelect={(i) => onSelectIteration(node.path, i)}
            testId="run-node-iteration"
          />
          {node.type === 'agent' && iterations[run?.selectedIteration ?? 0] && <AgentTurn steps={iterations[run?.selectedIteration ?? 0].steps} />}
        </div>
      )}

      {node?.type === 'parallel' && (
        <ul className="flex flex-col gap-1 text-sm" aria-label="Branches" data-testid="run-node-branches">
          {(node.branches ?? []).map((b) => (
            <li key={b.index} className="flex items-center justify-between gap-2 rounded-md border px-3 py-1.5">
              Branch {b.index + 1} <StatusBadge status={groupStatus(b.steps, active)} />
            </li>
          ))}
        </ul>
      )}
      {node?.type === 'condition' && (
        <p className="text-sm text-muted-foreground" data-testid="run-node-condition-branch" data-branch={node.branch}>
          {node.branch ? (
            <>
              Took the <span className="font-mono font-medium text-foreground">{node.branch}</span> branch.
            </>
          ) : (
            'No branch decided yet.'
          )}
        </p>
      )}

      {waits.length > 0 && (
        <ul className="flex flex-col divide-y rounded-lg border border-waiting/40 p-3" aria-label="What this step waits for">
          {waits.map((w) => (
            <WaitItem key={w.path} executionId={execution.id} wait={w} testId="run-node-wait" />
          ))}
        </ul>
      )}

      {child && (
        <Link href={`/logs/${child}`} className="inline-flex w-fit items-center gap-1.5 text-sm font-medium text-primary underline-offset-2 hover:underline" data-testid="run-node-child-execution">
          <ExternalLink className="size-3.5" aria-hidden /> Open the sub-workflow&apos;s execution
        </Link>
      )}

      {(retryable || pinnable) && (
        <div className="flex flex-wrap gap-2">
          {retryable && <RetryFromHere execution={execution} />}
          {pinnable && !isPinned(workflow, stepId) && <PinThisOutput workflowId={workflow.id} stepId={stepId} output={r.output} />}
        </div>
      )}
      {workflow && <PinnedOutput workflowId={workflow.id} stepId={stepId} />}

      <div className="overflow-hidden rounded-lg border">
        {r ? <StepResultBody step={r} narrow /> : <p className="px-4 py-3 text-sm text-muted-foreground" data-testid="run-node-no-result">{noResultText(run, execution.status)}</p>}
      </div>
    </section>
  );
}
