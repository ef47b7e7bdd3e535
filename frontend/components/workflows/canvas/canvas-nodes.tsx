'use client';
import * as React from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, Handle, Position, type EdgeProps, type NodeProps } from '@xyflow/react';
import { Ban, ChevronDown, ChevronRight, CircleAlert, CircleCheck, CircleX, Clock, Filter, Hourglass, LoaderCircle, Pin, Plus, SkipForward, type LucideIcon } from 'lucide-react';
import type { Connector, Step, Trigger } from '@/lib/api/types';
import { cn } from '@/lib/utils';
import { ConnectorIcon } from '@/components/common/connector-icon';
import { BLOCK_ICONS, BLOCK_LABELS } from '../block-meta';
import { describeTrigger, triggerMeta } from '../trigger-label';
import { blockSummary, isActionDraft } from '../builder/blocks';
import type { ListRef } from './step-tree';
import type { EmptyNodeData, GraphEdge, GraphNode, PortNodeData, StepNodeData, TriggerNodeData } from './workflow-graph';

export type StepStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'waiting' | 'skipped' | 'cancelled';
export interface StepDecoration {
  status?: StepStatus;
  attempts?: number;
  durationMs?: number;
  badge?: string;
}

/** What the nodes and edges read besides their own data (kept out of the graph so the layout stays still). */
export interface CanvasContextValue {
  mode: 'edit' | 'view';
  connectors: Connector[];
  selectedId: string | null;
  errors: Record<string, string[]>;
  pinned: ReadonlySet<string>;
  decorations: Record<string, StepDecoration>;
  /** The edge a dragged step would land on. */
  dropEdge: string | null;
  onAdd(slot: { ref: ListRef; index: number }): void;
  onToggleCollapse(id: string): void;
}

export const CanvasContext = React.createContext<CanvasContextValue | null>(null);
function useCanvas() {
  const ctx = React.useContext(CanvasContext);
  if (!ctx) throw new Error('canvas node outside <CanvasContext>');
  return ctx;
}

const STATUS: Record<StepStatus, { icon: LucideIcon; label: string; className: string; iconClass: string }> = {
  queued: { icon: Clock, label: 'queued', className: 'border-muted-foreground/40', iconClass: 'text-muted-foreground' },
  running: { icon: LoaderCircle, label: 'running', className: 'border-primary ring-2 ring-primary/20', iconClass: 'text-primary animate-spin' },
  succeeded: { icon: CircleCheck, label: 'succeeded', className: 'border-success', iconClass: 'text-success' },
  failed: { icon: CircleX, label: 'failed', className: 'border-destructive ring-2 ring-destructive/15', iconClass: 'text-destructive' },
  waiting: { icon: Hourglass, label: 'waiting', className: 'border-waiting ring-2 ring-waiting/15', iconClass: 'text-waiting' },
  skipped: { icon: SkipForward, label: 'skipped', className: 'border-dashed opacity-60', iconClass: 'text-muted-foreground' },
  cancelled: { icon: Ban, label: 'cancelled', className: 'opacity-70', iconClass: 'text-muted-foreground' },
};

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** How a step reads on the canvas and to a screen reader. */
export function describeStep(step: Step, connectors: Connector[]): { title: string; subtitle: string; icon?: string } {
  if (isActionDraft(step)) {
    const connector = connectors.find((c) => c.key === step.connector);
    const action = connector?.actions.find((a) => a.key === step.action);
    return { title: step.name || action?.name || step.action, subtitle: `${connector?.name ?? step.connector} · ${action?.name ?? step.action}`, icon: connector?.icon };
  }
  const kind = step.type ?? 'action';
  return { title: step.name || BLOCK_LABELS[kind], subtitle: blockSummary(step) };
}

/** The accessible name of a node: "Step send_slack: Slack · Send message". */
export function stepAriaLabel(step: Step, connectors: Connector[], extra: string[] = []): string {
  const d = describeStep(step, connectors);
  const kind = isActionDraft(step) ? d.subtitle : `${BLOCK_LABELS[step.type ?? 'action']} · ${d.subtitle}`;
  return [`Step ${step.id}: ${kind}`, ...extra].join('. ');
}

function StepBadges({ id }: { id: string }) {
  const { errors, pinned, decorations } = useCanvas();
  const deco = decorations[id];
  const errs = errors[id];
  const status = deco?.status ? STATUS[deco.status] : null;
  return (
    <div className="absolute -top-2.5 right-2 flex items-center gap-1">
      {deco?.badge && <span className="rounded-full border bg-card px-1.5 text-[10px] font-medium leading-4">{deco.badge}</span>}
      {deco?.attempts !== undefined && deco.attempts > 1 && (
        <span className="rounded-full border bg-card px-1.5 text-[10px] font-medium leading-4" data-testid="node-attempts">
          ×{deco.attempts}
        </span>
      )}
      {deco?.durationMs !== undefined && <span className="rounded-full border bg-card px-1.5 font-mono text-[10px] leading-4 text-muted-foreground">{duration(deco.durationMs)}</span>}
      {pinned.has(id) && (
        <span className="grid size-5 place-items-center rounded-full border border-primary/40 bg-primary/10 text-primary" title="Pinned test data: dry runs use it instead of running the step" data-testid="node-pin">
          <Pin className="size-3" aria-hidden />
        </span>
      )}
      {errs && errs.length > 0 && (
        <span className="flex h-5 items-center gap-0.5 rounded-full bg-destructive px-1.5 text-[10px] font-semibold text-white" data-testid="node-error-badge" title={errs.join('\n')}>
          <CircleAlert className="size-3" aria-hidden /> {errs.length}
        </span>
      )}
      {status && (
        <span className="grid size-5 place-items-center rounded-full border bg-card" title={status.label} data-testid="node-status" data-status={deco?.status}>
          <status.icon className={cn('size-3.5', status.iconClass)} aria-hidden />
        </span>
      )}
    </div>
  );
}

function CollapseButton({ id, collapsed, hidden }: { id: string; collapsed: boolean; hidden: number }) {
  const { onToggleCollapse } = useCanvas();
  return (
    <button
      type="button"
      tabIndex={-1}
      className="nodrag grid size-6 shrink-0 cursor-pointer place-items-center rounded text-muted-foreground hover:bg-accent hover:text-foreground"
      aria-label={collapsed ? `Expand ${id} (${hidden} steps)` : `Collapse ${id}`}
      title={collapsed ? 'Expand (C)' : 'Collapse (C)'}
      onClick={(e) => {
        e.stopPropagation();
        onToggleCollapse(id);
      }}
      data-testid="node-collapse"
    >
      {collapsed ? <ChevronRight className="size-4" /> : <ChevronDown className="size-4" />}
    </button>
  );
}

function StepCardBody({ step, collapsed, hidden, isBlockWithChildren }: { step: Step; collapsed: boolean; hidden: number; isBlockWithChildren: boolean }) {
  const { connectors } = useCanvas();
  const d = describeStep(step, connectors);
  const Icon = isActionDraft(step) ? null : BLOCK_ICONS[step.type ?? 'action'];
  return (
    <div className="flex h-full items-center gap-2.5 px-3">
      {Icon ? (
        <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-md border bg-card">
          <Icon className="size-4 text-primary" />
        </span>
      ) : (
        <ConnectorIcon icon={d.icon} name={d.title} />
      )}
      <div className="min-w-0 flex-1">
        <p className="truncate text-[13px] font-semibold leading-5">{d.title}</p>
        <p className="truncate text-[11px] text-muted-foreground" title={d.subtitle}>
          {collapsed ? `${hidden} step${hidden === 1 ? '' : 's'} folded · ` : ''}
          <span className="font-mono">{step.id}</span> · {d.subtitle}
        </p>
      </div>
      {step.when && <Filter className="size-3.5 shrink-0 text-muted-foreground" aria-label={`only when ${step.when}`} />}
      {isBlockWithChildren && <CollapseButton id={step.id} collapsed={collapsed} hidden={hidden} />}
    </div>
  );
}

function nodeFrame(selected: boolean, hasError: boolean, status: StepStatus | undefined) {
  return cn(
    'relative rounded-lg border bg-card shadow-sm transition-shadow',
    selected && 'border-primary ring-2 ring-primary/40',
    status && STATUS[status].className,
    hasError && 'border-destructive ring-2 ring-destructive/30',
  );
}

const handleClass = '!size-1.5 !min-h-0 !min-w-0 !border-0 !bg-muted-foreground/60';

export function StepNode({ id, data }: NodeProps<GraphNode>) {
  const ctx = useCanvas();
  const d = data as StepNodeData;
  const isBlock = !isActionDraft(d.step) && ['condition', 'loop', 'parallel'].includes(d.step.type ?? '');
  return (
    <div
      className={cn(nodeFrame(ctx.selectedId === id, !!ctx.errors[id]?.length, ctx.decorations[id]?.status), 'h-16 w-62', !isActionDraft(d.step) && 'bg-[color-mix(in_oklch,var(--card),var(--primary)_4%)]', d.collapsed && 'shadow-[4px_4px_0_-1px_var(--border)]')}
      data-testid="canvas-node"
      data-step-id={id}
      data-kind={d.step.type ?? 'action'}
      data-selected={ctx.selectedId === id || undefined}
      data-has-error={ctx.errors[id]?.length ? true : undefined}
      data-status={ctx.decorations[id]?.status}
    >
      <Handle type="target" position={Position.Top} className={handleClass} isConnectable={false} />
      <StepCardBody step={d.step} collapsed={d.collapsed} hidden={d.hidden} isBlockWithChildren={isBlock} />
      <StepBadges id={id} />
      <Handle type="source" position={Position.Bottom} className={handleClass} isConnectable={false} />
    </div>
  );
}

/** An expanded loop: a frame holding its body, its own card as the frame's header. */
export function LoopNode({ id, data }: NodeProps<GraphNode>) {
  const ctx = useCanvas();
  const d = data as StepNodeData;
  const status = ctx.decorations[id]?.status;
  return (
    <div
      className={cn(
        'relative size-full rounded-xl border-2 border-dashed border-primary/30 bg-primary/[0.03]',
        ctx.selectedId === id && 'border-primary ring-2 ring-primary/30',
        status && STATUS[status].className,
        ctx.errors[id]?.length && 'border-destructive ring-2 ring-destructive/30',
      )}
      data-testid="canvas-node"
      data-step-id={id}
      data-kind="loop"
      data-selected={ctx.selectedId === id || undefined}
      data-has-error={ctx.errors[id]?.length ? true : undefined}
      data-status={status}
    >
      <Handle type="target" position={Position.Top} className={handleClass} isConnectable={false} />
      <div className="absolute inset-x-2 top-2 h-12 rounded-lg border bg-card shadow-sm">
        <StepCardBody step={d.step} collapsed={false} hidden={0} isBlockWithChildren />
      </div>
      <StepBadges id={id} />
      <Handle type="source" position={Position.Bottom} className={handleClass} isConnectable={false} />
    </div>
  );
}

export function TriggerNode({ id, data }: NodeProps<GraphNode>) {
  const ctx = useCanvas();
  const t = (data as TriggerNodeData).trigger;
  const meta = t ? triggerMeta[t.type] : null;
  const Icon = meta?.icon;
  return (
    <div
      className={cn(nodeFrame(ctx.selectedId === id, !!ctx.errors[id]?.length, ctx.decorations[id]?.status), 'flex h-16 w-62 items-center gap-2.5 border-primary/50 bg-primary/5 px-3')}
      data-testid="canvas-node"
      data-step-id={id}
      data-kind="trigger"
      data-selected={ctx.selectedId === id || undefined}
      data-status={ctx.decorations[id]?.status}
    >
      <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-md bg-primary text-primary-foreground">{Icon ? <Icon className="size-4" /> : null}</span>
      <div className="min-w-0">
        <p className="truncate text-[13px] font-semibold leading-5">{meta ? `${meta.label} trigger` : 'Trigger'}</p>
        <p className="truncate text-[11px] text-muted-foreground">{t ? describeTrigger(t as Trigger) : 'Not set'}</p>
      </div>
      <StepBadges id={id} />
      <Handle type="source" position={Position.Bottom} className={handleClass} isConnectable={false} />
    </div>
  );
}

export function PortNode({ data }: NodeProps<GraphNode>) {
  const d = data as PortNodeData;
  return (
    <div className="relative size-3" title={d.label}>
      <Handle type="target" position={Position.Top} className="!top-1/2 !size-px !min-h-0 !min-w-0 !border-0 !opacity-0" isConnectable={false} />
      <span aria-hidden className={cn('block size-3 rounded-full border-2 bg-card', d.role === 'join' ? 'border-muted-foreground/50' : 'border-primary/40')} />
      <Handle type="source" position={Position.Bottom} className="!top-1/2 !size-px !min-h-0 !min-w-0 !border-0 !opacity-0" isConnectable={false} />
    </div>
  );
}

export function EmptyNode({ data }: NodeProps<GraphNode>) {
  const ctx = useCanvas();
  const d = data as EmptyNodeData;
  return (
    <div
      className={cn('flex h-10 w-42 items-center justify-center gap-1.5 rounded-lg border border-dashed bg-card/60 text-xs text-muted-foreground', ctx.mode === 'edit' && 'cursor-pointer hover:border-primary hover:text-primary')}
      onClick={ctx.mode === 'edit' ? () => ctx.onAdd({ ref: d.ref, index: 0 }) : undefined}
      data-testid="canvas-empty"
      data-list={`${d.ref.parent ?? ''}:${String(d.ref.which)}`}
    >
      <Handle type="target" position={Position.Top} className={handleClass} isConnectable={false} />
      {ctx.mode === 'edit' ? (
        <>
          <Plus className="size-3.5" aria-hidden /> {d.label}
        </>
      ) : (
        'no steps'
      )}
      <Handle type="source" position={Position.Bottom} className={handleClass} isConnectable={false} />
    </div>
  );
}

export function slotLabel(slot: { ref: ListRef; index: number }): string {
  const where = slot.ref.parent === null ? 'the workflow' : typeof slot.ref.which === 'number' ? `branch ${slot.ref.which + 1} of ${slot.ref.parent}` : slot.ref.which === 'steps' ? `the body of ${slot.ref.parent}` : `${slot.ref.which} of ${slot.ref.parent}`;
  return `Add a step to ${where} at position ${slot.index + 1}`;
}

export function SlotEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd }: EdgeProps<GraphEdge>) {
  const ctx = useCanvas();
  const [path, midX, midY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10, offset: 16 });
  const slot = data?.slot;
  const label = data?.label;
  const active = ctx.dropEdge === id;
  const plus =
    slot && ctx.mode === 'edit' ? (
      <button
        type="button"
        className={cn(
          'nodrag nopan grid size-5 cursor-pointer place-items-center rounded-full border bg-card text-muted-foreground shadow-sm transition-colors outline-none hover:border-primary hover:bg-primary hover:text-primary-foreground focus-visible:ring-[3px] focus-visible:ring-ring/60',
          active && 'scale-125 border-primary bg-primary text-primary-foreground',
        )}
        aria-label={slotLabel(slot)}
        title="Add a step here"
        onClick={(e) => {
          e.stopPropagation();
          ctx.onAdd(slot);
        }}
        data-testid="edge-add"
        data-list={`${slot.ref.parent ?? ''}:${String(slot.ref.which)}`}
        data-index={slot.index}
      >
        <Plus className="size-3" aria-hidden />
      </button>
    ) : null;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={{ stroke: active ? 'var(--primary)' : 'var(--muted-foreground)', strokeOpacity: active ? 1 : 0.45, strokeWidth: active ? 2 : 1.25 }} />
      <EdgeLabelRenderer>
        {label ? (
          <div className="pointer-events-auto absolute flex items-center gap-1" style={{ transform: `translate(-50%, -50%) translate(${targetX}px, ${targetY - 20}px)` }}>
            <span className="rounded-full border bg-card px-1.5 text-[10px] font-medium leading-4 text-muted-foreground" data-testid="edge-label">
              {label}
            </span>
            {plus}
          </div>
        ) : plus ? (
          <div className="pointer-events-auto absolute" style={{ transform: `translate(-50%, -50%) translate(${midX}px, ${midY}px)` }}>
            {plus}
          </div>
        ) : null}
      </EdgeLabelRenderer>
    </>
  );
}

export const nodeTypes = { step: StepNode, loop: LoopNode, trigger: TriggerNode, port: PortNode, empty: EmptyNode };
export const edgeTypes = { slot: SlotEdge };
