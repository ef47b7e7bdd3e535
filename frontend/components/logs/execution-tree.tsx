'use client';
import * as React from 'react';
import Link from 'next/link';
import { ChevronRight, ExternalLink } from 'lucide-react';
import type { ExecutionStepNode, PendingWait } from '@/lib/api/types';
import { cn, formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/common/status-badge';
import { BLOCK_ICONS, BLOCK_LABELS } from '@/components/workflows/block-meta';
import { StepResultBody } from './step-result-body';

/** Iterations of a loop shown at first, and added by each "show more". */
export const ITERATIONS_PAGE = 50;

interface TreeContext {
  /** The execution has not ended: a partly run iteration is in progress rather than left over. */
  active: boolean;
  waits: Map<string, PendingWait>;
}
const Ctx = React.createContext<TreeContext>({ active: false, waits: new Map() });

const WAIT_LABELS: Record<PendingWait['kind'], string> = {
  duration: 'a duration',
  until: 'a time',
  webhook: 'its resume URL',
  approval: 'an approval',
  call: 'the sub-workflow',
};

/** One status for a list of nodes (an iteration, a branch): the worst one, else how far it got. */
export function summaryStatus(nodes: ExecutionStepNode[], active: boolean): string {
  const st = nodes.map((n) => n.status);
  if (st.includes('failed')) return 'failed';
  if (st.includes('waiting')) return 'waiting';
  if (st.length > 0 && st.every((s) => s === 'skipped')) return 'skipped';
  if (st.length > 0 && st.every((s) => s === 'succeeded' || s === 'skipped')) return 'succeeded';
  if (st.some((s) => s !== 'pending')) return active ? 'running' : 'pending';
  return 'pending';
}

function counts(statuses: string[]): string {
  const by = new Map<string, number>();
  for (const s of statuses) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s}`).join(' · ');
}

function childExecutionOf(node: ExecutionStepNode, wait?: PendingWait): string | undefined {
  if (wait?.childExecutionId) return wait.childExecutionId;
  const out = node.result?.output as { executionId?: unknown } | null | undefined;
  const input = node.result?.input as { executionId?: unknown } | null | undefined;
  const id = out && typeof out === 'object' ? out.executionId : input && typeof input === 'object' ? input.executionId : undefined;
  return typeof id === 'string' ? id : undefined;
}

function subtitle(node: ExecutionStepNode, wait: PendingWait | undefined): string {
  const r = node.result;
  const parts: string[] = [];
  switch (node.type) {
    case 'action':
      parts.push(r ? `${r.connector} · ${r.action}` : 'action');
      break;
    case 'condition':
      parts.push(node.branch ? `condition · took “${node.branch}”` : 'condition · no branch taken');
      break;
    case 'loop': {
      const n = node.iterations?.length ?? 0;
      parts.push(`loop · ${n} iteration${n === 1 ? '' : 's'}`);
      break;
    }
    case 'parallel': {
      const n = node.branches?.length ?? 0;
      parts.push(`parallel · ${n} branch${n === 1 ? '' : 'es'}`);
      break;
    }
    case 'wait': {
      const kind = wait?.kind ?? ((r?.input as { for?: unknown } | undefined)?.for as string | undefined);
      parts.push(node.status === 'waiting' && kind ? `wait · waiting for ${WAIT_LABELS[kind as PendingWait['kind']] ?? kind}` : `wait${kind ? ` · ${kind}` : ''}`);
      break;
    }
    case 'call':
      parts.push(node.status === 'waiting' ? 'sub-workflow · waiting for it to end' : 'sub-workflow');
      break;
  }
  if (r && r.attempts > 0) parts.push(`${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`);
  if (r?.reused) parts.push('carried over');
  return parts.join(' · ');
}

function NodeList({ nodes, label }: { nodes: ExecutionStepNode[]; label?: string }) {
  if (nodes.length === 0) return <p className="text-xs text-muted-foreground">No steps.</p>;
  return (
    <ol className="flex flex-col gap-2" aria-label={label}>
      {nodes.map((n) => (
        <TreeNode key={n.path} node={n} />
      ))}
    </ol>
  );
}

function Iteration({ index, steps }: { index: number; steps: ExecutionStepNode[] }) {
  const { active } = React.useContext(Ctx);
  const status = summaryStatus(steps, active);
  const [open, setOpen] = React.useState(status === 'failed' || status === 'waiting');
  const panelId = React.useId();
  const ran = steps.some((s) => s.result);
  const duration = steps.reduce((ms, s) => ms + (s.result?.durationMs ?? 0), 0);
  return (
    <li className="rounded-md border bg-muted/20" data-testid="loop-iteration" data-index={index} data-status={status}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-3 rounded-md px-3 py-2 text-left text-sm outline-none hover:bg-muted/50 focus-visible:ring-2 focus-visible:ring-ring"
        data-testid="loop-iteration-toggle"
      >
        <ChevronRight className={cn('size-4 shrink-0 transition-transform', open && 'rotate-90')} aria-hidden />
        <span className="min-w-0 flex-1 truncate">
          Iteration {index + 1} <span className="font-mono text-xs text-muted-foreground">[{index}]</span>
        </span>
        <span className="hidden text-xs text-muted-foreground tabular-nums sm:block">{ran ? formatDuration(duration) : '—'}</span>
        <StatusBadge status={status} />
      </button>
      {open && (
        <div id={panelId} className="border-t p-2">
          <NodeList nodes={steps} label={`Iteration ${index + 1}`} />
        </div>
      )}
    </li>
  );
}

function Iterations({ node }: { node: ExecutionStepNode }) {
  const { active } = React.useContext(Ctx);
  const iterations = React.useMemo(() => node.iterations ?? [], [node.iterations]);
  const [shown, setShown] = React.useState(ITERATIONS_PAGE);
  const statuses = React.useMemo(() => iterations.map((it) => summaryStatus(it.steps, active)), [iterations, active]);
  if (iterations.length === 0) return <p className="text-xs text-muted-foreground">{node.status === 'pending' ? 'Not started yet.' : 'No iterations (no items).'}</p>;
  const left = iterations.length - shown;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-xs text-muted-foreground" data-testid="loop-summary">
        {iterations.length} iteration{iterations.length === 1 ? '' : 's'}: {counts(statuses)}
        {iterations.length > shown ? ` · showing the first ${shown}` : ''}
      </p>
      <ol className="flex flex-col gap-1.5" aria-label={`Iterations of ${node.stepId}`} data-testid="loop-iterations">
        {iterations.slice(0, shown).map((it) => (
          <Iteration key={it.index} index={it.index} steps={it.steps} />
        ))}
      </ol>
      {left > 0 && (
        <Button variant="outline" size="sm" className="w-fit" onClick={() => setShown((n) => n + ITERATIONS_PAGE)} data-testid="loop-show-more">
          Show {Math.min(ITERATIONS_PAGE, left)} more iterations ({left} not shown)
        </Button>
      )}
    </div>
  );
}

function Branches({ node }: { node: ExecutionStepNode }) {
  const { active } = React.useContext(Ctx);
  const branches = node.branches ?? [];
  return (
    // Side by side where there is room for two trees next to each other, stacked otherwise.
    <div className={cn('grid gap-3', branches.length > 1 && '2xl:grid-cols-2')} data-testid="parallel-branches">
      {branches.map((b) => {
        const status = summaryStatus(b.steps, active);
        return (
          <section key={b.index} className="min-w-0 rounded-md border bg-muted/20 p-2" aria-label={`Branch ${b.index + 1}`} data-testid="parallel-branch" data-status={status}>
            <h4 className="mb-2 flex items-center justify-between gap-2 px-1 text-xs font-medium text-muted-foreground">
              Branch {b.index + 1}
              <StatusBadge status={status} />
            </h4>
            <NodeList nodes={b.steps} />
          </section>
        );
      })}
    </div>
  );
}

function TreeNode({ node }: { node: ExecutionStepNode }) {
  const { waits } = React.useContext(Ctx);
  const r = node.result;
  const wait = waits.get(node.path);
  const isBlock = node.type !== 'action';
  // A failure with nothing nested to look at opens by itself.
  const [open, setOpen] = React.useState(node.status === 'failed' && (node.type === 'action' || node.type === 'wait' || node.type === 'call'));
  const panelId = React.useId();
  const Icon = isBlock ? BLOCK_ICONS[node.type] : undefined;
  const child = node.type === 'call' ? childExecutionOf(node, wait) : undefined;
  const calledWorkflow = node.type === 'call' ? (r?.input as { workflowId?: unknown } | undefined)?.workflowId : undefined;

  return (
    <li className={cn('rounded-lg border bg-card', isBlock && 'border-dashed')} data-testid="execution-step" data-step-id={node.stepId} data-path={node.path} data-type={node.type} data-status={node.status}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-3 rounded-lg px-4 py-3 text-left outline-none hover:bg-muted/40 focus-visible:ring-2 focus-visible:ring-ring"
        data-testid="execution-step-toggle"
      >
        <ChevronRight className={cn('size-4 shrink-0 transition-transform', open && 'rotate-90')} aria-hidden />
        {Icon && <Icon className="size-4 shrink-0 text-primary" aria-hidden />}
        <span className="min-w-0 flex-1">
          <span className="block truncate font-medium">
            {node.name ?? node.stepId}
            {node.name && <span className="ml-2 font-mono text-xs font-normal text-muted-foreground">{node.stepId}</span>}
            {isBlock && <span className="sr-only"> ({BLOCK_LABELS[node.type]} block)</span>}
          </span>
          <span className="block truncate text-xs text-muted-foreground">
            {subtitle(node, wait)}
            {r?.throttledMs ? ` · waited ${formatDuration(r.throttledMs)} for the connection's rate limit` : ''}
          </span>
          {r?.idempotencyKey && (
            <span className="block truncate font-mono text-[11px] text-muted-foreground" title={`Idempotency key: ${r.idempotencyKey}`}>
              key {r.idempotencyKey}
            </span>
          )}
        </span>
        <span className="hidden text-xs text-muted-foreground tabular-nums sm:block">{r ? formatDuration(r.durationMs) : '—'}</span>
        <StatusBadge status={node.status} />
      </button>
      {open && (r ? <StepResultBody step={r} id={panelId} /> : <p id={panelId} className="border-t px-4 py-3 text-sm text-muted-foreground">{node.status === 'pending' ? 'Not run yet.' : 'Nothing recorded for this step.'}</p>)}
      {(node.type === 'condition' || node.type === 'loop' || node.type === 'parallel' || child || typeof calledWorkflow === 'string') && (
        <div className="border-t py-3 pr-3 pl-4 sm:pl-8" data-testid="execution-step-children">
          {node.type === 'condition' &&
            (node.branch ? (
              <div className="flex flex-col gap-2">
                <p className="text-xs text-muted-foreground" data-testid="condition-branch" data-branch={node.branch}>
                  Took the <span className="font-mono font-medium text-foreground">{node.branch}</span> branch
                </p>
                <NodeList nodes={node.steps ?? []} label={`${node.stepId}: ${node.branch} branch`} />
              </div>
            ) : (
              <p className="text-xs text-muted-foreground">{node.status === 'pending' ? 'Not decided yet.' : 'No branch ran.'}</p>
            ))}
          {node.type === 'loop' && <Iterations node={node} />}
          {node.type === 'parallel' && <Branches node={node} />}
          {(child || typeof calledWorkflow === 'string') && (
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {child && (
                <Link href={`/logs/${child}`} className="inline-flex items-center gap-1.5 text-sm font-medium text-primary underline-offset-2 hover:underline" data-testid="child-execution-link">
                  <ExternalLink className="size-3.5" aria-hidden /> Open the sub-workflow&apos;s execution
                </Link>
              )}
              {typeof calledWorkflow === 'string' && (
                <Link href={`/workflows/${calledWorkflow}`} className="inline-flex items-center gap-1.5 text-sm text-muted-foreground underline-offset-2 hover:text-foreground hover:underline" data-testid="called-workflow-link">
                  <ExternalLink className="size-3.5" aria-hidden /> Open the called workflow
                </Link>
              )}
            </div>
          )}
        </div>
      )}
    </li>
  );
}

/** An execution's steps as the workflow's tree: blocks with what ran inside them. */
export function ExecutionTree({ tree, waits, active }: { tree: ExecutionStepNode[]; waits: PendingWait[]; active: boolean }) {
  const ctx = React.useMemo(() => ({ active, waits: new Map(waits.map((w) => [w.path, w])) }), [active, waits]);
  return (
    <Ctx.Provider value={ctx}>
      <ol className="flex flex-col gap-2" data-testid="execution-tree">
        {tree.map((n) => (
          <TreeNode key={n.path} node={n} />
        ))}
      </ol>
    </Ctx.Provider>
  );
}
