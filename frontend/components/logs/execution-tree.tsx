'use client';
import * as React from 'react';
import Link from 'next/link';
import { ChevronRight, ExternalLink } from 'lucide-react';
import type { ExecutionStepNode, PendingWait } from '@/lib/api/types';
import { cn, formatDuration } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { StatusBadge } from '@/components/common/status-badge';
import { BLOCK_ICONS, BLOCK_LABELS } from '@/components/workflows/block-meta';
import { formatTokens } from './agent-run';
import { groupStatus } from './run-decorations';
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

function counts(statuses: string[]): string {
  const by = new Map<string, number>();
  for (const s of statuses) by.set(s, (by.get(s) ?? 0) + 1);
  return [...by].map(([s, n]) => `${n} ${s}`).join(' · ');
}

/** The sub-workflow's execution a call (or an agent's workflow tool) started, from its wait or its result. */
export function childExecutionOf(node: ExecutionStepNode, wait?: PendingWait): string | undefined {
  if (wait?.childExecutionId) return wait.childExecutionId;
  // The output names it while the call waits (or when it did not wait); the input, once the output is the child's.
  const out = node.result?.output as { executionId?: unknown } | null | undefined;
  const input = node.result?.input as { executionId?: unknown } | null | undefined;
  const fromOutput = out && typeof out === 'object' ? out.executionId : undefined;
  const id = typeof fromOutput === 'string' ? fromOutput : input && typeof input === 'object' ? input.executionId : undefined;
  return typeof id === 'string' ? id : undefined;
}

/**
 * What an agent's sub-result is, by its path: `<id>[<i>].model`, `<id>[<i>].tools[<k>]`,
 * `<id>[<i>].approve[<k>]`, and `<id>.servers[<n>]` (the tools of an MCP server, listed once).
 */
export function agentPart(path: string): { part: 'model' } | { part: 'tool' | 'approval' | 'server'; index: number } | null {
  if (/\[\d+\]\.model$/.test(path)) return { part: 'model' };
  const m = /\.(tools|approve|servers)\[(\d+)\]$/.exec(path);
  if (m) return { part: m[1] === 'tools' ? 'tool' : m[1] === 'approve' ? 'approval' : 'server', index: Number(m[2]) };
  return null;
}

/** The tool an agent's tool call (or its approval) is about, from what was recorded. */
function toolNameOf(node: ExecutionStepNode): string | undefined {
  const input = node.result?.input as { tool?: unknown; name?: unknown } | null | undefined;
  const v = input && typeof input === 'object' ? (input.tool ?? input.name) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The title of a node: its label, or for an agent's sub-results what they are (model call, tool call, approval). */
export function titleOf(node: ExecutionStepNode, inAgent: boolean): string {
  if (node.name) return node.name;
  const part = inAgent ? agentPart(node.path) : null;
  if (!part) return node.stepId;
  if (part.part === 'model') return 'Model call';
  if (part.part === 'server') return `Tools of MCP server ${part.index + 1}`;
  const tool = toolNameOf(node);
  return part.part === 'tool' ? `Tool call${tool ? ` · ${tool}` : ` ${part.index + 1}`}` : `Approval of ${tool ? `the call of ${tool}` : `tool call ${part.index + 1}`}`;
}

function subtitle(node: ExecutionStepNode, wait: PendingWait | undefined): string {
  const r = node.result;
  const parts: string[] = [];
  switch (node.type) {
    case 'action':
      // An agent's workflow tool is recorded as `core · call`: it runs the workflow as a sub-workflow.
      parts.push(r ? (r.connector === 'core' && r.action === 'call' ? 'runs a workflow' : `${r.connector} · ${r.action}`) : 'action');
      if (node.status === 'waiting' && wait?.kind === 'call') parts.push('waiting for it to end');
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
    case 'agent': {
      const n = node.iterations?.length ?? 0;
      parts.push(`AI agent · ${n} iteration${n === 1 ? '' : 's'}`);
      if (!r) {
        // Parked inside: on an approval of a tool call, or on a workflow tool's run.
        const parked = (node.iterations ?? []).flatMap((it) => it.steps).find((x) => x.status === 'waiting');
        const part = parked ? agentPart(parked.path) : null;
        if (part?.part === 'approval') parts.push('waiting for the approval of a tool call');
        else if (part?.part === 'tool') parts.push('waiting for a tool’s workflow to end');
      }
      break;
    }
  }
  if (r?.usage) parts.push(formatTokens(r.usage.totalTokens));
  if (r && r.attempts > 0) parts.push(`${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`);
  if (r?.reused) parts.push('carried over');
  return parts.join(' · ');
}

function NodeList({ nodes, label, inAgent = false }: { nodes: ExecutionStepNode[]; label?: string; inAgent?: boolean }) {
  if (nodes.length === 0) return <p className="text-xs text-muted-foreground">No steps.</p>;
  return (
    <ol className="flex flex-col gap-2" aria-label={label}>
      {nodes.map((n) => (
        <TreeNode key={n.path} node={n} inAgent={inAgent} />
      ))}
    </ol>
  );
}

/**
 * What an agent's iteration did, in a few words: the tools the model asked for (called, or waiting
 * for an approval), or that it answered; and the tokens its model call used.
 */
function agentIterationSummary(steps: ExecutionStepNode[]): string {
  const model = steps.find((s) => agentPart(s.path)?.part === 'model');
  const asked = (model?.result?.output as { toolCalls?: { name?: unknown }[] } | null | undefined)?.toolCalls;
  const called = steps.filter((s) => agentPart(s.path)?.part === 'tool').map((s) => toolNameOf(s) ?? 'a tool');
  const names = Array.isArray(asked) && asked.length ? asked.map((c) => (typeof c.name === 'string' ? c.name : 'a tool')) : called;
  const approving = steps.some((s) => agentPart(s.path)?.part === 'approval' && s.status === 'waiting');
  const what = names.length ? `${approving ? 'asks to call' : called.length ? 'called' : 'calls'} ${names.join(', ')}` : model?.status === 'succeeded' ? 'answered' : '';
  const tokens = steps.reduce((n, s) => n + (s.result?.usage?.totalTokens ?? 0), 0);
  return [what, tokens ? formatTokens(tokens) : ''].filter(Boolean).join(' · ');
}

/**
 * The status an agent is shown with: its result's, or while it has none (in flight, or parked on an
 * approval or a workflow tool) what its iterations say, rather than `pending`.
 */
function agentStatus(node: ExecutionStepNode, active: boolean): string {
  if (node.result || !node.iterations?.length) return node.status;
  // A failed tool call inside does not fail the agent (the model reads the error): only the agent's own result says so.
  if (node.iterations.some((it) => it.steps.some((x) => x.status === 'waiting'))) return 'waiting';
  return active ? 'running' : node.status;
}

function Iteration({ index, steps, kind }: { index: number; steps: ExecutionStepNode[]; kind: 'loop' | 'agent' }) {
  const { active } = React.useContext(Ctx);
  const status = groupStatus(steps, active);
  const [open, setOpen] = React.useState(status === 'failed' || status === 'waiting');
  const panelId = React.useId();
  const ran = steps.some((s) => s.result);
  const duration = steps.reduce((ms, s) => ms + (s.result?.durationMs ?? 0), 0);
  const detail = kind === 'agent' ? agentIterationSummary(steps) : '';
  return (
    <li className="rounded-md border bg-muted/20" data-testid={`${kind}-iteration`} data-index={index} data-status={status}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-3 rounded-md px-3 py-2 text-left text-sm outline-none hover:bg-muted/50 focus-visible:ring-2 focus-visible:ring-ring"
        data-testid={`${kind}-iteration-toggle`}
      >
        <ChevronRight className={cn('size-4 shrink-0 transition-transform', open && 'rotate-90')} aria-hidden />
        <span className="min-w-0 flex-1 truncate">
          Iteration {index + 1} <span className="font-mono text-xs text-muted-foreground">[{index}]</span>
          {detail && <span className="ml-2 text-xs text-muted-foreground" data-testid="agent-iteration-summary">{detail}</span>}
        </span>
        <span className="hidden text-xs text-muted-foreground tabular-nums sm:block">{ran ? formatDuration(duration) : '—'}</span>
        <StatusBadge status={status} />
      </button>
      {open && (
        <div id={panelId} className="border-t p-2">
          <NodeList nodes={steps} label={`Iteration ${index + 1}`} inAgent={kind === 'agent'} />
        </div>
      )}
    </li>
  );
}

/** A loop's iterations, or an agent's (each: its model call, then its tool calls and their approvals). */
function Iterations({ node }: { node: ExecutionStepNode }) {
  const kind = node.type === 'agent' ? 'agent' : 'loop';
  const { active } = React.useContext(Ctx);
  const iterations = React.useMemo(() => node.iterations ?? [], [node.iterations]);
  const [shown, setShown] = React.useState(ITERATIONS_PAGE);
  const statuses = React.useMemo(() => iterations.map((it) => groupStatus(it.steps, active)), [iterations, active]);
  if (iterations.length === 0)
    return <p className="text-xs text-muted-foreground">{node.status === 'pending' ? 'Not started yet.' : kind === 'agent' ? 'No iterations recorded.' : 'No iterations (no items).'}</p>;
  const left = iterations.length - shown;
  return (
    <div className="flex flex-col gap-2">
      <p className="text-xs text-muted-foreground" data-testid={`${kind}-summary`}>
        {iterations.length} iteration{iterations.length === 1 ? '' : 's'}: {counts(statuses)}
        {iterations.length > shown ? ` · showing the first ${shown}` : ''}
      </p>
      <ol className="flex flex-col gap-1.5" aria-label={`Iterations of ${node.stepId}`} data-testid={`${kind}-iterations`}>
        {iterations.slice(0, shown).map((it) => (
          <Iteration key={it.index} index={it.index} steps={it.steps} kind={kind} />
        ))}
      </ol>
      {left > 0 && (
        <Button variant="outline" size="sm" className="w-fit" onClick={() => setShown((n) => n + ITERATIONS_PAGE)} data-testid={`${kind}-show-more`}>
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
        const status = groupStatus(b.steps, active);
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

function TreeNode({ node, inAgent = false }: { node: ExecutionStepNode; inAgent?: boolean }) {
  const { waits, active } = React.useContext(Ctx);
  const r = node.result;
  const wait = waits.get(node.path);
  const isBlock = node.type !== 'action';
  // A failure with nothing nested to look at opens by itself; so does a finished agent (its answer and conversation).
  const [open, setOpen] = React.useState((node.status === 'failed' && (node.type === 'action' || node.type === 'wait' || node.type === 'call')) || (node.type === 'agent' && !!r));
  // An agent that answers while its page is open (after an approval, say) opens on its answer too.
  const [answered, setAnswered] = React.useState(!!r);
  if (node.type === 'agent' && !!r !== answered) {
    setAnswered(!!r);
    if (r) setOpen(true);
  }
  const title = titleOf(node, inAgent);
  const status = node.type === 'agent' ? agentStatus(node, active) : node.status;
  const panelId = React.useId();
  const Icon = isBlock ? BLOCK_ICONS[node.type] : undefined;
  // A sub-workflow: a call block's, or an agent's workflow tool (run as one).
  const child = node.type === 'call' || (inAgent && agentPart(node.path)?.part === 'tool') ? childExecutionOf(node, wait) : undefined;
  const calledWorkflow = node.type === 'call' ? (r?.input as { workflowId?: unknown } | undefined)?.workflowId : undefined;

  return (
    <li className={cn('rounded-lg border bg-card', isBlock && 'border-dashed')} data-testid="execution-step" data-step-id={node.stepId} data-path={node.path} data-type={node.type} data-status={status}>
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
            {title}
            {title !== node.stepId && <span className="ml-2 font-mono text-xs font-normal text-muted-foreground">{inAgent ? node.path.slice(node.path.lastIndexOf('.') + 1) : node.stepId}</span>}
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
        <StatusBadge status={status} />
      </button>
      {open &&
        (r ? (
          <StepResultBody step={r} id={panelId} />
        ) : (
          <p id={panelId} className="border-t px-4 py-3 text-sm text-muted-foreground">
            {node.type === 'agent' && node.iterations?.length ? 'The agent has not answered yet: its iterations so far are below.' : node.status === 'pending' ? 'Not run yet.' : 'Nothing recorded for this step.'}
          </p>
        ))}
      {(node.type === 'condition' || node.type === 'loop' || node.type === 'parallel' || node.type === 'agent' || child || typeof calledWorkflow === 'string') && (
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
          {(node.type === 'loop' || node.type === 'agent') && <Iterations node={node} />}
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
